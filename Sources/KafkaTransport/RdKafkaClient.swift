import CRdKafka
import Logging
import Synchronization

/// Owns one librdkafka handle (`rd_kafka_t`) and its lifetime.
///
/// `@unchecked Sendable` because librdkafka documents `rd_kafka_t` as thread-safe: every API used
/// here may be called from any thread. What librdkafka does not protect is the handle's
/// destruction racing a call; `usage` (a `Mutex`) counts calls in flight and refuses new ones once
/// closed, and `destroy()` waits for the count to reach zero before calling `rd_kafka_destroy`.
final class RdKafkaClient: @unchecked Sendable {
    enum Kind {
        case producer
        case consumer

        var rdType: rd_kafka_type_t { self == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER }
    }

    private struct Usage {
        var isClosed = false
        var isDestroyed = false
        var activeUses = 0
    }

    /// The handle. Only the owner's polling thread may use it directly (it is the one that destroys it);
    /// everyone else goes through `withHandle`.
    let handle: OpaquePointer
    /// librdkafka's reference to `callbacks` (its opaque), released after `rd_kafka_destroy`.
    private let callbackContext: Unmanaged<RdKafkaCallbackContext>
    /// The callbacks' shared state: rate-limited logging, broker health, the rebalance handler.
    let callbacks: RdKafkaCallbackContext
    private let usage = Mutex(Usage())

    /// Creates the handle from `properties` (applied in order). `events` enables librdkafka's event
    /// API for those event types on the main queue (e.g. `RD_KAFKA_EVENT_DR`).
    ///
    /// `logInterval` is how often one distinct librdkafka message may be logged (repeats are counted).
    init(
        kind: Kind, properties: [(key: String, value: String)], events: Int32 = 0, rebalanceCallback: Bool = false,
        logInterval: Duration = .seconds(30), logger: Logger
    ) throws(KafkaError) {
        guard let conf = rd_kafka_conf_new() else {
            throw .clientCreation(reason: "rd_kafka_conf_new returned NULL")
        }
        let defaults: [(key: String, value: String)] = [("log.connection.close", "false")]
        for (key, value) in defaults + properties {
            var errorBuffer = [CChar](repeating: 0, count: 512)
            let result = rd_kafka_conf_set(conf, key, value, &errorBuffer, errorBuffer.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                throw .configuration(key: key, value: value, reason: String(cErrorBuffer: errorBuffer))
            }
        }
        if events != 0 { rd_kafka_conf_set_events(conf, events) }

        let brokers = properties.last { $0.key == "bootstrap.servers" }?.value.split(separator: ",").map(String.init) ?? []
        let context = Unmanaged.passRetained(RdKafkaCallbackContext(logger: logger, brokers: brokers, logInterval: logInterval))
        rd_kafka_conf_set_opaque(conf, context.toOpaque())
        rd_kafka_conf_set_log_cb(conf) { rk, level, facility, message in
            guard let rk, let opaque = rd_kafka_opaque(rk) else { return }
            let context = Unmanaged<RdKafkaCallbackContext>.fromOpaque(opaque).takeUnretainedValue()
            context.log(level: level, facility: facility, message: message)
        }
        // Without an error callback librdkafka logs every error (facility ERROR) and, while a
        // broker is down, that is several lines a second; with it, errors are rate-limited here
        // and "all brokers down" becomes the client's health.
        rd_kafka_conf_set_error_cb(conf) { rk, code, reason, opaque in
            guard let opaque else { return }
            let context = Unmanaged<RdKafkaCallbackContext>.fromOpaque(opaque).takeUnretainedValue()
            context.error(code: rd_kafka_resp_err_t(rawValue: code), reason: reason.map { String(cString: $0) } ?? "")
        }
        if rebalanceCallback {
            rd_kafka_conf_set_rebalance_cb(conf) { rk, code, partitions, opaque in
                guard let rk, let opaque else { return }
                let context = Unmanaged<RdKafkaCallbackContext>.fromOpaque(opaque).takeUnretainedValue()
                if let handler = context.rebalanceHandler.withLock({ $0 }) {
                    handler(rk, code, partitions)
                } else {
                    // No owner yet: behave as librdkafka does without a callback.
                    if code == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS { rd_kafka_assign(rk, partitions) } else { rd_kafka_assign(rk, nil) }
                }
            }
        }

        var errorBuffer = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(kind.rdType, conf, &errorBuffer, errorBuffer.count) else {
            rd_kafka_conf_destroy(conf)
            context.release()
            throw .clientCreation(reason: String(cErrorBuffer: errorBuffer))
        }
        self.handle = handle
        self.callbackContext = context
        self.callbacks = context.takeUnretainedValue()
    }

    deinit {
        destroy()
    }

    /// Runs `body` with the handle unless the client was closed; keeps the handle alive meanwhile.
    func withHandle<Result>(_ body: (OpaquePointer) throws(KafkaError) -> Result) throws(KafkaError) -> Result {
        let admitted = usage.withLock { usage in
            guard !usage.isClosed else { return false }
            usage.activeUses += 1
            return true
        }
        guard admitted else { throw .closed }
        defer { usage.withLock { $0.activeUses -= 1 } }
        return try body(handle)
    }

    var isClosed: Bool { usage.withLock { $0.isClosed } }

    /// Refuses new `withHandle` calls from now on. Idempotent.
    func close() {
        usage.withLock { $0.isClosed = true }
    }

