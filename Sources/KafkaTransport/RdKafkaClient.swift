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
    private let logContext: Unmanaged<RdKafkaLogContext>
    private let usage = Mutex(Usage())

    /// Creates the handle from `properties` (applied in order). `events` enables librdkafka's event
    /// API for those event types on the main queue (e.g. `RD_KAFKA_EVENT_DR`).
    init(kind: Kind, properties: [(key: String, value: String)], events: Int32 = 0, logger: Logger) throws(KafkaError) {
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

        let context = Unmanaged.passRetained(RdKafkaLogContext(logger: logger))
        rd_kafka_conf_set_opaque(conf, context.toOpaque())
        rd_kafka_conf_set_log_cb(conf) { rk, level, facility, message in
            guard let rk, let opaque = rd_kafka_opaque(rk) else { return }
            let context = Unmanaged<RdKafkaLogContext>.fromOpaque(opaque).takeUnretainedValue()
            context.log(level: level, facility: facility, message: message)
        }

        var errorBuffer = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(kind.rdType, conf, &errorBuffer, errorBuffer.count) else {
            rd_kafka_conf_destroy(conf)
            context.release()
            throw .clientCreation(reason: String(cErrorBuffer: errorBuffer))
        }
        self.handle = handle
        self.logContext = context
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
                logContext.release()
                return
            }
        }
    }
}

/// What librdkafka's log callback needs: the logger of the client that owns the handle.
final class RdKafkaLogContext: Sendable {
    let logger: Logger

    init(logger: Logger) {
        self.logger = logger
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
        logger.log(level: swiftLevel, "librdkafka \(facility): \(text)")
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
