import Foundation
import KafkaTransport
import Logging
import WireProtocol

/// A role's connection to the run's topics: where the brokers are, the topic catalog, the name it
/// sends under and the key it signs with. It makes the publishers and subscribers a role needs,
/// configured the same way for every role.
public struct RoleBus: Sendable {
    public let brokers: [String]
    public let catalog: TopicCatalog
    public let runID: String
    public let sender: String
    public let signer: EnvelopeSigner?
    public let logger: Logger

    public init(brokers: [String], catalog: TopicCatalog, runID: String, sender: String, signer: EnvelopeSigner?, logger: Logger) {
        self.brokers = brokers
        self.catalog = catalog
        self.runID = runID
        self.sender = sender
        self.signer = signer
        self.logger = logger
    }

    /// A bus for a role process: the topics folder (or the default search) and the role's key file
    /// (or a fresh key, announced through its heartbeat).
    public static func connect(
        brokers: [String], topicsDirectory: String?, keyFile: String?, runID: String, sender: String, logger: Logger
    ) throws -> RoleBus {
        let catalog = try TopicCatalog.load(directory: try TopicsLocation.resolve(topicsDirectory))
        let signer = try keyFile.map { EnvelopeSigner(privateKey: try SigningKeyFile.load(from: URL(fileURLWithPath: $0))) }
            ?? EnvelopeSigner()
        return RoleBus(brokers: brokers, catalog: catalog, runID: runID, sender: sender, signer: signer, logger: logger)
    }

    /// A long-lived producer (an idempotent producer needs ~0.5 s for its producer id: make one per process).
    public func producer() throws -> KafkaProducer {
        var configuration = KafkaProducerConfiguration(bootstrapServers: brokers)
        configuration.clientID = "agentfl-\(sender)"
        // The round protocol waits on every hop: send at once rather than batching for 5 ms.
        configuration.lingerMilliseconds = 0
        return try KafkaProducer(configuration: configuration, logger: logger)
    }

    /// A publisher sending as `sender` (default: the bus's), on `producer` (default: a new one).
    public func publisher(sender: String? = nil, producer: KafkaProducer? = nil) throws -> ProtocolPublisher {
        ProtocolPublisher(
            producer: try producer ?? self.producer(), catalog: catalog, sender: sender ?? self.sender,
            signer: signer, logger: logger)
    }

    /// A subscriber over every partition of the topics carrying `types`. With a `group`, progress is
    /// committed under a group id private to this run and role and a restart resumes after the last
    /// committed message (`from: .stored`); without one it reads `from` wherever asked. Partitions
    /// are assigned directly rather than through a group join, which costs seconds on every start.
    public func subscriber(for types: [MessageType], group: String?, from start: KafkaStartOffset) throws -> ProtocolSubscriber {
        var partitions: [KafkaTopicPartition] = []
        for type in types {
            let topic = catalog.topic(for: type)
            partitions += (0..<topic.partitions).map { KafkaTopicPartition(topic: topic.name, partition: $0) }
        }
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: brokers,
            subscription: .partitions(partitions, from: start, groupID: group.map { "agentfl.\(runID).\($0)" }))
        configuration.clientID = "agentfl-\(sender)"
        return try ProtocolSubscriber(configuration: configuration, logger: logger)
    }

    /// Announces the role and its public key on the heartbeats topic.
    public func announceKey(with publisher: ProtocolPublisher, role: String) async throws {
        guard let signer else { return }
        let heartbeat = Heartbeat(role: role, instance: publisher.sender, publicKey: signer.publicKeyBase64, status: "started")
        _ = try await publisher.publish(heartbeat, round: nil, key: publisher.sender)
    }

    /// Waits for the cluster, then creates every topic of the catalog (existing ones are kept).
    public static func createTopics(catalog: TopicCatalog, brokers: [String], singleBroker: Bool, logger: Logger) async throws {
        let admin = KafkaAdmin(bootstrapServers: brokers, logger: logger)
        try await admin.waitUntilReachable(timeout: .seconds(15))
        try await catalog.createTopics(using: admin, replicationFactor: singleBroker ? 1 : nil)
    }
}
