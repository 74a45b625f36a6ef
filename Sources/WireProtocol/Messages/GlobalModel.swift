/// A version of the global model, published by the aggregator.
public struct GlobalModel: ProtocolMessage, Hashable {
    public static let messageType = MessageType.globalModel
    public static let schemaVersion = 1

    public var version: Int
    /// The round that produced this version; 0 for the initial model.
    public var round: Int
    /// e.g. "mlp-784-200-200-10"; receivers refuse parameters for another architecture.
    public var architecture: String
    public var parameters: Tensor
    /// Lowercase hex SHA-256 of the parameters' little-endian float32 bytes.
    public var digest: String

    /// A model whose digest is computed from `parameters`.
    public init(version: Int, round: Int, architecture: String, parameters: Tensor) {
        self.init(version: version, round: round, architecture: architecture,
                  parameters: parameters, digest: parameters.sha256Hex)
    }

    public init(version: Int, round: Int, architecture: String, parameters: Tensor, digest: String) {
        self.version = version
        self.round = round
        self.architecture = architecture
        self.parameters = parameters
        self.digest = digest
    }

    /// Whether `digest` matches the parameters.
    public var digestMatches: Bool { parameters.sha256Hex == digest }

    public var recordKey: String? { String(version) }
}

extension GlobalModel {
    public var authorship: Authorship { Authorship(sender: .exactly(SenderName.aggregator), round: round) }
}
