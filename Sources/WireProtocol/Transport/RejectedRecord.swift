/// A record the subscriber refused: where it was and why.
public struct RejectedRecord: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var reason: RejectionReason
    public var detail: String

    public init(topic: String, partition: Int32, offset: Int64, reason: RejectionReason, detail: String) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.reason = reason
        self.detail = detail
    }
}
