import CRdKafka
import Foundation
import Logging
import Synchronization

/// The state a `KafkaConsumer` shares with its polling thread.
///
/// The polling thread subscribes or assigns, then loops on `rd_kafka_consumer_poll`, copying each
/// message out of librdkafka into a batch that it hands to `ConsumerMessageBuffer`. On stop it
/// closes the consumer (leaving the group), destroys the handle and finishes the sequence.
final class ConsumerCore: Sendable {
    /// librdkafka's logical offsets.
    private enum LogicalOffset {
        static let beginning: Int64 = -2
        static let end: Int64 = -1
        static let stored: Int64 = -1000
    }

    private static let unassignedPartition: Int32 = -1
    private static let maxBatch = 512

    let client: RdKafkaClient
    let configuration: KafkaConsumerConfiguration
    let buffer: ConsumerMessageBuffer
    let logger: Logger
    private let stopRequested = Atomic<Bool>(false)
    let stopped = CompletionSignal()

    init(configuration: KafkaConsumerConfiguration, logger: Logger) throws(KafkaError) {
        if case let .partitions(_, .stored, groupID) = configuration.subscription, groupID == nil {
            throw .configuration(key: "group.id", value: "", reason: "starting from stored offsets needs a group id")
        }
        if case let .group(id, topics) = configuration.subscription {
            guard !id.isEmpty else { throw .configuration(key: "group.id", value: id, reason: "a consumer group needs a non-empty id") }
            guard !topics.isEmpty else { throw .configuration(key: "topics", value: "", reason: "a consumer group needs at least one topic") }
        }
        self.configuration = configuration
        self.logger = logger
        self.buffer = ConsumerMessageBuffer(maxMessages: configuration.bufferedMessages, maxBytes: configuration.bufferedBytes)
        self.client = try RdKafkaClient(kind: .consumer, properties: configuration.properties, logger: logger)
        rd_kafka_poll_set_consumer(client.handle)
    }

    func startPolling() {
        startThread(named: "agentfl-kafka-consumer") { [self] in pollLoop() }
    }

    func requestStop() {
        client.close()
        stopRequested.store(true, ordering: .releasing)
    }

    private var shouldStop: Bool { stopRequested.load(ordering: .acquiring) }

    // MARK: Polling thread

