import Foundation
import WireProtocol

/// The parameters of ``ToolKAgent``.
public struct ToolKAgentParameters: Codable, Sendable, Hashable {
    /// Rounds of test accuracy the trend (least-squares slope) is taken over.
    public var window: Int = 5
    /// A round whose accuracy gain is below this counts as no progress.
    public var plateauThreshold: Double = 0.005
    /// Rounds in a row without progress that make a plateau, which raises K by `step`.
    public var plateauRounds: Int = 3
    /// How many clients one signal moves K by.
    public var step: Int = 2
    /// A slope (accuracy per round) at or above this is steady progress, which lowers K by `step`
    /// when the budget is tight.
    public var steadySlope: Double = 0.01
    /// The budget is tight when what it buys at the median ask is below this multiple of K.
    public var tightBudgetRatio: Double = 1.25
    /// A coefficient of variation (std / mean) of the merged clients' losses above this raises K
    /// by `step` for the round: the clients disagree, so more of them are averaged.
    public var lossDispersionThreshold: Double = 0.5
    /// A share of late or missing clients above this raises K to compensate: K / (1 − share).
    public var shortfallThreshold: Double = 0.1
    /// The largest factor the compensation multiplies K by.
    public var maxCompensation: Double = 2
    /// Rounds after one move of the base K before another plateau or steady-progress move.
    public var cooldownRounds: Int = 3

    public init() {}

    /// Decodes the parameters a configuration names; the rest keep their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ToolKAgentParameters()
        window = try c.decodeIfPresent(Int.self, forKey: .window) ?? d.window
        plateauThreshold = try c.decodeIfPresent(Double.self, forKey: .plateauThreshold) ?? d.plateauThreshold
        plateauRounds = try c.decodeIfPresent(Int.self, forKey: .plateauRounds) ?? d.plateauRounds
        step = try c.decodeIfPresent(Int.self, forKey: .step) ?? d.step
        steadySlope = try c.decodeIfPresent(Double.self, forKey: .steadySlope) ?? d.steadySlope
        tightBudgetRatio = try c.decodeIfPresent(Double.self, forKey: .tightBudgetRatio) ?? d.tightBudgetRatio
        lossDispersionThreshold = try c.decodeIfPresent(Double.self, forKey: .lossDispersionThreshold) ?? d.lossDispersionThreshold
        shortfallThreshold = try c.decodeIfPresent(Double.self, forKey: .shortfallThreshold) ?? d.shortfallThreshold
        maxCompensation = try c.decodeIfPresent(Double.self, forKey: .maxCompensation) ?? d.maxCompensation
        cooldownRounds = try c.decodeIfPresent(Int.self, forKey: .cooldownRounds) ?? d.cooldownRounds
    }

    public static let help: [(name: String, help: String)] = [
        ("window", "rounds of test accuracy the trend (least-squares slope) is taken over"),
        ("plateauThreshold", "an accuracy gain below this counts as a round without progress"),
        ("plateauRounds", "rounds in a row without progress that raise K by the step"),
        ("step", "clients one signal moves K by"),
        ("steadySlope", "accuracy slope per round counted as steady progress (lowers K when the budget is tight)"),
        ("tightBudgetRatio", "the budget is tight when it buys fewer than this times K at the median ask"),
        ("lossDispersionThreshold", "coefficient of variation of client losses above which K rises by the step for the round"),
        ("shortfallThreshold", "share of late or missing clients above which K is raised to K / (1 - share)"),
        ("maxCompensation", "largest factor the late/missing compensation multiplies K by"),
        ("cooldownRounds", "rounds between two moves of the base K (plateau or steady progress)"),
    ]

    public func validate() throws(StrategyError) {
        func require(_ ok: Bool, _ name: String, _ value: Any, _ range: String) throws(StrategyError) {
            if !ok { throw .invalidConfiguration("k-tool parameter \(name) is \(value); it must be \(range)") }
        }
        try require(window >= 2, "window", window, "≥ 2")
        try require(plateauThreshold.isFinite, "plateauThreshold", plateauThreshold, "finite")
        try require(plateauRounds >= 1, "plateauRounds", plateauRounds, "≥ 1")
        try require(step >= 1, "step", step, "≥ 1")
        try require(steadySlope.isFinite, "steadySlope", steadySlope, "finite")
        try require(tightBudgetRatio >= 0 && tightBudgetRatio.isFinite, "tightBudgetRatio", tightBudgetRatio, "≥ 0")
        try require(lossDispersionThreshold >= 0 && lossDispersionThreshold.isFinite, "lossDispersionThreshold", lossDispersionThreshold, "≥ 0")
        try require((0..<1).contains(shortfallThreshold), "shortfallThreshold", shortfallThreshold, "in 0..<1")
        try require(maxCompensation >= 1 && maxCompensation.isFinite, "maxCompensation", maxCompensation, "≥ 1")
        try require(cooldownRounds >= 0, "cooldownRounds", cooldownRounds, "≥ 0")
    }

    public var descriptorParameters: [String: JSONValue] {
        [
            "window": .exact(window),
            "plateauThreshold": .number(plateauThreshold),
            "plateauRounds": .exact(plateauRounds),
            "step": .exact(step),
            "steadySlope": .number(steadySlope),
            "tightBudgetRatio": .number(tightBudgetRatio),
            "lossDispersionThreshold": .number(lossDispersionThreshold),
            "shortfallThreshold": .number(shortfallThreshold),
            "maxCompensation": .number(maxCompensation),
            "cooldownRounds": .exact(cooldownRounds),
        ]
    }
}