    /// Closes, waits for calls in flight to end, then destroys the handle. Blocks: call it from a
    /// thread that may block (a polling thread), never from the cooperative pool. Idempotent.
    func destroy() {
        close()
        while true {
            let ready = usage.withLock { usage -> Bool? in
                if usage.isDestroyed { return nil }
                if usage.activeUses > 0 { return false }
                usage.isDestroyed = true
                return true
            }
            switch ready {
            case nil: return
            case false?: sleepBriefly(microseconds: 1000)
            case true?:
                rd_kafka_destroy(handle)
                callbacks.flushSuppressed()
                callbackContext.release()
                return
            }
        }
    }
}

/// What librdkafka's callbacks need: the owner's logger (behind a `LogRateLimiter`), the broker
/// health the owner can ask for, and, for a consumer, its rebalance handler.
///
/// librdkafka calls the log callback from its own threads and the rebalance callback from inside
/// `rd_kafka_consumer_poll` (the owner's polling thread).
final class RdKafkaCallbackContext: Sendable {
    typealias RebalanceHandler = @Sendable (
        _ handle: OpaquePointer, _ code: rd_kafka_resp_err_t, _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
    ) -> Void

    let logger: Logger
    let brokers: [String]
    private let limiter: Mutex<LogRateLimiter>
    private let health: Mutex<KafkaBrokerHealth>
    /// Set while every broker is down: the polling threads check it (cheaply) after each batch.
    private let allDown = Atomic<Bool>(false)
    private let hasFatal = Atomic<Bool>(false)
    private let fatal = Mutex<String?>(nil)
    let rebalanceHandler = Mutex<RebalanceHandler?>(nil)

    init(logger: Logger, brokers: [String], logInterval: Duration) {
        self.logger = logger
        self.brokers = brokers
        self.limiter = Mutex(LogRateLimiter(interval: logInterval))
        self.health = Mutex(KafkaBrokerHealth(brokers: brokers, allDownSince: nil, detail: ""))
    }

    /// Maps syslog levels (librdkafka's) onto swift-log levels.
    func log(level: Int32, facility: UnsafePointer<CChar>?, message: UnsafePointer<CChar>?) {
        let swiftLevel: Logger.Level =
            switch level {
            case ...2: .critical
            case 3: .error
            case 4: .warning
            case 5: .notice
            case 6: .info
            default: .debug
            }
        guard logger.logLevel <= swiftLevel else { return }
        let facility = facility.map { String(cString: $0) } ?? "?"
        let text = message.map { String(cString: $0) } ?? ""
        logLimited(swiftLevel, "librdkafka \(facility): \(text)")
    }

    /// Logs `text` unless the same message (parenthesised parts aside) was logged within the
    /// limiter's interval; the next line after the interval says how many repeats were left out.
    func logLimited(_ level: Logger.Level, _ text: String) {
        guard logger.logLevel <= level else { return }
        let decision = limiter.withLock { $0.admit(text, category: level.rawValue, now: .now) }
        switch decision {
        case .suppress:
            return
        case .log(suppressed: 0):
            logger.log(level: level, "\(text)")
        case let .log(suppressed):
            logger.log(level: level, "\(text) (and \(suppressed) more like it in the last \(limiterInterval))")
        }
    }

    private var limiterInterval: Duration { limiter.withLock { $0.interval } }

    /// Logs, once, how many repeats were left out since their last line (when the client goes away).
    func flushSuppressed() {
        for (text, suppressed) in limiter.withLock({ $0.drain() }) {
            logger.notice("\(text) (repeated \(suppressed) more time(s) before the client closed)")
        }
    }

    /// librdkafka's error callback: "all brokers down" updates the health; a fatal error is kept
    /// for the polling thread (`fatalError`); everything else is logged, rate-limited.
    func error(code: rd_kafka_resp_err_t, reason: String) {
        let text = "\(String(rdKafkaError: code)): \(reason)"
        if code == RD_KAFKA_RESP_ERR__FATAL {
            fatal.withLock { $0 = $0 ?? reason }
            hasFatal.store(true, ordering: .releasing)
            logger.critical("fatal Kafka client error: \(reason)")
            return
        }
        if code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN { markAllBrokersDown(detail: reason) }
        logLimited(.warning, "Kafka client error (librdkafka retries): \(text)")
    }

    /// The first fatal error librdkafka reported, if any (the client cannot go on after one).
    var fatalError: String? {
        guard hasFatal.load(ordering: .acquiring) else { return nil }
        return fatal.withLock { $0 }
    }

    // MARK: Broker health

    var brokerHealth: KafkaBrokerHealth { health.withLock { $0 } }
    var isAllDown: Bool { allDown.load(ordering: .relaxed) }

    func markAllBrokersDown(detail: String) {
        let isNew = health.withLock { health -> Bool in
            health.detail = detail
            guard health.allDownSince == nil else { return false }
            health.allDownSince = .now
            return true
        }
        allDown.store(true, ordering: .relaxed)
        if isNew { logger.warning("all Kafka brokers unreachable (\(brokers.joined(separator: ","))): \(detail)") }
    }

    func markReachable() {
        guard allDown.load(ordering: .relaxed) else { return }
        let downFor = health.withLock { health -> Duration? in
            defer { health.allDownSince = nil }
            return health.allDownSince.map { .now - $0 }
        }
        allDown.store(false, ordering: .relaxed)
        if let downFor { logger.notice("Kafka broker reachable again after \(downFor) (\(brokers.joined(separator: ",")))") }
    }
}

extension String {
    /// Text from a NUL-terminated C error buffer.
    init(cErrorBuffer buffer: [CChar]) {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        self = String(decoding: bytes, as: UTF8.self)
    }

    /// librdkafka's text for an error code.
    init(rdKafkaError code: rd_kafka_resp_err_t) {
        if let text = rd_kafka_err2str(code) {
            self = String(cString: text)
        } else {
            self = "error \(code.rawValue)"
        }
    }
}
