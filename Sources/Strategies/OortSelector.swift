import Foundation
import Learning
import WireProtocol

/// Oort's training selector (Lai et al., OSDI 2021), as FedScale implements it
/// (`thirdparty/oort/oort.py`, `_training_selector.getTopK`), with its state made explicit.
///
/// Each round, a client that took part before (an *explored* client) scores
/// `u + sqrt(c · ln t / t_last)`: its statistical utility `u` (|B| · sqrt(Σ loss² / |B|) of its
/// last epoch, clipped at the `clipBound` quantile of the known utilities and normalised to
/// [0, 1]) plus a bonus for staleness, where t is the round and t_last the round it last took
/// part in. A client slower than the preferred duration T (the `roundThreshold` percentile of
/// the candidates' durations) has its score multiplied by (T / duration)^α. Of the K slots, a
/// share ε (0.9 at first, ×0.98 a round, never below 0.2) explores clients never seen, sampled in
/// proportion to their size (also straggler-penalised) among the largest `sampleWindow` × slots;
/// the rest exploit: sampled in proportion to score among the clients above the cut-off. Every
/// `pacerStep` rounds the pacer compares the utility exploitation brought in the last window with
/// the window before: flat, it relaxes T (threshold + delta) so slower, useful clients get in;
/// changing sharply, it tightens T again.
///
/// Where this differs from FedScale, on purpose:
/// - A negative normalised utility counts as 0. FedScale takes `abs(score)`, which gives a client
///   whose utility fell to 0 (here: its update was excluded or never arrived) a high score.
/// - When exploration finds too few unseen clients, the remaining slots are further exploitation
///   draws, so the answer always has K clients (FedScale returns fewer, Oort's repo fills them
///   uniformly at random). Blacklisted clients fill what is still left, best score first.
/// - T is a percentile of the round's candidates' durations (FedScale: of every registered client;
///   here only candidates have a current declaration).
/// - The random draws come from ``SplitMix64`` seeded by (run seed, round, selection).
public struct OortSelector: ClientSelector {
    /// What Oort knows of a client that took part (FedScale's `totalArms` entry).
    public struct Arm: Codable, Sendable, Equatable {
        /// Statistical utility of its last participation; 0 when its update was excluded or did
        /// not arrive (FedScale `reward`).
        public var utility: Double
        /// The round it last took part in (FedScale `time_stamp`).
        public var lastRound: Int
        /// How many rounds it took part in (FedScale `count`).
        public var participations: Int
        /// Training seconds its guardian measured last, when any did.
        public var measuredSeconds: Double?

        public init(utility: Double, lastRound: Int, participations: Int, measuredSeconds: Double? = nil) {
            self.utility = utility
            self.lastRound = lastRound
            self.participations = participations
            self.measuredSeconds = measuredSeconds
        }
    }

    public struct State: Codable, Sendable, Equatable {
        /// Every client that took part at least once; a candidate missing here is unexplored.
        public var arms: [Int: Arm]
        /// The exploration share ε of the last selection (before the first: `explorationFactor`).
        public var exploration: Double
        /// The pacer's current percentile for the preferred duration T.
        public var roundThreshold: Double
        /// Mean utility of each past selection's exploited clients whose updates merged, oldest
        /// first; only the last 2 × `pacerStep` are kept (FedScale `exploitUtilHistory`).
        public var exploitUtilityHistory: [Double]
        /// The last selection's exploited clients, ascending.
        public var lastExploited: [Int]
        /// Clients whose updates merged since the last selection, ascending (FedScale `successfulClients`).
        public var mergedSinceSelection: [Int]
    }

    public let parameters: OortParameters

    /// - Throws: ``StrategyError/invalidConfiguration(_:)`` when a parameter is out of range.
    public init(parameters: OortParameters = OortParameters()) throws(StrategyError) {
        try parameters.validate()
        self.parameters = parameters
    }