/// A K-Agent of rules over signals it folds from each round's feedback ("k-tool").
///
/// It keeps a base K that persists between rounds (starting at the configured K) and moves it by
/// `step` on two signals, at most once per `cooldownRounds`: a plateau (`plateauRounds` rounds in
/// a row each gaining less than `plateauThreshold` accuracy) raises it; steady progress (a slope
/// of at least `steadySlope` over the last `window` rounds) with a tight budget lowers it. The
/// round's K is then the base K raised for the round by two more: + `step` when the last round's
/// client losses disagreed (coefficient of variation above `lossDispersionThreshold`), and
/// × 1 / (1 − share) when a share of the last round's clients above `shortfallThreshold` was late
/// or missing. Last, K never exceeds what the round's budget buys at the candidates' median ask,
/// and stays in the context's bounds. The rationale names every signal that moved K.
public struct ToolKAgent: KAgent {
    public struct State: Codable, Sendable, Equatable {
        /// The persistent K the round's K is built from; nil before the first round (the configured K).
        public var baseK: Int?
        /// The last rounds' test accuracies, oldest first (at most `window`).
        public var accuracies: [Double]
        /// Rounds in a row whose accuracy gain was below `plateauThreshold`.
        public var plateauStreak: Int
        /// Rounds planned since the base K last moved.
        public var roundsSinceBaseMove: Int
        /// Coefficient of variation of the last round's merged clients' mean losses (nil: fewer than two).
        public var lossDispersion: Double?
        /// Share of the last round's assigned clients that were late or missing (nil: none assigned).
        public var shortfall: Double?
    }

    public let parameters: ToolKAgentParameters

    public init(parameters: ToolKAgentParameters = ToolKAgentParameters()) throws(StrategyError) {
        try parameters.validate()
        self.parameters = parameters
    }

    public var descriptor: StrategyDescriptor {
        StrategyDescriptor(name: "k-tool", version: 1, parameters: parameters.descriptorParameters)
    }

    public func initialState() -> State {
        State(baseK: nil, accuracies: [], plateauStreak: 0, roundsSinceBaseMove: 0, lossDispersion: nil, shortfall: nil)
    }

