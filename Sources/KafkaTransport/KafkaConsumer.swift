import CRdKafka
import Logging

/// A Kafka consumer over librdkafka: a consumer group (subscribe) or explicit partitions (assign).
///
/// Offsets are never stored automatically: call `storeOffset(_:)` after a message was handled and
/// librdkafka commits the stored offsets on a timer and when the consumer closes (at-least-once
/// without a broker round trip per record), or `commit(_:)` to commit one synchronously. A
/// dedicated thread polls librdkafka and feeds `messages` through a bounded buffer.
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

    /// What the gap check saw so far (holes detected and healed, records dropped and re-read).
    public var statistics: KafkaConsumerStatistics { core.statistics }

    /// Whether any broker answers (see `KafkaBrokerHealth`).
    public var brokerHealth: KafkaBrokerHealth { core.clients.client.callbacks.brokerHealth }

    /// Marks message.offset + 1 as the partition's next offset to commit; librdkafka commits it within
    /// `commitIntervalMilliseconds` and on `close()`. Call it only after the message was handled:
    /// a crash before the commit redelivers it, never skips it. Neither blocks nor waits for the broker.
    public func storeOffset(_ message: KafkaConsumerMessage) throws(KafkaError) {
        try Self.applyNextOffset(after: message, groupID: configuration.groupID, clients: core.clients, action: "storing") { handle, list in
            rd_kafka_offsets_store(handle, list)
        }
    }

    /// Synchronously commits message.offset + 1 for that partition (at-least-once: call after the handler succeeded).
    public func commit(_ message: KafkaConsumerMessage) async throws(KafkaError) {
        let groupID = configuration.groupID
        let clients = core.clients
        try await runBlocking(named: "agentfl-kafka-commit") {
            Result { () throws(KafkaError) in
                try Self.applyNextOffset(after: message, groupID: groupID, clients: clients, action: "committing") { handle, list in
                    rd_kafka_commit(handle, list, 0)
                }
            }
        }
    }

    /// Hands `apply` (a store or a commit) a one-entry list holding message.offset + 1 for the
    /// message's partition, and turns its result or the entry's error into `KafkaError.commit`.
    private static func applyNextOffset(
        after message: KafkaConsumerMessage, groupID: String?, clients: ConsumerClientSlot, action: String,
        _ apply: (OpaquePointer, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> rd_kafka_resp_err_t
    ) throws(KafkaError) {
        guard groupID != nil else {
            throw .commit(reason: "the consumer has no group id, so there is nowhere to commit to")
        }
        let (topic, partition, offset) = (message.topic, message.partition, message.offset + 1)
        try clients.withHandle { handle throws(KafkaError) in
            guard let list = rd_kafka_topic_partition_list_new(1) else {
                throw .commit(reason: "could not allocate a partition list")
            }
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let entry = rd_kafka_topic_partition_list_add(list, topic, partition)
            entry?.pointee.offset = offset
            let code = apply(handle, list)
            let partitionCode = entry?.pointee.err ?? RD_KAFKA_RESP_ERR_NO_ERROR
            let failed = code != RD_KAFKA_RESP_ERR_NO_ERROR ? code : partitionCode
            guard failed == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw .commit(reason: "\(action) \(topic)[\(partition)] offset \(offset): \(String(rdKafkaError: failed))")
            }
        }
    }

    /// The offset each assigned partition started reading at (the committed offset, a watermark or
    /// the explicit offset); nil for a partition whose start the broker could not tell.
    public var startOffsets: [KafkaTopicPartition: Int64?] { core.startOffsets.withLock { $0 } }

    /// The high watermark (the offset after the last record written) of every partition this
    /// consumer reads: the configured ones, or for a group those assigned to it now. It is where a
    /// reader that wants everything written so far must get to. Asks the broker, on a thread of its own.
    public func endOffsets(timeout: Duration = .seconds(10)) async throws(KafkaError) -> [KafkaTopicPartition: Int64] {
        let client = core.clients
        let milliseconds = Int32(timeout.wholeMilliseconds)
        let configured: [KafkaTopicPartition]? =
            if case let .partitions(partitions, _, _) = configuration.subscription { partitions } else { nil }
        return try await runBlocking(named: "agentfl-kafka-watermarks") {
            Result { () throws(KafkaError) in
                try client.withHandle { handle throws(KafkaError) in
                    let partitions: [KafkaTopicPartition]
                    if let configured { partitions = configured } else { partitions = try Self.assignment(handle) }
                    var ends: [KafkaTopicPartition: Int64] = [:]
                    for partition in partitions {
                        var low: Int64 = 0
                        var high: Int64 = 0
                        let code = rd_kafka_query_watermark_offsets(handle, partition.topic, partition.partition, &low, &high, milliseconds)
                        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                            throw .consume(reason: "\(partition.topic)[\(partition.partition)]: no watermarks (\(String(rdKafkaError: code)))")
                        }
                        ends[partition] = high
                    }
                    return ends
                }
            }
        }
    }

    private static func assignment(_ handle: OpaquePointer) throws(KafkaError) -> [KafkaTopicPartition] {
        var assigned: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let code = rd_kafka_assignment(handle, &assigned)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let assigned else {
            throw .consume(reason: "the assignment is unknown: \(String(rdKafkaError: code))")
        }
        defer { rd_kafka_topic_partition_list_destroy(assigned) }
        return (0..<Int(assigned.pointee.cnt)).map { index in
            let entry = assigned.pointee.elems[index]
            return KafkaTopicPartition(topic: String(cString: entry.topic), partition: entry.partition)
        }
    }

    /// Leaves the group, destroys the client and finishes `messages`. Idempotent; later commits throw `.closed`.
    public func close() async {
        core.requestStop()
        await core.stopped.wait()
    }
}
