/// How a `KafkaConsumer` reads. Offsets are never stored automatically: call
/// `KafkaConsumer.storeOffset(_:)` after a message has been handled, and librdkafka commits what
/// was stored every `commitIntervalMilliseconds` and when the consumer closes (at-least-once), or
/// `KafkaConsumer.commit(_:)` to commit one offset synchronously.
public struct KafkaConsumerConfiguration: Sendable {
    public enum Subscription: Sendable {
        /// Join a consumer group; the group coordinator assigns partitions.
        case group(id: String, topics: [String])
        /// Read exactly these partitions. A group id is only needed for `.stored` and `commit`.
        case partitions([KafkaTopicPartition], from: KafkaStartOffset, groupID: String?)
    }

    public var bootstrapServers: [String]
    public var subscription: Subscription
    public var clientID: String = "agentfl"
    /// How long the broker may hold a fetch while it has no data (`fetch.wait.max.ms`). Keep it
    /// low: the embedded Tansu answers at once when it has data, but a record produced while a
    /// fetch waits is seen only at its next look, after half the remaining wait (measured: 5–11 ms
    /// of latency with 10 ms, up to 186 ms with 500 ms). The gap check raises it on a rebuild
    /// when the broker needs longer to reach a partition's offset (see `KafkaGapCheck`).
    public var fetchWaitMaxMilliseconds: Int = 10
    public var sessionTimeoutMilliseconds: Int = 6000
    public var heartbeatIntervalMilliseconds: Int = 500
    /// How often librdkafka commits the offsets stored with `storeOffset(_:)` (`auto.commit.interval.ms`).
    /// A crash redelivers at most what was handled in the last interval; a synchronous commit per
    /// record instead costs a broker round trip each (the auditor logged ~107 records/s that way).
    public var commitIntervalMilliseconds: Int = 200
    public var maxPartitionFetchBytes: Int = 16 << 20
    /// Where to start without a committed offset (`auto.offset.reset`): earliest or latest.
    public var startFromEarliest: Bool = true
    /// How many messages the polling thread keeps ready before it waits for the reader.
    public var bufferedMessages: Int = 4096
    /// How many payload bytes the polling thread keeps ready before it waits for the reader.
    public var bufferedBytes: Int = 64 << 20
    /// Holes in a partition's offsets are re-read (on by default; see `KafkaGapCheck` for the
    /// topics where it must be off).
    public var gapCheck = KafkaGapCheck()
    /// When set, `messages` ends with `KafkaError.allBrokersDown` once every broker has been
    /// unreachable this long; nil keeps retrying forever (librdkafka's behaviour).
    public var allBrokersDownTimeout: Duration?
    /// One distinct librdkafka log or error line per this interval; repeats are counted.
    public var logInterval: Duration = .seconds(30)
    /// Raw librdkafka properties, applied last (they win over the fields above). Properties from
    /// a file go through `KafkaClientProperties`, which refuses the ones that would break the
    /// delivery guarantees (see there).
    public var additionalProperties: [String: String] = [:]

    public init(bootstrapServers: [String], subscription: Subscription) {
        self.bootstrapServers = bootstrapServers
        self.subscription = subscription
    }

    var groupID: String? {
        switch subscription {
        case let .group(id, _): id
        case let .partitions(_, _, groupID): groupID
        }
    }

    /// The librdkafka properties this configuration stands for, in the order they are applied.
    var properties: [(key: String, value: String)] {
        var result: [(key: String, value: String)] = [
            ("bootstrap.servers", bootstrapServers.joined(separator: ",")),
            ("client.id", clientID),
            // Only offsets stored after a record was handled are committed; without a group id
            // there is nowhere to commit to.
            ("enable.auto.commit", groupID == nil ? "false" : "true"),
            ("auto.commit.interval.ms", String(commitIntervalMilliseconds)),
            ("enable.auto.offset.store", "false"),
            ("enable.partition.eof", "false"),
            ("auto.offset.reset", startFromEarliest ? "earliest" : "latest"),
            ("fetch.wait.max.ms", String(fetchWaitMaxMilliseconds)),
            ("session.timeout.ms", String(sessionTimeoutMilliseconds)),
            ("heartbeat.interval.ms", String(heartbeatIntervalMilliseconds)),
            ("max.partition.fetch.bytes", String(maxPartitionFetchBytes)),
            ("fetch.max.bytes", String(max(maxPartitionFetchBytes, 50 << 20))),
            ("receive.message.max.bytes", String(max(maxPartitionFetchBytes, 50 << 20) + (1 << 20))),
        ]
        // librdkafka's assign() needs a group id even when nothing joins the group; a private,
        // random one is never committed to (`commit` refuses without a configured group id).
        result.append(("group.id", groupID ?? "agentfl-unjoined-\(UInt64.random(in: 0...UInt64.max))"))
        result += additionalProperties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return result
    }
}
