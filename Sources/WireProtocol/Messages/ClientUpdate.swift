/// A client's locally trained parameters for a round, sent by its guardian to the aggregator.
public struct ClientUpdate: ProtocolMessage, Hashable {
    public static let messageType = MessageType.clientUpdate
    public static let schemaVersion = 1

    public var round: Int
    public var clientID: Int
    /// The global model version the client trained from.
    public var baseModelVersion: Int
    /// Aggregation weight (FedAvg weights by sample count).
    public var sampleCount: Int
    public var trainLoss: Double
    public var trainSeconds: Double
    public var parameters: Tensor
    /// Lowercase hex SHA-256 of the parameters' little-endian float32 bytes.
    public var digest: String

    /// An update whose digest is computed from `parameters`.
    public init(
        round: Int, clientID: Int, baseModelVersion: Int, sampleCount: Int,
        trainLoss: Double, trainSeconds: Double, parameters: Tensor
    ) {
        self.init(round: round, clientID: clientID, baseModelVersion: baseModelVersion, sampleCount: sampleCount,
                  trainLoss: trainLoss, trainSeconds: trainSeconds, parameters: parameters,
                  digest: parameters.sha256Hex)
    }

    public init(
        round: Int, clientID: Int, baseModelVersion: Int, sampleCount: Int,
        trainLoss: Double, trainSeconds: Double, parameters: Tensor, digest: String
    ) {
        self.round = round
        self.clientID = clientID
        self.baseModelVersion = baseModelVersion
        self.sampleCount = sampleCount
        self.trainLoss = trainLoss
        self.trainSeconds = trainSeconds
        self.parameters = parameters
        self.digest = digest
    }

    /// Whether `digest` matches the parameters.
    public var digestMatches: Bool { parameters.sha256Hex == digest }

    public var recordKey: String? { String(clientID) }
}
