import CRdKafka
import Logging
import Synchronization

/// The state a `KafkaProducer` shares with its polling thread.
///
/// The polling thread serves librdkafka's main event queue: it turns delivery reports into resumed
/// continuations (for `send`) or a remembered first failure (for `enqueue`), and at the end it
/// destroys the handle. A record sent with `send` carries a per-message opaque id that keys its
/// continuation; records from `enqueue` carry none.
final class ProducerCore: Sendable {
    typealias DeliveryContinuation = CheckedContinuation<Result<KafkaDeliveryReport, KafkaError>, Never>

    private struct Deliveries {
        var nextID: UInt = 1
        var waiters: [UInt: DeliveryContinuation] = [:]
        var firstFailure: KafkaError?
        var failureCount = 0
    }

    let client: RdKafkaClient
    let configuration: KafkaProducerConfiguration
    let logger: Logger
    private let deliveries = Mutex(Deliveries())
    /// Records handed over by `enqueue` whose delivery report has not been handled yet.
    private let pendingEnqueued = Atomic<Int>(0)
    private let stopRequested = Atomic<Bool>(false)
    let stopped = CompletionSignal()

    init(configuration: KafkaProducerConfiguration, logger: Logger) throws(KafkaError) {
        self.configuration = configuration
        self.logger = logger
        self.client = try RdKafkaClient(
            kind: .producer,
            properties: configuration.properties,
            events: Int32(RD_KAFKA_EVENT_DR) | Int32(RD_KAFKA_EVENT_ERROR),
            logInterval: configuration.logInterval,
            logger: logger
        )
    }

    var outstanding: Int { pendingEnqueued.load(ordering: .relaxed) }

    /// `.allBrokersDown` once the outage outlasts `allBrokersDownTimeout` (if set).
    func brokerFailure() -> KafkaError? {
        guard let timeout = configuration.allBrokersDownTimeout, client.callbacks.isAllDown else { return nil }
        return client.callbacks.brokerHealth.failure(after: timeout)
    }

    func startPolling() {
        startThread(named: "agentfl-kafka-producer") { [self] in pollLoop() }
    }

    func requestStop() {
        client.close()
        stopRequested.store(true, ordering: .releasing)
    }

    // MARK: Producing

    /// Hands a record to librdkafka (copying its bytes), retrying while the local queue is full.
    func produce(_ record: KafkaRecord, messageID: UInt) throws(KafkaError) {
        if let failure = brokerFailure() { throw failure }
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.deliveryTimeout
        while true {
            let code = try client.withHandle { handle in Self.produceOnce(record, messageID: messageID, handle: handle) }
            switch code {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                return
            case RD_KAFKA_RESP_ERR__QUEUE_FULL where clock.now < deadline:
                // The polling thread drains delivery reports meanwhile; librdkafka frees room as
                // batches are acknowledged.
                sleepBriefly(microseconds: 200)
            default:
                throw .delivery(topic: record.topic, reason: String(rdKafkaError: code))
            }
        }
    }

    func enqueue(_ record: KafkaRecord) throws(KafkaError) {
        pendingEnqueued.add(1, ordering: .relaxed)
        do {
            try produce(record, messageID: 0)
        } catch {
            pendingEnqueued.subtract(1, ordering: .relaxed)
            throw error
        }
    }

    func register(_ continuation: DeliveryContinuation) -> UInt {
        deliveries.withLock { deliveries in
            let id = deliveries.nextID
            deliveries.nextID &+= 1
            if deliveries.nextID == 0 { deliveries.nextID = 1 }
            deliveries.waiters[id] = continuation
            return id
        }
    }

    func unregister(_ id: UInt) -> DeliveryContinuation? {
        deliveries.withLock { $0.waiters.removeValue(forKey: id) }
    }

    /// The first failure of an enqueued record since the last call, and how many failed in all.
    func takeFirstFailure() -> (error: KafkaError, count: Int)? {
        deliveries.withLock { deliveries in
            guard let failure = deliveries.firstFailure else { return nil }
            defer {
                deliveries.firstFailure = nil
                deliveries.failureCount = 0
            }
            return (failure, deliveries.failureCount)
        }
    }

