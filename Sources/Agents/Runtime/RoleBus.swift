import Foundation
import KafkaTransport
import Logging
import WireProtocol

/// A role's connection to the run's topics: where the brokers are, the topic catalog, the run it
/// belongs to, the name it sends under, the key it signs with and the keyring it verifies against.
/// It makes the publishers and subscribers a role needs, configured the same way for every role.
public struct RoleBus: Sendable {
    public let brokers: [String]
    public let catalog: TopicCatalog
    public let runID: String
    public let sender: String
    public let signer: EnvelopeSigner?
    /// What every subscriber checks before a handler acts (the run's keyring, or explicitly nothing).
    public let trust: TrustPolicy
    /// librdkafka properties every client of this bus gets (TLS, SASL), from `--kafka-config`.
    public let clientProperties: [String: String]
    public let logger: Logger

    public init(
        brokers: [String], catalog: TopicCatalog, runID: String, sender: String, signer: EnvelopeSigner?,
        trust: TrustPolicy, clientProperties: [String: String] = [:], logger: Logger
    ) {
        self.brokers = brokers
        self.catalog = catalog
        self.runID = runID
        self.sender = sender
        self.signer = signer
        self.trust = trust
        self.clientProperties = clientProperties
        self.logger = logger
    }

    /// A bus for a role process. With a keyring (`agentfl run` hands every role the run's), every
    /// message is verified against it and the role signs with its key file, which must be given.
    /// Without one the role refuses to start unless `insecure` says the user wants no verification;
    /// then it signs with its key file or a fresh key and says so loudly.
    public static func connect(
        brokers: [String], topicsDirectory: String?, keyFile: String?, keyringFile: String?, insecure: Bool,
        clientPropertiesFile: String? = nil, runID: String, sender: String, logger: Logger
    ) throws -> RoleBus {
        let (catalog, clientProperties) = try loadCatalogAndProperties(topicsDirectory, clientPropertiesFile)
        let trust: TrustPolicy
        switch (keyringFile, insecure) {
        case let (path?, false):
            guard keyFile != nil else {
                throw AgentError.invalidConfiguration(
                    "--keyring needs --key: a role without its own key would sign with one the keyring does not list")
            }
            trust = .keyring(try KeyringVerifier(try Keyring.load(from: URL(fileURLWithPath: path))))
        case (_?, true):
            throw AgentError.invalidConfiguration("give either --keyring FILE or --insecure, not both")
        case (nil, true):
            logger.warning("INSECURE: no keyring; signatures are not verified, any client of the broker can forge messages this role acts on")
            trust = .insecure
        case (nil, false):
            throw AgentError.invalidConfiguration(
                "no --keyring: this role would act on messages it cannot verify. Pass the run's keyring (agentfl run writes OUT/keys/keyring.json), or --insecure to run without verification")
        }
        let signer = try keyFile.map { EnvelopeSigner(privateKey: try SigningKeyFile.load(from: URL(fileURLWithPath: $0))) }
            ?? EnvelopeSigner()
        return RoleBus(
            brokers: brokers, catalog: catalog, runID: runID, sender: sender, signer: signer, trust: trust,
            clientProperties: clientProperties, logger: logger)
    }

    /// A bus that only reads, verifying every message against `keyring` and signing nothing: a
    /// watcher of a run it does not take part in (`agentfl audit follow`).
    public static func observer(
        brokers: [String], topicsDirectory: String?, keyring: Keyring, clientPropertiesFile: String? = nil, runID: String,
        logger: Logger
    ) throws -> RoleBus {
        let (catalog, clientProperties) = try loadCatalogAndProperties(topicsDirectory, clientPropertiesFile)
        return RoleBus(
            brokers: brokers, catalog: catalog, runID: runID, sender: "observer", signer: nil,
            trust: .keyring(try KeyringVerifier(keyring)), clientProperties: clientProperties, logger: logger)
    }

    private static func loadCatalogAndProperties(
        _ topicsDirectory: String?, _ clientPropertiesFile: String?
    ) throws -> (TopicCatalog, [String: String]) {
        let catalog = try TopicCatalog.load(directory: try TopicsLocation.resolve(topicsDirectory))
        let properties = try clientPropertiesFile.map { try KafkaClientProperties.load(from: URL(fileURLWithPath: $0)).dictionary } ?? [:]
        return (catalog, properties)
    }

    /// A long-lived producer (an idempotent producer needs ~0.5 s for its producer id: make one per process).
    public func producer() throws -> KafkaProducer {
        var configuration = KafkaProducerConfiguration(bootstrapServers: brokers)
        configuration.clientID = "agentfl-\(sender)"
        // The round protocol waits on every hop: send at once rather than batching for 5 ms.
        configuration.lingerMilliseconds = 0
        configuration.additionalProperties = clientProperties
        return try KafkaProducer(configuration: configuration, logger: logger)
    }

    /// A publisher sending as `sender` (default: the bus's), on `producer` (default: a new one).
    public func publisher(sender: String? = nil, producer: KafkaProducer? = nil) throws -> ProtocolPublisher {
        ProtocolPublisher(
            producer: try producer ?? self.producer(), catalog: catalog, sender: sender ?? self.sender,
            runID: runID, signer: signer, logger: logger)
    }

    /// A subscriber over every partition of the topics carrying `types`, handing on only this run's
    /// messages that pass the bus's trust policy. With a `group`, progress is committed under a
    /// group id private to this run and role and a restart resumes after the last committed message
    /// (`from: .stored`); without one it reads `from` wherever asked. Partitions are assigned
    /// directly rather than through a group join, which costs seconds on every start.
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
        configuration.additionalProperties = clientProperties
        // Compacted topics (heartbeats, models) may have holes once Kafka compacts them; every
        // other topic's offsets are contiguous, and a hole there is a record the fetch skipped.
        configuration.gapCheck.exemptTopics = Set(catalog.all.filter { $0.cleanupPolicy == .compact }.map(\.name))
        return try ProtocolSubscriber(configuration: configuration, runID: runID, trust: trust, logger: logger)
    }

    /// Announces the role and its public key on the heartbeats topic.
    public func announceKey(with publisher: ProtocolPublisher, role: String) async throws {
        guard let signer else { return }
        let heartbeat = Heartbeat(role: role, instance: publisher.sender, publicKey: signer.publicKeyBase64, status: "started")
        _ = try await publisher.publish(heartbeat, key: publisher.sender)
    }

    /// Waits for the cluster, then creates every topic of the catalog (existing ones are kept).
    public static func createTopics(
        catalog: TopicCatalog, brokers: [String], singleBroker: Bool, clientProperties: [String: String] = [:],
        logger: Logger
    ) async throws {
        let admin = KafkaAdmin(bootstrapServers: brokers, additionalProperties: clientProperties, logger: logger)
        try await admin.waitUntilReachable(timeout: .seconds(15))
        try await catalog.createTopics(using: admin, replicationFactor: singleBroker ? 1 : nil)
    }
}
