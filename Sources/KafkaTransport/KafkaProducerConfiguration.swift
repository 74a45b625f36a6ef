/// How a `KafkaProducer` talks to the cluster. Defaults suit the round protocol: idempotent,
/// acks=all, lz4, a 5 ms linger, and room for 16 MiB records.
public struct KafkaProducerConfiguration: Sendable {
    public var bootstrapServers: [String]
    public var clientID: String = "agentfl"
    public var compression: KafkaCompression = .lz4
    public var lingerMilliseconds: Int = 5
    public var messageMaxBytes: Int = 16 << 20
    /// Upper bound on one record's delivery, retries included (`delivery.timeout.ms`).
    public var deliveryTimeout: Duration = .seconds(30)
    /// Exactly-once per partition within one producer session; implies acks=all.
    public var enableIdempotence: Bool = true
    /// Local buffering limits: generous, so that `enqueue` rarely sees a full queue.
    public var queueBufferingMaxMessages: Int = 1_000_000
    public var queueBufferingMaxKilobytes: Int = 1 << 20
    /// When set, `send`, `enqueue` and `flush` throw `KafkaError.allBrokersDown` once every
    /// broker has been unreachable this long; nil leaves it to `deliveryTimeout`.
    public var allBrokersDownTimeout: Duration?
    /// One distinct librdkafka log or error line per this interval; repeats are counted.
    public var logInterval: Duration = .seconds(30)
    /// Raw librdkafka properties, applied last (they win over the fields above). Properties from
    /// a file go through `KafkaClientProperties`, which refuses the ones that would break the
    /// delivery guarantees (see there).
    public var additionalProperties: [String: String] = [:]

    public init(bootstrapServers: [String]) {
        self.bootstrapServers = bootstrapServers
    }

    /// The librdkafka properties this configuration stands for, in the order they are applied.
    var properties: [(key: String, value: String)] {
        var result: [(key: String, value: String)] = [
            ("bootstrap.servers", bootstrapServers.joined(separator: ",")),
            ("client.id", clientID),
            ("compression.codec", compression.rawValue),
            ("linger.ms", String(lingerMilliseconds)),
            ("message.max.bytes", String(messageMaxBytes)),
            ("delivery.timeout.ms", String(deliveryTimeout.wholeMilliseconds)),
            ("enable.idempotence", enableIdempotence ? "true" : "false"),
            ("queue.buffering.max.messages", String(queueBufferingMaxMessages)),
            ("queue.buffering.max.kbytes", String(queueBufferingMaxKilobytes)),
        ]
        if enableIdempotence { result.append(("acks", "all")) }
        result += additionalProperties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return result
    }
}
