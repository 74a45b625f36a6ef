/// How a `KafkaConsumer` reads. Offsets are never committed automatically: call
/// `KafkaConsumer.commit(_:)` after a message has been handled (at-least-once).
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
    /// Tansu holds every waiting fetch this long even when data arrives, so keep it low.
    public var fetchWaitMaxMilliseconds: Int = 10
    public var sessionTimeoutMilliseconds: Int = 6000
    public var heartbeatIntervalMilliseconds: Int = 500
    public var maxPartitionFetchBytes: Int = 16 << 20
    /// Where to start without a committed offset (`auto.offset.reset`): earliest or latest.
    public var startFromEarliest: Bool = true
    /// How many messages the polling thread keeps ready before it waits for the reader.
    public var bufferedMessages: Int = 4096
    /// How many payload bytes the polling thread keeps ready before it waits for the reader.
    public var bufferedBytes: Int = 64 << 20
    /// Raw librdkafka properties, applied last (they win over the fields above).
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
            ("enable.auto.commit", "false"),
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