    private func pollLoop() {
        let handle = client.handle
        var failure: KafkaError?
        do throws(KafkaError) {
            try start(handle)
            failure = consumeUntilStopped(handle)
        } catch {
            failure = error
        }
        if let failure { logger.error("consumer stopped: \(failure)") }
        let code = rd_kafka_consumer_close(handle)
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.debug("rd_kafka_consumer_close: \(String(rdKafkaError: code))")
        }
        client.destroy()
        buffer.finish(failure: failure)
        stopped.fire()
    }

    private func start(_ handle: OpaquePointer) throws(KafkaError) {
        switch configuration.subscription {
        case let .group(_, topics):
            guard let list = rd_kafka_topic_partition_list_new(Int32(topics.count)) else {
                throw .consume(reason: "could not allocate a topic list")
            }
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for topic in topics { rd_kafka_topic_partition_list_add(list, topic, Self.unassignedPartition) }
            let code = rd_kafka_subscribe(handle, list)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw .consume(reason: "subscribe to \(topics.joined(separator: ",")): \(String(rdKafkaError: code))")
            }
        case let .partitions(partitions, from, _):
            // Without the topics' metadata, assign() waits on a 500 ms retry timer; ask first.
            for topic in Set(partitions.map(\.topic)) { fetchMetadata(handle, topic: topic) }
            guard let list = rd_kafka_topic_partition_list_new(Int32(partitions.count)) else {
                throw .consume(reason: "could not allocate a partition list")
            }
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let offset: Int64 =
                switch from {
                case .beginning: LogicalOffset.beginning
                case .end: LogicalOffset.end
                case .stored: LogicalOffset.stored
                case let .offset(value): value
                }
            for partition in partitions {
                rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition)?.pointee.offset = offset
            }
            let code = rd_kafka_assign(handle, list)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw .consume(reason: "assign: \(String(rdKafkaError: code))")
            }
        }
    }

    private func fetchMetadata(_ handle: OpaquePointer, topic: String) {
        guard let topicHandle = rd_kafka_topic_new(handle, topic, nil) else { return }
        defer { rd_kafka_topic_destroy(topicHandle) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(handle, 0, topicHandle, &metadata, 5000)
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("no metadata for topic \(topic) before assigning: \(String(rdKafkaError: code))")
        }
    }

    /// Polls until asked to stop; returns a failure only for errors librdkafka will not recover from.
    private func consumeUntilStopped(_ handle: OpaquePointer) -> KafkaError? {
        var decoder = MessageDecoder()
        while !shouldStop {
            guard buffer.reserveRoom() else {
                buffer.waitForRoom(milliseconds: 100)
                continue
            }
            guard let first = rd_kafka_consumer_poll(handle, 100) else { continue }
            var batch: [KafkaConsumerMessage] = []
            var bytes = 0
            var next: UnsafeMutablePointer<rd_kafka_message_t>? = first
            while let message = next {
                defer { rd_kafka_message_destroy(message) }
                if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    let decoded = decoder.decode(message)
                    bytes += decoded.value.count
                    batch.append(decoded)
                } else if let failure = handleError(handle, message.pointee) {
                    buffer.push(batch, bytes: bytes)
                    return failure
                }
                next = batch.count < Self.maxBatch ? rd_kafka_consumer_poll(handle, 0) : nil
            }
            buffer.push(batch, bytes: bytes)
        }
        return nil
    }

    private func handleError(_ handle: OpaquePointer, _ message: rd_kafka_message_t) -> KafkaError? {
        if message.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { return nil }
        var errorBuffer = [CChar](repeating: 0, count: 512)
        if rd_kafka_fatal_error(handle, &errorBuffer, errorBuffer.count) != RD_KAFKA_RESP_ERR_NO_ERROR {
            return .consume(reason: "fatal: \(String(cErrorBuffer: errorBuffer))")
        }
        let detail = message.payload.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) }
        logger.warning("consumer error (librdkafka retries): \(String(rdKafkaError: message.err))\(detail.map { ": \($0)" } ?? "")")
        return nil
    }
}

/// Copies librdkafka messages into `KafkaConsumerMessage`s, reusing the topic name between
/// messages of the same topic handle.
private struct MessageDecoder {
    private var lastTopicHandle: OpaquePointer?
    private var lastTopicName = ""

    mutating func decode(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaConsumerMessage {
        let raw = message.pointee
        if raw.rkt != lastTopicHandle {
            lastTopicHandle = raw.rkt
            lastTopicName = raw.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        }
        let value = raw.payload.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: raw.len)) } ?? []
        let key = raw.key.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: raw.key_len)) }

        var headers: [KafkaHeader] = []
        var headerList: OpaquePointer?
        if rd_kafka_message_headers(message, &headerList) == RD_KAFKA_RESP_ERR_NO_ERROR, let headerList {
            var index = 0
            var name: UnsafePointer<CChar>?
            var bytes: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(headerList, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let headerValue = bytes.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
                headers.append(KafkaHeader(key: name.map { String(cString: $0) } ?? "", value: headerValue))
                index += 1
            }
        }

        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let milliseconds = rd_kafka_message_timestamp(message, &timestampType)
        let timestamp = milliseconds >= 0 ? Date(timeIntervalSince1970: Double(milliseconds) / 1000) : nil

        return KafkaConsumerMessage(
            topic: lastTopicName, partition: raw.partition, offset: raw.offset,
            key: key, value: value, headers: headers, timestamp: timestamp
        )
    }
}
