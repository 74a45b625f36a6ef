/// Every failure the Kafka transport reports. Each case carries enough context to act on it.
public enum KafkaError: Error, CustomStringConvertible, Sendable, Equatable {
    /// No broker answered a metadata request within `waited`.
    case brokerUnreachable(brokers: [String], waited: Duration, detail: String)
    /// librdkafka rejected a configuration property (unknown name or invalid value).
    case configuration(key: String, value: String, reason: String)
    /// A record could not be delivered (enqueue refused it, or the broker did not acknowledge it).
    case delivery(topic: String, reason: String)
    /// `flush` gave up while records were still outstanding.
    case flushTimedOut(outstanding: Int, waited: Duration)
    /// The consumer hit an error it cannot recover from.
    case consume(reason: String)
    /// An offset commit failed.
    case commit(reason: String)
    /// An admin operation (create/delete/list topics) failed.
    case admin(operation: String, reason: String)
    /// librdkafka could not create a client handle.
    case clientCreation(reason: String)
    /// The producer or consumer was already shut down.
    case closed
    /// The loaded librdkafka cannot talk to the embedded Tansu broker.
    case librdkafkaTooOld(loaded: String)

    public var description: String {
        switch self {
        case let .brokerUnreachable(brokers, waited, detail):
            "no Kafka broker reachable at \(brokers.joined(separator: ",")) after \(waited): \(detail)"
        case let .configuration(key, value, reason):
            "invalid Kafka configuration \(key)=\(value): \(reason)"
        case let .delivery(topic, reason):
            "delivery to topic '\(topic)' failed: \(reason)"
        case let .flushTimedOut(outstanding, waited):
            "flush timed out after \(waited) with \(outstanding) record(s) still unacknowledged"
        case let .consume(reason):
            "consumer failed: \(reason)"
        case let .commit(reason):
            "offset commit failed: \(reason)"
        case let .admin(operation, reason):
            "Kafka admin operation '\(operation)' failed: \(reason)"
        case let .clientCreation(reason):
            "could not create a librdkafka client: \(reason)"
        case .closed:
            "the Kafka client is already closed"
        case let .librdkafkaTooOld(loaded):
            "the loaded librdkafka \(loaded) cannot talk to the embedded Tansu broker (2.1 or newer is needed); "
                + "run scripts/bootstrap.sh to put librdkafka 2.16 into .deps/lib, or point LD_LIBRARY_PATH at a newer librdkafka.so.1"
        }
    }
}
