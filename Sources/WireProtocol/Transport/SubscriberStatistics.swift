/// Counters of a ``ProtocolSubscriber``, readable while it runs.
public struct SubscriberStatistics: Sendable, Hashable {
    /// Kafka records read.
    public var records = 0
    /// Messages handed to the handler and completed.
    public var handled = 0
    /// Messages skipped because their id was already handled.
    public var duplicates = 0
    public var rejections: [RejectionReason: Int] = [:]
    /// Messages of other runs, passed over (a shared broker carries several runs).
    public var otherRun = 0
    /// Handler retries after transient errors.
    public var retries = 0
    /// Offsets committed.
    public var commits = 0

    public var totalRejections: Int { rejections.values.reduce(0, +) }
}
