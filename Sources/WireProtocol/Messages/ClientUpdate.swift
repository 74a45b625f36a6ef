/// A client's locally trained parameters for a round, sent by its guardian to the aggregator.
public struct ClientUpdate: ProtocolMessage, Hashable {
    public static let messageType = MessageType.clientUpdate
    /// 2: per-example loss statistics of the last local epoch. 3: the privacy statement.
    /// 4: the width trained, echoing the assignment.
    public static let schemaVersion = 4

    public var round: Int
    public var clientID: Int
    /// The global model version the client trained from.
    public var baseModelVersion: Int
    /// Aggregation weight (FedAvg weights by sample count).
    public var sampleCount: Int
    public var trainLoss: Double
    public var trainSeconds: Double
    /// Per-example losses of the last local epoch (before each step): count, sum, sum of squares.
    public var lastEpochExamples: Int
    public var lastEpochLossSum: Double
    public var lastEpochLossSquaredSum: Double
    public var parameters: Tensor
    /// The model width (HeteroFL fraction of the full model) the client trained: the one its
    /// assignment gave it; the aggregator holds the parameter count to it.
    public var width: Double
    /// Lowercase hex SHA-256 of the parameters' little-endian float32 bytes.
    public var digest: String
    /// With differential privacy on: what training this update spent (mechanism, ε before and
    /// after). nil: trained without DP.
    public var privacy: PrivacyStatement?

    /// An update whose digest is computed from `parameters`.
    public init(
        round: Int, clientID: Int, baseModelVersion: Int, sampleCount: Int,
        trainLoss: Double, trainSeconds: Double, lastEpochExamples: Int = 0, lastEpochLossSum: Double = 0,
        lastEpochLossSquaredSum: Double = 0, parameters: Tensor, width: Double = 1, privacy: PrivacyStatement? = nil
    ) {
        self.init(round: round, clientID: clientID, baseModelVersion: baseModelVersion, sampleCount: sampleCount,
                  trainLoss: trainLoss, trainSeconds: trainSeconds, lastEpochExamples: lastEpochExamples,
                  lastEpochLossSum: lastEpochLossSum, lastEpochLossSquaredSum: lastEpochLossSquaredSum,
                  parameters: parameters, digest: parameters.sha256Hex, width: width, privacy: privacy)
    }

    public init(
        round: Int, clientID: Int, baseModelVersion: Int, sampleCount: Int,
        trainLoss: Double, trainSeconds: Double, lastEpochExamples: Int = 0, lastEpochLossSum: Double = 0,
        lastEpochLossSquaredSum: Double = 0, parameters: Tensor, digest: String, width: Double = 1,
        privacy: PrivacyStatement? = nil
    ) {
        self.round = round
        self.clientID = clientID
        self.baseModelVersion = baseModelVersion
        self.sampleCount = sampleCount
        self.trainLoss = trainLoss
        self.trainSeconds = trainSeconds
        self.lastEpochExamples = lastEpochExamples
        self.lastEpochLossSum = lastEpochLossSum
        self.lastEpochLossSquaredSum = lastEpochLossSquaredSum
        self.parameters = parameters
        self.digest = digest
        self.width = width
        self.privacy = privacy
    }

    /// Whether `digest` matches the parameters.
    public var digestMatches: Bool { parameters.sha256Hex == digest }

    public var recordKey: String? { String(clientID) }
}

extension ClientUpdate {
    public var authorship: Authorship { Authorship(sender: .guardian(client: clientID), round: round) }
}
