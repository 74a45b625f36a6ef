import CRdKafka
import Logging

/// Topic administration and reachability checks. Each call uses a short-lived librdkafka client
/// on its own thread, so a `KafkaAdmin` value is cheap to make and to copy.
public struct KafkaAdmin: Sendable {
    public var bootstrapServers: [String]
    public var logger: Logger
    /// Raw librdkafka properties, applied last (e.g. `security.protocol`, `ssl.*`, `sasl.*` from
    /// `KafkaClientProperties`).
    public var additionalProperties: [String: String]

    public init(bootstrapServers: [String], additionalProperties: [String: String] = [:], logger: Logger) {
        self.bootstrapServers = bootstrapServers
        self.additionalProperties = additionalProperties
        self.logger = logger
    }

    /// Throws .brokerUnreachable once `timeout` has passed without a metadata answer.
    public func waitUntilReachable(timeout: Duration) async throws(KafkaError) {
        let brokers = bootstrapServers
        let properties = clientProperties(timeout: timeout)
        // Refused connections are the expected answer while waiting; the outcome is the thrown error.
        var logger = self.logger
        logger.logLevel = .critical
        try await runBlocking(named: "agentfl-kafka-admin") { [logger] () -> Result<Void, KafkaError> in
            let clock = ContinuousClock()
            let start = clock.now
            let client: RdKafkaClient
            do throws(KafkaError) {
                client = try RdKafkaClient(kind: .producer, properties: properties, logger: logger)
            } catch {
                return .failure(error)
            }
            defer { client.destroy() }
            var lastError = "no metadata answer"
            while true {
                let remaining = timeout - (clock.now - start)
                guard remaining > .zero else { break }
                var metadata: UnsafePointer<rd_kafka_metadata>?
                let waitMilliseconds = Int32(max(1, min(remaining.wholeMilliseconds, 1000)))
                let code = rd_kafka_metadata(client.handle, 0, nil, &metadata, waitMilliseconds)
                if code == RD_KAFKA_RESP_ERR_NO_ERROR {
                    if let metadata { rd_kafka_metadata_destroy(metadata) }
                    return .success(())
                }
                lastError = String(rdKafkaError: code)
                if clock.now - start < timeout { sleepBriefly(microseconds: 20_000) }
            }
            return .failure(.brokerUnreachable(brokers: brokers, waited: clock.now - start, detail: lastError))
        }
    }

