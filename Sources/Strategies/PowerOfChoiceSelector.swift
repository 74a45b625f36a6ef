import Learning
import WireProtocol

/// The parameters of ``PowerOfChoiceSelector``.
public struct PowerOfChoiceParameters: Codable, Sendable, Hashable {
    /// Size d of the candidate set drawn before the K highest-loss are kept. Nil: 2·K, the
    /// smallest d ≠ K of the paper's experiments (Cho et al. 2020 use d ∈ {2K, 3K, …} up to N).
    /// Any d is taken within K…(number of candidates): d = K is random selection weighted by
    /// size, d = N is "the K highest losses".
    public var d: Int?

    public init(d: Int? = nil) {
        self.d = d
    }

    public static let help: [(name: String, help: String)] = [
        ("d", "candidates drawn in proportion to data size before the K with the highest last loss are kept; unset: 2K"),
    ]

    public func validate() throws(StrategyError) {
        if let d, d < 1 { throw .invalidConfiguration("poc parameter d is \(d); it must be ≥ 1 or unset (2K)") }
    }

    /// The candidate-set size for a round with K slots and `candidates` candidates.
    public func candidateSetSize(k: Int, candidates: Int) -> Int {
        min(max(d ?? 2 * k, k), candidates)
    }
}

/// Power-of-Choice selection (Cho, Wang and Joshi, "Client Selection in Federated Learning:
/// Convergence Analysis and Power-of-Choice Selection Strategies", 2020), in its
/// communication-free form: the server draws d candidates without replacement with probability
/// proportional to their data size (seeded), then keeps the K whose last known local loss is
/// highest. The loss is stale: the mean training loss the client reported the last round it took
/// part in, when its update was merged or arrived late. A client whose last update was excluded
/// (its figures are not trusted: a poisoned update could claim a high loss to be chosen again) or
/// never arrived has no usable loss and ranks after every client with one. Clients never assigned
/// rank first, as their loss is unknown and may be high; ties go to the lower client id.
public struct PowerOfChoiceSelector: ClientSelector {
    /// What the last round a client took part in told of its loss.
    public struct Report: Codable, Sendable, Equatable {
        /// Its mean training loss; nil when its update was excluded or did not arrive.
        public var loss: Double?
        public var round: Int

        public init(loss: Double?, round: Int) {
            self.loss = loss
            self.round = round
        }
    }

    public struct State: Codable, Sendable, Equatable {
        public var lastLoss: [Int: Report]
    }

    public let parameters: PowerOfChoiceParameters

    public init(parameters: PowerOfChoiceParameters = PowerOfChoiceParameters()) throws(StrategyError) {
        try parameters.validate()
        self.parameters = parameters
    }

    public var descriptor: StrategyDescriptor {
        StrategyDescriptor(name: "poc", version: 1, parameters: ["d": parameters.d.map { .exact($0) } ?? .null])
    }

    public func initialState() -> State { State(lastLoss: [:]) }

    public func select(_ context: PlanningContext, k: Int, state: State) async throws -> (Selection, State) {
        let k = max(0, min(k, context.candidates.count))
        let drawn = candidateSet(context, k: k)
        let d = drawn.count
        // Never assigned first (as +∞), then the highest loss, then no usable loss (as −∞); ties by id.
        func rank(_ id: Int) -> Double {
            guard let report = state.lastLoss[id] else { return .infinity }
            return report.loss ?? -.infinity
        }
        let ranked = drawn.sorted { a, b in rank(a) != rank(b) ? rank(a) > rank(b) : a < b }
        let chosen = Array(ranked.prefix(k))
        let unseen = chosen.filter { state.lastLoss[$0] == nil }.count
        var rationale = "power-of-choice: drew d = \(d) of \(context.candidates.count) candidates by data size, kept the \(chosen.count) with the highest last loss"
        if unseen > 0 { rationale += " (\(unseen) never reported, ranked first)" }
        let withoutLoss = chosen.filter { state.lastLoss[$0] != nil && state.lastLoss[$0]?.loss == nil }.count
        if withoutLoss > 0 { rationale += " (\(withoutLoss) without a usable loss, ranked last)" }
        if let cut = chosen.last.flatMap({ state.lastLoss[$0]?.loss }) { rationale += "; lowest kept loss \(OortSelector.format(cut))" }
        return (Selection(clients: chosen, rationale: rationale), state)
    }

    /// The d candidates drawn without replacement in proportion to data size, in draw order.
    func candidateSet(_ context: PlanningContext, k: Int) -> [Int] {
        let d = parameters.candidateSetSize(k: k, candidates: context.candidates.count)
        var generator = SeedDerivation.generator(run: context.runSeed, round: context.round, client: -1, purpose: .selection)
        return WeightedDraw.draw(d, from: context.candidates.map { (id: $0.clientID, weight: Double($0.sampleCount)) }, using: &generator)
    }

    public func observe(_ feedback: RoundFeedback, state: State) -> State {
        var state = state
        for outcome in feedback.outcomes {
            var loss: Double?
            if outcome.status == .merged || outcome.status == .late {
                loss = outcome.meanLoss
                    ?? (outcome.lastEpochExamples > 0 ? outcome.lastEpochLossSum / Double(outcome.lastEpochExamples) : nil)
            }
            state.lastLoss[outcome.clientID] = Report(loss: loss.flatMap { $0.isFinite ? $0 : nil }, round: feedback.round)
        }
        return state
    }
}