    public func chooseK(_ context: PlanningContext, state: State) async throws -> (KChoice, State) {
        let p = parameters
        var state = state
        state.roundsSinceBaseMove += 1
        let bounds = context.kBounds
        func clamp(_ k: Int) -> Int { min(max(k, bounds.lowerBound), bounds.upperBound) }

        let start = clamp(state.baseK ?? context.configuredK)
        var base = start
        var moves: [String] = []
        let slope = Self.slope(state.accuracies)
        let medianAsk = Self.median(context.candidates.map(\.askPrice))
        let affordable = medianAsk.flatMap { $0 > 0 ? Int(min(context.budget / $0, 1e9).rounded(.down)) : nil }
        let tight = affordable.map { Double($0) < p.tightBudgetRatio * Double(base) } ?? false
        let mayMove = state.roundsSinceBaseMove > p.cooldownRounds

        if state.plateauStreak >= p.plateauRounds, mayMove {
            base = clamp(base + p.step)
            moves.append("plateau: \(state.plateauStreak) rounds each gaining < \(Self.format(p.plateauThreshold)) accuracy, base K \(start) → \(base)")
        } else if let slope, slope >= p.steadySlope, tight, let affordable, let medianAsk, mayMove {
            base = clamp(base - p.step)
            moves.append(
                "steady progress (slope \(Self.format(slope))/round) on a tight budget (\(Self.format(context.budget)) buys \(affordable) at median ask \(Self.format(medianAsk))), base K \(start) → \(base)")
        }
        if base != start {
            state.plateauStreak = 0
            state.roundsSinceBaseMove = 0
        }
        // A round whose bounds leave no choice (round 1 taking every client) does not move the base.
        if bounds.lowerBound < bounds.upperBound { state.baseK = base }

        var k = base
        if let dispersion = state.lossDispersion, dispersion > p.lossDispersionThreshold {
            k += p.step
            moves.append("client losses disagree (CV \(Self.format(dispersion)) > \(Self.format(p.lossDispersionThreshold))), +\(p.step)")
        }
        if let shortfall = state.shortfall, shortfall > p.shortfallThreshold {
            let factor = min(1 / (1 - min(shortfall, 0.999_999)), p.maxCompensation)
            let raised = Int((Double(k) * factor).rounded(.up))
            moves.append("\(Self.percent(shortfall)) of last round's clients late or missing, ×\(Self.format(factor)) → \(raised)")
            k = raised
        }
        if let affordable, let medianAsk, k > affordable {
            moves.append("budget \(Self.format(context.budget)) buys \(affordable) at median ask \(Self.format(medianAsk)), capped from \(k)")
            k = affordable
        }
        let clamped = clamp(k)
        if clamped != k { moves.append("bounds \(bounds) move \(k) to \(clamped)") }
        k = clamped

        var rationale = "k-tool: K \(k) (base K \(base))"
        if moves.isEmpty {
            rationale += ", no signal moved it"
            rationale += slope.map { " (slope \(Self.format($0))/round)" } ?? ""
        } else {
            rationale += ": " + moves.joined(separator: "; ")
        }
        return (KChoice(k: k, rationale: rationale), state)
    }

    public func observe(_ feedback: RoundFeedback, state: State) -> State {
        let p = parameters
        var state = state
        if feedback.testAccuracy.isFinite {
            if let last = state.accuracies.last {
                state.plateauStreak = feedback.testAccuracy - last < p.plateauThreshold ? state.plateauStreak + 1 : 0
            }
            state.accuracies.append(feedback.testAccuracy)
            if state.accuracies.count > p.window { state.accuracies.removeFirst(state.accuracies.count - p.window) }
        }
        let losses = feedback.outcomes.filter { $0.status == .merged }.compactMap(\.meanLoss).filter(\.isFinite)
        state.lossDispersion = nil
        if losses.count >= 2 {
            let mean = losses.reduce(0, +) / Double(losses.count)
            let variance = losses.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(losses.count)
            if mean > 0 { state.lossDispersion = variance.squareRoot() / mean }
        }
        let assigned = feedback.outcomes.count
        let short = feedback.outcomes.filter { $0.status == .late || $0.status == .missing }.count
        state.shortfall = assigned > 0 ? Double(short) / Double(assigned) : nil
        return state
    }

    /// Least-squares slope of the values against 0, 1, 2, …; nil for fewer than two.
    static func slope(_ values: [Double]) -> Double? {
        guard values.count >= 2 else { return nil }
        let n = Double(values.count)
        let meanX = (n - 1) / 2
        let meanY = values.reduce(0, +) / n
        var numerator = 0.0
        var denominator = 0.0
        for (i, y) in values.enumerated() {
            let dx = Double(i) - meanX
            numerator += dx * (y - meanY)
            denominator += dx * dx
        }
        return numerator / denominator
    }

    static func median(_ values: [Double]) -> Double? {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return nil }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    static func format(_ value: Double) -> String { String(format: "%.3g", value) }
    static func percent(_ value: Double) -> String { String(format: "%.0f%%", value * 100) }
}