    /// Creates the topics; a topic that already exists is fine.
    public func createTopics(_ topics: [KafkaTopicSpecification], timeout: Duration) async throws(KafkaError) {
        guard !topics.isEmpty else { return }
        try await runAdminRequest(operation: "create topics", timeout: timeout) { handle, options, queue throws(KafkaError) in
            var newTopics: [OpaquePointer?] = []
            defer { newTopics.withUnsafeMutableBufferPointer { rd_kafka_NewTopic_destroy_array($0.baseAddress, $0.count) } }
            for topic in topics {
                var errorBuffer = [CChar](repeating: 0, count: 512)
                guard let newTopic = rd_kafka_NewTopic_new(
                    topic.name, topic.partitions, Int32(topic.replicationFactor), &errorBuffer, errorBuffer.count)
                else {
                    throw .admin(operation: "create topic \(topic.name)", reason: String(cErrorBuffer: errorBuffer))
                }
                newTopics.append(newTopic)
                for (key, value) in topic.config.sorted(by: { $0.key < $1.key }) {
                    let code = rd_kafka_NewTopic_set_config(newTopic, key, value)
                    guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                        throw .admin(operation: "create topic \(topic.name)", reason: "config \(key)=\(value): \(String(rdKafkaError: code))")
                    }
                }
            }
            newTopics.withUnsafeMutableBufferPointer { rd_kafka_CreateTopics(handle, $0.baseAddress, $0.count, options, queue) }
        } results: { event in
            var count = 0
            let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
            return (results, count)
        } accepting: { $0 == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS }
    }

    /// Deletes the topics; a topic that does not exist is fine.
    public func deleteTopics(_ names: [String], timeout: Duration) async throws(KafkaError) {
        guard !names.isEmpty else { return }
        try await runAdminRequest(operation: "delete topics", timeout: timeout) { handle, options, queue throws(KafkaError) in
            var deleteTopics: [OpaquePointer?] = names.map { rd_kafka_DeleteTopic_new($0) }
            defer { deleteTopics.withUnsafeMutableBufferPointer { rd_kafka_DeleteTopic_destroy_array($0.baseAddress, $0.count) } }
            deleteTopics.withUnsafeMutableBufferPointer { rd_kafka_DeleteTopics(handle, $0.baseAddress, $0.count, options, queue) }
        } results: { event in
            var count = 0
            let results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), &count)
            return (results, count)
        } accepting: { $0 == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART }
    }

    /// All topics the cluster knows, with their partition counts.
    public func listTopics(timeout: Duration) async throws(KafkaError) -> [String: Int32] {
        let properties = clientProperties(timeout: timeout)
        let logger = self.logger
        return try await runBlocking(named: "agentfl-kafka-admin") { () -> Result<[String: Int32], KafkaError> in
            Result { () throws(KafkaError) -> [String: Int32] in
                let client = try RdKafkaClient(kind: .producer, properties: properties, logger: logger)
                defer { client.destroy() }
                var metadata: UnsafePointer<rd_kafka_metadata>?
                let code = rd_kafka_metadata(client.handle, 1, nil, &metadata, Int32(max(1, timeout.wholeMilliseconds)))
                guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                    throw .admin(operation: "list topics", reason: String(rdKafkaError: code))
                }
                defer { rd_kafka_metadata_destroy(metadata) }
                var topics: [String: Int32] = [:]
                let count = Int(metadata.pointee.topic_cnt)
                if let list = metadata.pointee.topics {
                    for topic in UnsafeBufferPointer(start: list, count: count) {
                        guard topic.err == RD_KAFKA_RESP_ERR_NO_ERROR, let name = topic.topic else { continue }
                        topics[String(cString: name)] = topic.partition_cnt
                    }
                }
                return topics
            }
        }
    }

    // MARK: Plumbing

    private func clientProperties(timeout: Duration) -> [(key: String, value: String)] {
        let connectTimeout = max(1000, min(timeout.wholeMilliseconds, 30_000))
        return [
            ("bootstrap.servers", bootstrapServers.joined(separator: ",")),
            ("client.id", "agentfl-admin"),
            ("socket.connection.setup.timeout.ms", String(connectTimeout)),
            ("socket.timeout.ms", String(max(10, timeout.wholeMilliseconds))),
            ("reconnect.backoff.ms", "20"),
            ("reconnect.backoff.max.ms", "250"),
            ("topic.metadata.refresh.interval.ms", "-1"),
        ] + additionalProperties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Sends one admin request, waits for its result event, and throws a summary of the topics
    /// whose result code is neither success nor `accepting`.
    private func runAdminRequest(
        operation: String,
        timeout: Duration,
        request: @escaping @Sendable (_ handle: OpaquePointer, _ options: OpaquePointer, _ queue: OpaquePointer) throws(KafkaError) -> Void,
        results: @escaping @Sendable (_ event: OpaquePointer) -> (UnsafeMutablePointer<OpaquePointer?>?, Int),
        accepting: @escaping @Sendable (rd_kafka_resp_err_t) -> Bool
    ) async throws(KafkaError) {
        let properties = clientProperties(timeout: timeout)
        let logger = self.logger
        try await runBlocking(named: "agentfl-kafka-admin") { () -> Result<Void, KafkaError> in
            Result { () throws(KafkaError) in
                let client = try RdKafkaClient(kind: .producer, properties: properties, logger: logger)
                defer { client.destroy() }
                let handle = client.handle
                guard let queue = rd_kafka_queue_new(handle) else {
                    throw .admin(operation: operation, reason: "could not create a result queue")
                }
                defer { rd_kafka_queue_destroy(queue) }
                guard let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_ANY) else {
                    throw .admin(operation: operation, reason: "could not create admin options")
                }
                defer { rd_kafka_AdminOptions_destroy(options) }
                var errorBuffer = [CChar](repeating: 0, count: 512)
                let milliseconds = Int32(max(1, timeout.wholeMilliseconds))
                _ = rd_kafka_AdminOptions_set_request_timeout(options, milliseconds, &errorBuffer, errorBuffer.count)
                _ = rd_kafka_AdminOptions_set_operation_timeout(options, milliseconds, &errorBuffer, errorBuffer.count)

                try request(handle, options, queue)
                guard let event = rd_kafka_queue_poll(queue, milliseconds + 1000) else {
                    throw .admin(operation: operation, reason: "no answer within \(timeout)")
                }
                defer { rd_kafka_event_destroy(event) }
                let code = rd_kafka_event_error(event)
                guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    let reason = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? String(rdKafkaError: code)
                    throw .admin(operation: operation, reason: reason)
                }
                let (list, count) = results(event)
                var failures: [String] = []
                if let list {
                    for result in UnsafeBufferPointer(start: list, count: count) {
                        guard let result else { continue }
                        let code = rd_kafka_topic_result_error(result)
                        guard code != RD_KAFKA_RESP_ERR_NO_ERROR, !accepting(code) else { continue }
                        let name = rd_kafka_topic_result_name(result).map { String(cString: $0) } ?? "?"
                        let reason = rd_kafka_topic_result_error_string(result).map { String(cString: $0) } ?? String(rdKafkaError: code)
                        failures.append("\(name): \(reason)")
                    }
                }
                guard failures.isEmpty else {
                    throw .admin(operation: operation, reason: failures.joined(separator: "; "))
                }
            }
        }
    }
}
