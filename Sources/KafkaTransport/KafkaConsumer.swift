import CRdKafka
import Logging

/// A Kafka consumer over librdkafka: a consumer group (subscribe) or explicit partitions (assign).
///
/// Offsets are never committed or stored automatically; call `commit(_:)` after a message was
/// handled, for at-least-once processing. A dedicated thread polls librdkafka and feeds
/// `messages` through a bounded buffer.
public final class KafkaConsumer: Sendable {
    public let configuration: KafkaConsumerConfiguration
    private let core: ConsumerCore

    public init(configuration: KafkaConsumerConfiguration, logger: Logger) throws(KafkaError) {
        self.configuration = configuration
        self.core = try ConsumerCore(configuration: configuration, logger: logger)
        core.startPolling()
    }

    deinit {
        core.requestStop()
    }

    /// AsyncSequence of KafkaConsumerMessage (Failure = any Error); finishes after close().
    public var messages: KafkaConsumerMessages { KafkaConsumerMessages(buffer: core.buffer) }

    /// Synchronously commits message.offset + 1 for that partition (at-least-once: call after the handler succeeded).
    public func commit(_ message: KafkaConsumerMessage) async throws(KafkaError) {
        guard configuration.groupID != nil else {
            throw .commit(reason: "the consumer has no group id, so there is nowhere to commit to")
        }
        let client = core.client
        let topic = message.topic
        let partition = message.partition
        let offset = message.offset + 1
        try await runBlocking(named: "agentfl-kafka-commit") {
            Result { () throws(KafkaError) in
                try client.withHandle { handle throws(KafkaError) in
                    guard let list = rd_kafka_topic_partition_list_new(1) else {
                        throw .commit(reason: "could not allocate a partition list")
                    }
                    defer { rd_kafka_topic_partition_list_destroy(list) }
                    let entry = rd_kafka_topic_partition_list_add(list, topic, partition)
                    entry?.pointee.offset = offset
                    let code = rd_kafka_commit(handle, list, 0)
                    let partitionCode = entry?.pointee.err ?? RD_KAFKA_RESP_ERR_NO_ERROR
                    let failed = code != RD_KAFKA_RESP_ERR_NO_ERROR ? code : partitionCode
                    guard failed == RD_KAFKA_RESP_ERR_NO_ERROR else {
                        throw .commit(reason: "\(topic)[\(partition)] offset \(offset): \(String(rdKafkaError: failed))")
                    }
                }
            }
        }
    }

    /// Leaves the group, destroys the client and finishes `messages`. Idempotent; later commits throw `.closed`.
    public func close() async {
        core.requestStop()
        await core.stopped.wait()
    }
}
