/// Whether and how a consumer checks that each partition's offsets arrive without holes.
///
/// On by default. Our topics are neither compacted nor transactional, so their offsets are
/// contiguous and a hole is a record the fetch skipped: Tansu 0.6.0's in-memory storage raises a
/// partition's high watermark before it writes a batch, so a fetch can return batch N+1 while N is
/// still being written, and librdkafka moves past N for good. With the check on, the consumer
/// drops what it fetched past the hole, seeks the partition back to the first missing offset and
/// tries again with back-off until the hole fills; a hole that never fills ends `messages` with
/// `KafkaError.recordsMissing`. A partition that receives nothing for a second while the
/// broker's high watermark is above its next offset (a hole at the tail, or a stalled fetch) is
/// treated the same way; it counts as healed once it has read everything the broker held when the
/// stall was seen.
///
/// A hole that seeking back does not fill makes the consumer rebuild its fetch: a new librdkafka
/// handle, resumed at the tracked offsets, whose fetch wait (`fetch.wait.max.ms`) is four times
/// the previous one, up to `maxFetchWait`. The embedded Tansu build stops collecting a fetch's
/// batches when the request's wait runs out, and it lists the partition's batches from the first
/// one on each fetch; once a partition holds more batches than it lists within the wait (about a
/// thousand for 1 ms on a loaded machine), a consumer at the tail gets empty or one-batch answers
/// however often it seeks. Only a longer wait helps, and librdkafka cannot change it on a live
/// handle. Tansu answers a fetch as soon as it has data, so a longer wait costs latency only
/// while the partition is idle: a record produced then is seen at Tansu's next look, which comes
/// after half the remaining wait (measured: 5–11 ms with a 10 ms wait, 22–186 ms with 500 ms).
///
/// Turn it off (or exempt the topics) where offsets legitimately have holes: compacted topics
/// (`cleanup.policy=compact`, once the broker has compacted them) and transactional topics
/// (commit/abort markers take offsets). On Apache Kafka, non-compacted, non-transactional topics
/// never have holes, so the check costs one dictionary lookup per record and changes nothing.
public struct KafkaGapCheck: Sendable, Hashable {
    public var isEnabled: Bool
    /// Topics read without the check (e.g. the compacted ones).
    public var exemptTopics: Set<String>
    /// How many times a partition is sought back to the same missing offset, since its fetch was
    /// last rebuilt, before the hole is given up on (when no rebuild is left).
    public var maxSeeks: Int
    /// The wait after the first seek; it doubles after each further seek up to `maxBackoff`.
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    /// Seeks back to a hole, with nothing read in between, after which the consumer rebuilds its
    /// fetch with a longer wait (see the type's comment); nil never rebuilds. A rebuild starts the
    /// hole's seeks and back-off afresh.
    public var rebuildAfterSeeks: Int?
    /// The longest fetch wait a rebuild raises `fetch.wait.max.ms` to (Apache Kafka's default);
    /// once there, a hole gets `maxSeeks` further seeks and is then given up on.
    public var maxFetchWait: Duration

    /// With the defaults, a hole that no rebuild fills is given up on about 7 s after the fetch
    /// wait reached `maxFetchWait` (seeks at 0, 10 ms, 30 ms, 70 ms … then every second); before
    /// that, every third seek without a record read rebuilds the fetch with four times the wait.
    public init(
        isEnabled: Bool = true, exemptTopics: Set<String> = [], maxSeeks: Int = 12,
        initialBackoff: Duration = .milliseconds(10), maxBackoff: Duration = .seconds(1),
        rebuildAfterSeeks: Int? = 3, maxFetchWait: Duration = .milliseconds(500)
    ) {
        self.isEnabled = isEnabled
        self.exemptTopics = exemptTopics
        self.maxSeeks = max(1, maxSeeks)
        self.initialBackoff = initialBackoff
        self.maxBackoff = max(initialBackoff, maxBackoff)
        self.rebuildAfterSeeks = rebuildAfterSeeks.map { max(1, $0) }
        self.maxFetchWait = maxFetchWait
    }

    public static let disabled = KafkaGapCheck(isEnabled: false)

    func checks(topic: String) -> Bool { isEnabled && !exemptTopics.contains(topic) }

    /// The fetch wait a rebuild after `current` uses: four times it (at least 1 ms more), capped
    /// at `maxFetchWait`; nil when rebuilding is off or `current` is already at the cap.
    func rebuiltFetchWait(after current: Duration) -> Duration? {
        guard rebuildAfterSeeks != nil, current < maxFetchWait else { return nil }
        return min(max(current * 4, current + .milliseconds(1)), maxFetchWait)
    }

    /// The wait after seek number `seeks` (1-based).
    func backoff(afterSeek seeks: Int) -> Duration {
        var wait = initialBackoff
        for _ in 1..<max(1, seeks) {
            wait *= 2
            if wait >= maxBackoff { return maxBackoff }
        }
        return min(wait, maxBackoff)
    }
}
