/// Whether a client can reach any of its brokers, as librdkafka reports it.
///
/// librdkafka retries connections forever and tells the application only through errors and log
/// lines; this turns "all brokers are down" into a value the owner of a consumer or producer can
/// ask for (`KafkaConsumer.brokerHealth`, `KafkaProducer.brokerHealth`), or be stopped by
/// (`allBrokersDownTimeout` in the configurations), so that a role exits with one clear message
/// naming its brokers instead of logging connection errors.
public struct KafkaBrokerHealth: Sendable, Hashable {
    public var brokers: [String]
    /// Since when every broker has been unreachable; nil while at least one answers.
    public var allDownSince: ContinuousClock.Instant?
    /// librdkafka's last word on the outage (e.g. "1/1 brokers are down").
    public var detail: String

    public var isReachable: Bool { allDownSince == nil }

    /// How long all brokers have been down, as of `now`; nil while one answers.
    public func allDownFor(now: ContinuousClock.Instant = .now) -> Duration? {
        allDownSince.map { now - $0 }
    }

    /// `.allBrokersDown` once all brokers have been down for `timeout` or longer.
    public func failure(after timeout: Duration, now: ContinuousClock.Instant = .now) -> KafkaError? {
        guard let down = allDownFor(now: now), down >= timeout else { return nil }
        return .allBrokersDown(brokers: brokers, waited: down, detail: detail)
    }
}
