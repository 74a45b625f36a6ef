/// Everything a strategy may read when it plans a round, besides its own state. A replay rebuilds
/// it from the log: the round's call, the bids the decision record names, the metrics before it.
public struct PlanningContext: Sendable, Hashable {
    public var round: Int
    public var totalRounds: Int
    public var runSeed: UInt64
    /// Clients that bid to take part, in client-id order.
    public var candidates: [Candidate]
    /// How many clients the run has in all (some may not have bid).
    public var totalClients: Int
    /// The bounds every K must respect (`--k-min`, `--k-max`), and the configured K.
    public var kBounds: ClosedRange<Int>
    public var configuredK: Int
    /// The round's budget for payments.
    public var budget: Double
    public var localEpochs: Int
    /// Test accuracy after each completed round, oldest first.
    public var accuracyHistory: [Double]

    public init(
        round: Int, totalRounds: Int, runSeed: UInt64, candidates: [Candidate], totalClients: Int,
        kBounds: ClosedRange<Int>, configuredK: Int, budget: Double, localEpochs: Int, accuracyHistory: [Double]
    ) {
        self.round = round
        self.totalRounds = totalRounds
        self.runSeed = runSeed
        self.candidates = candidates.sorted { $0.clientID < $1.clientID }
        self.totalClients = totalClients
        self.kBounds = kBounds
        self.configuredK = configuredK
        self.budget = budget
        self.localEpochs = localEpochs
        self.accuracyHistory = accuracyHistory
    }

    public var candidateIDs: [Int] { candidates.map(\.clientID) }

    public func candidate(_ id: Int) -> Candidate? {
        candidates.first { $0.clientID == id }
    }
}
