/// Why a strategy could not plan, restore or fold its state.
public enum StrategyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A selector answered something the seam refuses (a bug in a deterministic brain; an LLM's
    /// answers are caught by its guardrails before they get here).
    case invalidSelection(strategy: String, reason: String)
    /// A saved or recorded state does not decode as this strategy's state.
    case unreadableState(strategy: String, reason: String)
    /// A strategy name or parameter that does not exist or is out of range.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case let .invalidSelection(strategy, reason): "strategy \(strategy) chose an invalid selection: \(reason)"
        case let .unreadableState(strategy, reason): "the state of strategy \(strategy) cannot be read: \(reason)"
        case let .invalidConfiguration(reason): reason
        }
    }
}
