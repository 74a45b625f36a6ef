import WireProtocol

/// The parameters of ``CoverageSelector``.
public struct CoverageParameters: Codable, Sendable, Hashable {
    /// Weight of the fairness term: a client's score loses `fairnessWeight` × the share of the
    /// observed rounds it took part in (0 ignores fairness; 1 lets a client chosen every round
    /// lose as much as the most a client can add to coverage).
    public var fairnessWeight: Double = 0.25
    /// Scale of every label's quota: 1 asks for an equal share per label of the samples K
    /// average candidates hold; more asks for more of each label before it counts as covered.
    public var quotaScale: Double = 1

    public init(fairnessWeight: Double = 0.25, quotaScale: Double = 1) {
        self.fairnessWeight = fairnessWeight
        self.quotaScale = quotaScale
    }

    public static let help: [(name: String, help: String)] = [
        ("fairnessWeight", "score a client loses per unit of its participation rate (share of the observed rounds it took part in)"),
        ("quotaScale", "scale of the per-label sample quota that counts as covered (1: an equal share per label of what K average candidates hold)"),
    ]

    public func validate() throws(StrategyError) {
        guard fairnessWeight >= 0, fairnessWeight.isFinite else {
            throw .invalidConfiguration("coverage parameter fairnessWeight is \(fairnessWeight); it must be ≥ 0")
        }
        guard quotaScale > 0, quotaScale.isFinite else {
            throw .invalidConfiguration("coverage parameter quotaScale is \(quotaScale); it must be > 0")
        }
    }
}

/// Label coverage with fairness: builds the round's selection greedily, each time taking the
/// candidate that most increases how much of the label distribution the selection covers, less a
/// penalty for how often the candidate took part before.
///
/// Coverage of a set S is the mean over the labels any candidate holds of
/// min(1, samples of the label in S / quota), from the bids' label histograms. The quota is
/// balanced: an equal share per label of the samples K average candidates hold
/// (`quotaScale` × Σ samples × K / N / labels), capped by what the candidates hold of that
/// label. The objective has diminishing returns, so greedy keeps the usual (1 − 1/e) guarantee
/// before the fairness term. A client's score is its coverage gain minus `fairnessWeight` × its
/// participation rate (participations / rounds observed). Ties: fewer participations, then more
/// samples, then the lower id. No randomness.
public struct CoverageSelector: ClientSelector {
    public struct State: Codable, Sendable, Equatable {
        /// Rounds each client was assigned in (any outcome).
        public var participations: [Int: Int]
        /// Rounds of feedback observed.
        public var rounds: Int
    }

    public let parameters: CoverageParameters

    public init(parameters: CoverageParameters = CoverageParameters()) throws(StrategyError) {
        try parameters.validate()
        self.parameters = parameters
    }

    public var descriptor: StrategyDescriptor {
        StrategyDescriptor(
            name: "coverage", version: 1,
            parameters: ["fairnessWeight": .number(parameters.fairnessWeight), "quotaScale": .number(parameters.quotaScale)])
    }

    public func initialState() -> State { State(participations: [:], rounds: 0) }

    public func select(_ context: PlanningContext, k: Int, state: State) async throws -> (Selection, State) {
        let candidates = context.candidates
        let k = max(0, min(k, candidates.count))
        let labels = candidates.map(\.labelHistogram.count).max() ?? 0
        func held(_ c: Candidate, _ label: Int) -> Double {
            label < c.labelHistogram.count ? Double(max(c.labelHistogram[label], 0)) : 0
        }
        let totals = (0..<labels).map { label in candidates.reduce(0.0) { $0 + held($1, label) } }
        let present = totals.indices.filter { totals[$0] > 0 }
        let share = candidates.isEmpty || present.isEmpty
            ? 0 : parameters.quotaScale * totals.reduce(0, +) * Double(k) / Double(candidates.count) / Double(present.count)
        var quota = [Double](repeating: 0, count: labels)
        for label in present { quota[label] = max(min(totals[label], share), .leastNonzeroMagnitude) }

        var covered = [Double](repeating: 0, count: labels)
        func coverage(_ counts: [Double]) -> Double {
            present.isEmpty ? 0 : present.reduce(0.0) { $0 + min(1, counts[$1] / quota[$1]) } / Double(present.count)
        }
        func rate(_ id: Int) -> Double {
            Double(state.participations[id] ?? 0) / Double(max(state.rounds, 1))
        }

        var remaining = candidates
        var chosen: [Int] = []
        while chosen.count < k, !remaining.isEmpty {
            let base = coverage(covered)
            var best: (index: Int, score: Double)?
            for (index, c) in remaining.enumerated() {
                var counts = covered
                for label in present { counts[label] += held(c, label) }
                let score = coverage(counts) - base - parameters.fairnessWeight * rate(c.clientID)
                guard let current = best else {
                    best = (index, score)
                    continue
                }
                if Self.precedes(c, score, remaining[current.index], current.score, state: state) { best = (index, score) }
            }
            let pick = remaining.remove(at: best!.index)
            for label in present { covered[label] += held(pick, label) }
            chosen.append(pick.clientID)
        }

        let full = present.filter { covered[$0] >= quota[$0] }.count
        let touched = present.filter { covered[$0] > 0 }.count
        let rationale = "coverage: greedy label cover, \(chosen.count) clients hold \(touched) of \(present.count) labels, "
            + "\(full) at quota (coverage \(OortSelector.format(coverage(covered)))); fairness weight \(OortSelector.format(parameters.fairnessWeight))"
        return (Selection(clients: chosen, rationale: rationale), state)
    }

    /// Higher score first; then fewer participations, more samples, lower id.
    static func precedes(_ a: Candidate, _ scoreA: Double, _ b: Candidate, _ scoreB: Double, state: State) -> Bool {
        if scoreA != scoreB { return scoreA > scoreB }
        let pa = state.participations[a.clientID] ?? 0
        let pb = state.participations[b.clientID] ?? 0
        if pa != pb { return pa < pb }
        if a.sampleCount != b.sampleCount { return a.sampleCount > b.sampleCount }
        return a.clientID < b.clientID
    }

    public func observe(_ feedback: RoundFeedback, state: State) -> State {
        var state = state
        for outcome in feedback.outcomes { state.participations[outcome.clientID, default: 0] += 1 }
        state.rounds += 1
        return state
    }
}
