/// Differential privacy that cannot be granted or stated.
public enum PrivacyError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidMechanism(String)
    case invalidBudget(String)
    /// Spending `round` would take ε from `before` to `after`, past `budget`.
    case budgetExceeded(round: Int, before: Double, after: Double, budget: Double)
    /// The ledger file cannot be read or written.
    case ledgerFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidMechanism(let reason): "invalid DP mechanism: \(reason)"
        case .invalidBudget(let reason): "invalid privacy budget: \(reason)"
        case .budgetExceeded(let round, let before, let after, let budget):
            "privacy budget: round \(round) would take ε from \(before) to \(after), past the budget of \(budget)"
        case .ledgerFile(let path, let reason): "privacy ledger \(path): \(reason)"
        }
    }
}
