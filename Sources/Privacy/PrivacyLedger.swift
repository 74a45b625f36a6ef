/// One client's privacy spending: its budget, the rounds it was charged for, and the accountant
/// over them. A round is charged before the client trains it, never after, so a crash between
/// charging and sending can only over-count, never spend unrecorded.
public struct PrivacyLedger: Sendable, Hashable, Codable {
    public let budget: PrivacyBudget
    public private(set) var accountant: RDPAccountant
    /// ε before and after one charged round.
    public struct Charge: Sendable, Hashable, Codable {
        public var before: Double
        public var after: Double
    }

    /// Every round charged.
    public private(set) var charges: [Int: Charge] = [:]

    public init(budget: PrivacyBudget, accountant: RDPAccountant = RDPAccountant()) {
        self.budget = budget
        self.accountant = accountant
    }

    /// ε spent so far (0 before any round).
    public var spent: Double {
        accountant.history.isEmpty ? 0 : accountant.epsilon(delta: budget.delta).epsilon
    }

    /// What the budget has left.
    public var remaining: Double { max(0, budget.epsilon - spent) }

    /// ε once one more round of `mechanism` is spent.
    public func epsilonAfter(_ mechanism: PrivacyMechanism) -> Double {
        accountant.epsilon(delta: budget.delta, adding: [mechanism.roundCost]).epsilon
    }

    /// A quote for `round`: ε before and after. A round already charged quotes what it cost.
    public func quote(round: Int, mechanism: PrivacyMechanism) -> (before: Double, after: Double) {
        if let charge = charges[round] { return (charge.before, charge.after) }
        return (spent, epsilonAfter(mechanism))
    }

    /// Whether one more round fits in the budget.
    public func affords(_ mechanism: PrivacyMechanism) -> Bool { epsilonAfter(mechanism) <= budget.epsilon }

    /// Charges `round` (once: charging a round again changes nothing and returns its figures),
    /// or throws ``PrivacyError/budgetExceeded(round:before:after:budget:)`` and charges nothing.
    @discardableResult
    public mutating func charge(round: Int, mechanism: PrivacyMechanism) throws(PrivacyError) -> (before: Double, after: Double) {
        if let charge = charges[round] { return (charge.before, charge.after) }
        let before = spent
        let after = epsilonAfter(mechanism)
        guard after <= budget.epsilon else {
            throw .budgetExceeded(round: round, before: before, after: after, budget: budget.epsilon)
        }
        let cost = mechanism.roundCost
        accountant.step(noiseMultiplier: cost.noiseMultiplier, sampleRate: cost.sampleRate, steps: cost.steps)
        charges[round] = Charge(before: before, after: after)
        return (before, after)
    }
}
