/// A topic to create.
public struct KafkaTopicSpecification: Sendable, Hashable {
    public var name: String
    public var partitions: Int32
    public var replicationFactor: Int16
    /// Topic-level configuration, e.g. `retention.ms`.
    public var config: [String: String]

    public init(name: String, partitions: Int32 = 1, replicationFactor: Int16 = 1, config: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.config = config
    }
}
