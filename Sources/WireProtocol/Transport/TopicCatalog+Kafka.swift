import KafkaTransport

extension TopicDefinition {
    /// The Kafka topic to create; `replicationFactor` overrides the declared one (1 for a single broker).
    public func specification(replicationFactor override: Int16? = nil) -> KafkaTopicSpecification {
        KafkaTopicSpecification(
            name: name, partitions: partitions, replicationFactor: override ?? replicationFactor, config: kafkaConfig)
    }
}

extension TopicCatalog {
    /// Every topic as a Kafka topic to create; pass `replicationFactor: 1` for a single broker.
    public func specifications(replicationFactor override: Int16? = nil) -> [KafkaTopicSpecification] {
        all.map { $0.specification(replicationFactor: override) }
    }

    /// Creates every topic (existing ones are fine).
    public func createTopics(
        using admin: KafkaAdmin, replicationFactor override: Int16? = nil, timeout: Duration = .seconds(30)
    ) async throws(KafkaError) {
        try await admin.createTopics(specifications(replicationFactor: override), timeout: timeout)
    }
}