    public var descriptor: StrategyDescriptor {
        StrategyDescriptor(name: "oort", version: 1, parameters: parameters.descriptorParameters)
    }

    public func initialState() -> State {
        State(
            arms: [:], exploration: parameters.explorationFactor, roundThreshold: parameters.roundThreshold,
            exploitUtilityHistory: [], lastExploited: [], mergedSinceSelection: [])
    }

    public func select(_ context: PlanningContext, k: Int, state: State) async throws -> (Selection, State) {
        let p = parameters
        let t = context.round
        let k = max(0, min(k, context.candidates.count))
        var state = state

        let blacklist = blacklist(state, known: Set(state.arms.keys).union(context.candidateIDs).count)
        let pacerMove = runPacer(&state, round: t)
        let explored = context.candidates.filter { state.arms[$0.clientID] != nil }
        let unexplored = context.candidates.filter { state.arms[$0.clientID] == nil }
        let scorer = Scorer(context: context, state: state, blacklist: blacklist, selector: self)
        let scored = explored.filter { !blacklist.contains($0.clientID) }
            .map { (id: $0.clientID, weight: scorer.score($0.clientID)) }
            .sorted(by: Scorer.byWeight)

        state.exploration = max(state.exploration * p.explorationDecay, p.explorationMin)
        let explorationSlots = Int(Double(k) * state.exploration)
        let exploitSlots = min(k - explorationSlots, scored.count)

        var generator = SeedDerivation.generator(run: context.runSeed, round: t, client: -1, purpose: .selection)

        // Exploitation: in proportion to score, among the clients above the cut-off.
        var exploited: [Int] = []
        var poolSize = 0
        if exploitSlots > 0 {
            let cutOff = scored[min(exploitSlots, scored.count - 1)].weight * p.cutOffUtil
            var pool: [(id: Int, weight: Double)] = []
            for client in scored {
                if client.weight < cutOff, Double(pool.count) > p.exploitPoolFactor * Double(exploitSlots) { break }
                pool.append(client)
            }
            poolSize = pool.count
            exploited = WeightedDraw.draw(exploitSlots, from: pool, using: &generator)
        }

        // Exploration: unseen clients in proportion to size, among the largest sampleWindow × slots.
        var exploredNow: [Int] = []
        if !unexplored.isEmpty {
            let slots = min(unexplored.count, k - exploited.count)
            let window = unexplored.map { (id: $0.clientID, weight: Double($0.sampleCount) * scorer.penalty($0.clientID)) }
                .sorted(by: Scorer.byWeight)
                .prefix(min(Int(p.sampleWindow * Double(slots)), unexplored.count))
            exploredNow = WeightedDraw.draw(slots, from: Array(window), using: &generator)
        }

        // Any slots left: more exploitation, then the blacklisted by score.
        var chosen = exploited + exploredNow
        var filled: [Int] = []
        if chosen.count < k {
            let taken = Set(chosen)
            filled = WeightedDraw.draw(k - chosen.count, from: scored.filter { !taken.contains($0.id) }, using: &generator)
            chosen += filled
        }
        var fromBlacklist: [Int] = []
        if chosen.count < k {
            let taken = Set(chosen)
            fromBlacklist = explored.filter { blacklist.contains($0.clientID) && !taken.contains($0.clientID) }
                .map { (id: $0.clientID, weight: scorer.score($0.clientID)) }
                .sorted(by: Scorer.byWeight)
                .prefix(k - chosen.count)
                .map(\.id)
            chosen += fromBlacklist
        }

        state.lastExploited = (exploited + filled + fromBlacklist).sorted()
        state.mergedSinceSelection = []

        var rationale = "oort round \(t): ε \(Self.format(state.exploration)) gives \(explorationSlots) of \(k) slots to exploration; "
        rationale += "exploited \(exploited.count) of \(scored.count) scored (pool \(poolSize)), explored \(exploredNow.count) of \(unexplored.count) unseen"
        if !filled.isEmpty { rationale += ", \(filled.count) more exploited for want of unseen clients" }
        if !fromBlacklist.isEmpty { rationale += ", \(fromBlacklist.count) from the blacklist for want of others" }
        rationale += "; T \(scorer.preferred.isFinite ? "\(Self.format(scorer.preferred)) s" : "off") (p\(Self.format(state.roundThreshold))"
        rationale += pacerMove.map { ", pacer \($0)" } ?? ""
        rationale += "), utility clip \(Self.format(scorer.clip))"
        if !blacklist.isEmpty { rationale += ", \(blacklist.count) blacklisted" }
        return (Selection(clients: chosen, rationale: rationale), state)
    }

