/// A client's offer for one round, as the selection policy sees it.
public struct Candidate: Sendable, Hashable, Codable {
    public var clientID: Int
    public var askPrice: Double
    public var sampleCount: Int
    public var labelHistogram: [Int]
    public var samplesPerSecond: Double
    public var memoryMiB: Int
    public var availability: Double

    public init(
        clientID: Int, askPrice: Double, sampleCount: Int, labelHistogram: [Int],
        samplesPerSecond: Double, memoryMiB: Int, availability: Double
    ) {
        self.clientID = clientID
        self.askPrice = askPrice
        self.sampleCount = sampleCount
        self.labelHistogram = labelHistogram
        self.samplesPerSecond = samplesPerSecond
        self.memoryMiB = memoryMiB
        self.availability = availability
    }
}

/// What a selection policy knows when it decides: the round, the run's seed, the target K and the
/// clients that bid. Everything a decision reads is in here, so a replay can rebuild it from the log.
public struct SelectionContext: Sendable {
    public var round: Int
    public var runSeed: UInt64
    public var targetK: Int
    /// Participating bids, ordered by client id.
    public var candidates: [Candidate]
    /// Test accuracy after each completed round, oldest first.
    public var accuracyHistory: [Double]

    public init(round: Int, runSeed: UInt64, targetK: Int, candidates: [Candidate], accuracyHistory: [Double] = []) {
        self.round = round
        self.runSeed = runSeed
        self.targetK = targetK
        self.candidates = candidates.sorted { $0.clientID < $1.clientID }
        self.accuracyHistory = accuracyHistory
    }
}

/// A policy's answer: the chosen clients (in preference order), the reason in words, and the
/// inputs it used beyond the context (seeds, scores, model answers) for the audit log.
public struct SelectionDecision: Sendable, Hashable {
    public var selected: [Int]
    public var reason: String
    public var inputs: [String: String]

    public init(selected: [Int], reason: String, inputs: [String: String] = [:]) {
        self.selected = selected
        self.reason = reason
        self.inputs = inputs
    }
}

/// Chooses which clients take part in a round. The one seam every selection brain plugs into:
/// FedAvg's random draw today; deterministic tools (Oort, Power-of-Choice) and an LLM with
/// guardrails later. A policy must be deterministic given its context, so that a replay of the
/// audit log can re-derive the decision.
public protocol SelectionPolicy: Sendable {
    /// Stable name recorded with every decision, e.g. "random".
    var name: String { get }
    func select(_ context: SelectionContext) async throws -> SelectionDecision
}
