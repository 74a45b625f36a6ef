import Foundation

/// One topic as declared in `topics/<name>.json`.
public struct TopicDefinition: Sendable, Hashable {
    public enum CleanupPolicy: String, Sendable, Hashable, CaseIterable {
        case delete, compact
    }

    /// What a record's Kafka key holds; records with one key stay in order on one partition.
    public enum RecordKey: String, Sendable, Hashable, CaseIterable {
        case clientID = "client-id"
        case round = "round"
        case modelVersion = "model-version"
        case sender = "sender"
    }

    public var name: String
    public var partitions: Int32
    /// For real clusters; a single embedded broker is created with a replication factor of 1.
    public var replicationFactor: Int16
    /// -1 keeps records forever.
    public var retentionMs: Int64
    public var cleanupPolicy: CleanupPolicy
    public var key: RecordKey
    public var messageType: MessageType
    public var schemaVersion: Int
    public var description: String
    /// The file it was read from, if any.
    public var file: URL?

    public init(
        name: String, partitions: Int32, replicationFactor: Int16, retentionMs: Int64,
        cleanupPolicy: CleanupPolicy, key: RecordKey, messageType: MessageType, schemaVersion: Int,
        description: String, file: URL? = nil
    ) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.retentionMs = retentionMs
        self.cleanupPolicy = cleanupPolicy
        self.key = key
        self.messageType = messageType
        self.schemaVersion = schemaVersion
        self.description = description
        self.file = file
    }

    /// Kafka topic configuration entries for creation.
    public var kafkaConfig: [String: String] {
        ["retention.ms": String(retentionMs), "cleanup.policy": cleanupPolicy.rawValue]
    }
}