    private static func produceOnce(_ record: KafkaRecord, messageID: UInt, handle: OpaquePointer) -> rd_kafka_resp_err_t {
        record.topic.withCString { topic in
            record.value.withUnsafeBytes { value in
                withUnsafeOptionalBytes(record.key) { key in
                    withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7) { fields in
                        var count = 0
                        func append(_ type: rd_kafka_vtype_t, _ set: (inout rd_kafka_vu_t) -> Void) {
                            var field = rd_kafka_vu_t()
                            field.vtype = type
                            set(&field)
                            fields[count] = field
                            count += 1
                        }
                        append(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topic }
                        append(RD_KAFKA_VTYPE_VALUE) {
                            $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
                            $0.u.mem.size = value.count
                        }
                        append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                        if let key {
                            append(RD_KAFKA_VTYPE_KEY) {
                                $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
                                $0.u.mem.size = key.count
                            }
                        }
                        if let partition = record.partition {
                            append(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition }
                        }
                        if messageID != 0 {
                            append(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = UnsafeMutableRawPointer(bitPattern: messageID) }
                        }
                        var headers: OpaquePointer?
                        if !record.headers.isEmpty, let list = rd_kafka_headers_new(record.headers.count) {
                            for header in record.headers {
                                header.value.withUnsafeBytes { bytes in
                                    _ = rd_kafka_header_add(list, header.key, -1, bytes.baseAddress, bytes.count)
                                }
                            }
                            headers = list
                            append(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = list }
                        }
                        guard let error = rd_kafka_produceva(handle, fields.baseAddress, count) else {
                            return RD_KAFKA_RESP_ERR_NO_ERROR  // librdkafka now owns the headers
                        }
                        let code = rd_kafka_error_code(error)
                        rd_kafka_error_destroy(error)
                        if let headers { rd_kafka_headers_destroy(headers) }
                        return code
                    }
                }
            }
        }
    }

    // MARK: Polling thread

    private func pollLoop() {
        let handle = client.handle
        if let queue = rd_kafka_queue_get_main(handle) {
            var nextProbe = ContinuousClock.now
            while !stopRequested.load(ordering: .acquiring) {
                if client.callbacks.isAllDown { probeBrokers(handle, nextProbe: &nextProbe) }
                guard let event = rd_kafka_queue_poll(queue, 50) else { continue }
                serve(event: event)
                rd_kafka_event_destroy(event)
            }
            rd_kafka_queue_destroy(queue)
        } else {
            logger.error("librdkafka gave no main queue; delivery reports will not be served")
            while !stopRequested.load(ordering: .acquiring) { sleepBriefly(microseconds: 50_000) }
        }
        client.destroy()
        let abandoned = deliveries.withLock { deliveries in
            defer { deliveries.waiters = [:] }
            return Array(deliveries.waiters.values)
        }
        for continuation in abandoned { continuation.resume(returning: .failure(.closed)) }
        stopped.fire()
    }

    /// While every broker is down, asks once a second whether one answers again (librdkafka
    /// reports the outage but not its end).
    private func probeBrokers(_ handle: OpaquePointer, nextProbe: inout ContinuousClock.Instant) {
        let now = ContinuousClock.now
        guard now >= nextProbe else { return }
        nextProbe = now + .seconds(1)
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(handle, 0, nil, &metadata, 500)
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        if code == RD_KAFKA_RESP_ERR_NO_ERROR { client.callbacks.markReachable() }
    }

    private func serve(event: OpaquePointer) {
        switch rd_kafka_event_type(event) {
        case Int32(RD_KAFKA_EVENT_DR):
            while let message = rd_kafka_event_message_next(event) {
                handleDeliveryReport(message.pointee)
            }
        case Int32(RD_KAFKA_EVENT_ERROR):
            let reason = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? "unknown error"
            if rd_kafka_event_error_is_fatal(event) != 0 {
                logger.critical("fatal producer error: \(reason)")
            } else {
                if rd_kafka_event_error(event) == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN {
                    client.callbacks.markAllBrokersDown(detail: reason)
                }
                client.callbacks.logLimited(.debug, "producer error (librdkafka retries): \(reason)")
            }
        default:
            break
        }
    }

    private func handleDeliveryReport(_ message: rd_kafka_message_t) {
        if message.err == RD_KAFKA_RESP_ERR_NO_ERROR { client.callbacks.markReachable() }
        let messageID = UInt(bitPattern: message._private)
        let topic = { message.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "?" }
        if messageID == 0 {
            if message.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                let failure = KafkaError.delivery(topic: topic(), reason: String(rdKafkaError: message.err))
                deliveries.withLock { deliveries in
                    if deliveries.firstFailure == nil { deliveries.firstFailure = failure }
                    deliveries.failureCount += 1
                }
            }
            pendingEnqueued.subtract(1, ordering: .relaxed)
            return
        }
        guard let continuation = unregister(messageID) else { return }
        if message.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            let report = KafkaDeliveryReport(topic: topic(), partition: message.partition, offset: message.offset)
            continuation.resume(returning: .success(report))
        } else {
            continuation.resume(returning: .failure(.delivery(topic: topic(), reason: String(rdKafkaError: message.err))))
        }
    }
}

/// Calls `body` with the bytes of `bytes`, or with nil.
func withUnsafeOptionalBytes<Result>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> Result) -> Result {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}
