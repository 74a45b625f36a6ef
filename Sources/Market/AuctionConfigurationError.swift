/// Why an auction could not be set up.
public enum AuctionConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidBudget(Double)
    case invalidMaxWinners(Int)

    public var description: String {
        switch self {
        case .invalidBudget(let budget):
            "budget must be a finite number ≥ 0, got \(budget)"
        case .invalidMaxWinners(let k):
            "the maximum number of winners must be ≥ 0, got \(k)"
        }
    }
}
