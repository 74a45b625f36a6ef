/// What became of one assigned client in a round, as the aggregator saw it: the feedback a
/// strategy folds into its state (Oort's statistical utility, Power-of-Choice's losses, the
/// K-Agent's straggler and dropout rates).
public struct ClientOutcome: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// Its update went into the new model.
        case merged
        /// Its update arrived and was refused (`reason` says why).
        case excluded
        /// Its update arrived after the round was merged.
        case late
        /// No update arrived.
        case missing
    }

    public var clientID: Int
    public var status: Status
    public var reason: String?
    /// Samples the update claimed (0 when none arrived).
    public var sampleCount: Int
    /// The client's mean training loss over all local epochs.
    public var meanLoss: Double?
    /// Per-example losses of the last local epoch: count, sum and sum of squares.
    public var lastEpochExamples: Int
    public var lastEpochLossSum: Double
    public var lastEpochLossSquaredSum: Double
    /// Training time the guardian measured.
    public var trainingSeconds: Double?
    /// When the update reached the aggregator, in seconds after the round's assignment did.
    public var arrivalSeconds: Double?
    /// With DP on: the client's ε spent once this round is counted, as its update stated.
    public var epsilonSpent: Double?

    public init(
        clientID: Int, status: Status, reason: String? = nil, sampleCount: Int = 0, meanLoss: Double? = nil,
        lastEpochExamples: Int = 0, lastEpochLossSum: Double = 0, lastEpochLossSquaredSum: Double = 0,
        trainingSeconds: Double? = nil, arrivalSeconds: Double? = nil, epsilonSpent: Double? = nil
    ) {
        self.clientID = clientID
        self.status = status
        self.reason = reason
        self.sampleCount = sampleCount
        self.meanLoss = meanLoss
        self.lastEpochExamples = lastEpochExamples
        self.lastEpochLossSum = lastEpochLossSum
        self.lastEpochLossSquaredSum = lastEpochLossSquaredSum
        self.trainingSeconds = trainingSeconds
        self.arrivalSeconds = arrivalSeconds
        self.epsilonSpent = epsilonSpent
    }

    /// Oort's statistical utility of the client's data: |B| · sqrt(Σ loss² / |B|) over the last epoch.
    public var statisticalUtility: Double {
        lastEpochExamples == 0 ? 0 : Double(lastEpochExamples) * (lastEpochLossSquaredSum / Double(lastEpochExamples)).squareRoot()
    }
}