    public func observe(_ feedback: RoundFeedback, state: State) -> State {
        var state = state
        var merged = Set(state.mergedSinceSelection)
        for outcome in feedback.outcomes {
            var arm = state.arms[outcome.clientID] ?? Arm(utility: 0, lastRound: feedback.round, participations: 0)
            switch outcome.status {
            case .merged, .late:
                // A late update's data was as useful; its slowness is the straggler penalty's business.
                let utility = outcome.statisticalUtility
                arm.utility = utility.isFinite ? max(utility, 0) : 0
                if outcome.status == .merged { merged.insert(outcome.clientID) }
            case .excluded, .missing:
                arm.utility = 0
            }
            arm.lastRound = feedback.round
            arm.participations += 1
            // Measured times differ from run to run: kept only when they are used, so that with
            // declared durations the state (and its digest) is the same in run and simulate.
            if parameters.durationSource == .measured, let seconds = outcome.trainingSeconds, seconds.isFinite, seconds >= 0 {
                arm.measuredSeconds = seconds
            }
            state.arms[outcome.clientID] = arm
        }
        state.mergedSinceSelection = merged.sorted()
        return state
    }

    /// A round's scores: FedScale's normalisation (`get_norm`), staleness bonus and straggler
    /// penalty, from the state and the candidates at the start of the selection.
    struct Scorer {
        let state: State
        let parameters: OortParameters
        let round: Int
        let durations: [Int: Double]
        /// The preferred duration T.
        let preferred: Double
        /// Utilities are capped at `clip`, then mapped to [0, 1] by (u − floor) / range.
        let clip: Double
        let floor: Double
        let range: Double

        init(context: PlanningContext, state: State, blacklist: Set<Int>, selector: OortSelector) {
            self.state = state
            parameters = selector.parameters
            round = context.round
            durations = Dictionary(
                context.candidates.map { ($0.clientID, selector.duration(of: $0, localEpochs: context.localEpochs, state: state)) },
                uniquingKeysWith: { first, _ in first })
            preferred = selector.preferredDuration(durations.values.sorted(), threshold: state.roundThreshold)
            // The utilities above zero of the candidates not blacklisted, unexplored ones counting by size.
            let utilities = context.candidates.filter { !blacklist.contains($0.clientID) }
                .map { state.arms[$0.clientID]?.utility ?? Double($0.sampleCount) }
                .filter { $0 > 0 }
                .sorted()
            clip = utilities.isEmpty ? 0 : utilities[min(Int(Double(utilities.count) * parameters.clipBound), utilities.count - 1)]
            floor = (utilities.first ?? 0) * 0.999
            range = max((utilities.last ?? 0) - floor, 1e-4)
        }

        /// (T / duration)^α for a client slower than T, else 1.
        func penalty(_ id: Int) -> Double {
            let d = durations[id] ?? .infinity
            guard d > preferred else { return 1 }
            return pow(preferred / max(1e-4, d), parameters.roundPenalty)
        }

