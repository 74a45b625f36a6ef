/// A record the subscriber (or its handler) refused: where it was, why, and — when the frame
/// decoded — the envelope as it claimed to be (sender, type, round, run, payload), which must not
/// be trusted but is what an auditor records.
public struct RejectedRecord: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var reason: RejectionReason
    public var detail: String
    /// The envelope, if the frame decoded; its signature may not verify.
    public var envelope: Envelope?

    public init(
        topic: String, partition: Int32, offset: Int64, reason: RejectionReason, detail: String, envelope: Envelope? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.reason = reason
        self.detail = detail
        self.envelope = envelope
    }
}
