import CRdKafka
import Logging

/// An idempotent (acks=all) Kafka producer over librdkafka. Keep it long-lived: a new idempotent
/// producer waits about half a second for a producer id before its first delivery.
///
/// Two paths: `send` waits for the broker's acknowledgement of one record; `enqueue` + `flush`
/// keeps many records in flight (throughput), and `flush` throws the first failure since the last flush.
public final class KafkaProducer: Sendable {
    public let configuration: KafkaProducerConfiguration
    private let core: ProducerCore

    public init(configuration: KafkaProducerConfiguration, logger: Logger) throws(KafkaError) {
        self.configuration = configuration
        self.core = try ProducerCore(configuration: configuration, logger: logger)
        core.startPolling()
    }

    deinit {
        core.requestStop()
    }

    /// Sends and waits for the broker's acknowledgement; a failed delivery throws.
    public func send(_ record: KafkaRecord) async throws(KafkaError) -> KafkaDeliveryReport {
        let core = self.core
        let result = await withCheckedContinuation { (continuation: ProducerCore.DeliveryContinuation) in
            let id = core.register(continuation)
            do throws(KafkaError) {
                try core.produce(record, messageID: id)
            } catch {
                core.unregister(id)?.resume(returning: .failure(error))
            }
        }
        return try result.get()
    }

    /// Enqueues without waiting (throughput path); the first delivery failure since the last flush is thrown by `flush`.
    /// Blocks briefly only while librdkafka's local queue is full.
    public func enqueue(_ record: KafkaRecord) throws(KafkaError) {
        try core.enqueue(record)
    }

    /// Whether any broker answers (see `KafkaBrokerHealth`).
    public var brokerHealth: KafkaBrokerHealth { core.client.callbacks.brokerHealth }

    /// Records enqueued whose delivery has not been reported yet.
    public var outstandingRecords: Int { core.outstanding }

    /// Sends everything queued now (ignoring the linger) and waits until every record has been
    /// acknowledged or failed; then throws the first failure since the last flush.
    public func flush(timeout: Duration) async throws(KafkaError) {
        let client = core.client
        let core = self.core
        let milliseconds = Int(timeout.wholeMilliseconds)
        // In slices of at most a second, so that an outage beyond `allBrokersDownTimeout` ends it.
        let code = try await runBlocking(named: "agentfl-kafka-flush") {
            Result { () throws(KafkaError) in
                var remaining = milliseconds
                while true {
                    let slice = core.configuration.allBrokersDownTimeout == nil ? remaining : min(remaining, 1000)
                    let code = try client.withHandle { rd_kafka_flush($0, Int32(slice)) }
                    remaining -= slice
                    guard code == RD_KAFKA_RESP_ERR__TIMED_OUT, remaining > 0 else { return code }
                    if let failure = core.brokerFailure() { throw failure }
                }
            }
        }
        if code == RD_KAFKA_RESP_ERR__TIMED_OUT {
            let outstanding = (try? client.withHandle { Int(rd_kafka_outq_len($0)) }) ?? core.outstanding
            throw .flushTimedOut(outstanding: outstanding, waited: timeout)
        }
        // librdkafka counts a record done once its report is destroyed, i.e. after the polling
        // thread handled it, so all failures are recorded by now.
        if let (failure, count) = core.takeFirstFailure() {
            if count > 1, case let .delivery(topic, reason) = failure {
                throw .delivery(topic: topic, reason: "\(reason) (and \(count - 1) more failed record(s))")
            }
            throw failure
        }
    }

    /// Flushes (bounded by the delivery timeout), then destroys the client. Idempotent; later
    /// calls to `send`, `enqueue` and `flush` throw `.closed`.
    public func shutdown() async {
        if !core.client.isClosed {
            do {
                try await flush(timeout: configuration.deliveryTimeout)
            } catch {
                core.logger.warning("producer shut down with undelivered records: \(error)")
            }
        }
        core.requestStop()
        await core.stopped.wait()
    }
}
