/// What a consumer's gap check saw so far (`KafkaConsumer.statistics`). All counts are since the
/// consumer was created.
public struct KafkaConsumerStatistics: Sendable, Hashable {
    /// Records handed to the reader of `messages`.
    public var delivered = 0
    /// Holes seen in a partition's offsets (each counted once, however many seeks it took).
    public var gapsDetected = 0
    /// Of those, partitions that stopped receiving while the broker's high watermark was above
    /// the expected offset (a hole at the tail, or a fetch that stopped).
    public var stallsDetected = 0
    /// Holes that filled after a seek back.
    public var gapsHealed = 0
    /// Records that were missing and were then read after a seek back (the sum of healed holes).
    public var recordsRecovered = 0
    /// Records fetched past an open hole and dropped; they come again once the hole is read.
    public var droppedAheadOfGap = 0
    /// Records below the expected offset (already delivered, fetched again after a seek) and dropped.
    public var rereadsDropped = 0
    /// Seeks back to a missing offset.
    public var seeks = 0
    /// Times the consumer rebuilt its fetch (a new librdkafka handle with a longer fetch wait)
    /// because seeking back did not fill a hole (see `KafkaGapCheck`); never on Apache Kafka.
    public var fetchRebuilds = 0
    /// The fetch wait (`fetch.wait.max.ms`) the consumer's handle uses now: the configured one
    /// until a rebuild raises it. Not a count.
    public var fetchWait: Duration = .zero

    public init() {}
}