        /// An explored client's score: normalised utility (never below 0) plus the staleness
        /// bonus sqrt(c · ln t / t_last), times the straggler penalty. 0 for an unexplored one.
        func score(_ id: Int) -> Double {
            guard let arm = state.arms[id] else { return 0 }
            let utility = max(0, (min(arm.utility, clip) - floor) / range)
            let staleness = (parameters.stalenessWeight * log(Double(max(round, 1))) / Double(max(arm.lastRound, 1))).squareRoot()
            return (utility + staleness) * penalty(id)
        }

        /// Higher weight first, then the lower id.
        static func byWeight(_ a: (id: Int, weight: Double), _ b: (id: Int, weight: Double)) -> Bool {
            a.weight != b.weight ? a.weight > b.weight : a.id < b.id
        }
    }

    /// The client's duration for the straggler penalty, per `durationSource`.
    func duration(of candidate: Candidate, localEpochs: Int, state: State) -> Double {
        if parameters.durationSource == .measured, let measured = state.arms[candidate.clientID]?.measuredSeconds {
            return measured
        }
        return candidate.declaredSeconds(localEpochs: localEpochs)
    }

    /// The preferred duration T: the `threshold` percentile of the sorted durations (FedScale
    /// `round_prefer_duration`); infinite, so no penalty, at 100 or more or without durations.
    func preferredDuration(_ sorted: [Double], threshold: Double) -> Double {
        guard threshold < 100, !sorted.isEmpty else { return .infinity }
        return sorted[min(Int(Double(sorted.count) * threshold / 100), sorted.count - 1)]
    }

    /// Clients that took part more than `blacklistRounds` times, most participations first (ties
    /// by id), at most `blacklistMaxFraction` of the known clients (FedScale `get_blacklist`).
    func blacklist(_ state: State, known: Int) -> Set<Int> {
        guard let limit = parameters.blacklistRounds else { return [] }
        let over = state.arms.filter { $0.value.participations > limit }
            .sorted { $0.value.participations != $1.value.participations ? $0.value.participations > $1.value.participations : $0.key < $1.key }
        return Set(over.prefix(Int(parameters.blacklistMaxFraction * Double(known))).map(\.key))
    }

    /// FedScale's pacer, run at every selection: records the utility the last selection's
    /// exploitation brought, and every `pacerStep` rounds (from round 2 × `pacerStep`) compares
    /// the last window with the one before. Returns how it moved the threshold, if it did.
    func runPacer(_ state: inout State, round: Int) -> String? {
        let p = parameters
        let merged = Set(state.mergedSinceSelection)
        var count = 1e-4
        var sum = 0.0
        for id in state.lastExploited where merged.contains(id) {
            count += 1
            sum += state.arms[id]?.utility ?? 0
        }
        state.exploitUtilityHistory.append(sum / count)
        if state.exploitUtilityHistory.count > 2 * p.pacerStep {
            state.exploitUtilityHistory.removeFirst(state.exploitUtilityHistory.count - 2 * p.pacerStep)
        }
        guard round >= 2 * p.pacerStep, round % p.pacerStep == 0, state.exploitUtilityHistory.count == 2 * p.pacerStep else {
            return nil
        }
        let previous = state.exploitUtilityHistory.prefix(p.pacerStep).reduce(0, +)
        let current = state.exploitUtilityHistory.suffix(p.pacerStep).reduce(0, +)
        let change = abs(current - previous)
        let before = state.roundThreshold
        if change <= previous * p.pacerFlatTolerance {
            state.roundThreshold = min(100, state.roundThreshold + p.pacerDelta)
        } else if change >= previous * p.pacerSharpChange {
            state.roundThreshold = max(p.pacerDelta, state.roundThreshold - p.pacerDelta)
        }
        guard state.roundThreshold != before else { return nil }
        let how = state.roundThreshold > before ? "relaxed" : "tightened"
        return "\(how) from p\(Self.format(before)): window utility \(Self.format(previous)) → \(Self.format(current))"
    }

    static func format(_ value: Double) -> String {
        String(format: "%.3g", value)
    }
}
