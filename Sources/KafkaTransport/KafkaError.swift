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
    /// A partition's offsets had a hole that did not fill after `seeks` seeks back over `waited`
    /// (see `KafkaGapCheck`): the records at `missing` were never read.
    case recordsMissing(topic: String, partition: Int32, missing: Range<Int64>, seeks: Int, waited: Duration)
    /// Every broker of the client was unreachable for `waited` (see `KafkaBrokerHealth`).
    case allBrokersDown(brokers: [String], waited: Duration, detail: String)
    /// A client properties file could not be used (see `KafkaClientProperties`).
    case clientProperties(file: String, line: Int?, reason: String)
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
        case let .recordsMissing(topic, partition, missing, seeks, waited):
            "records \(topic)[\(partition)] offsets \(missing.lowerBound)…\(missing.upperBound - 1) (\(missing.count) record(s)) were skipped by the "
                + "broker's fetch and did not appear after \(seeks) seek(s) back over \(waited); the consumer stops rather than lose them"
        case let .allBrokersDown(brokers, waited, detail):
            "all Kafka brokers (\(brokers.joined(separator: ","))) have been unreachable for \(waited): \(detail)"
        case let .clientProperties(file, line, reason):
            "Kafka client properties \(file)\(line.map { ":\($0)" } ?? ""): \(reason)"
        case let .librdkafkaTooOld(loaded):
            "the loaded librdkafka \(loaded) cannot talk to the embedded Tansu broker (2.1 or newer is needed); "
                + "run scripts/bootstrap.sh to put librdkafka 2.16 into .deps/lib, or point LD_LIBRARY_PATH at a newer librdkafka.so.1"
        }
    }
}
