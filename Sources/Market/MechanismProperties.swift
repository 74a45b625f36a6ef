/// The guarantees a ``MarketMechanism`` claims for every bid set, which the property tests of
/// the Market module check for whatever mechanism claims them.
///
/// For a bidder i with ask aᵢ and true cost cᵢ, utility is its payment − cᵢ if it wins, else 0.
public struct MechanismProperties: OptionSet, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: Int

    public init(rawValue: Int) { self.rawValue = rawValue }

    /// The payments add up (in ascending client order) to at most the budget.
    public static let budgetFeasible = MechanismProperties(rawValue: 1 << 0)
    /// No winner is paid below its ask; losers and rejected bidders are paid nothing.
    public static let individuallyRational = MechanismProperties(rawValue: 1 << 1)
    /// A winner that lowers its ask, all else equal, still wins.
    public static let monotone = MechanismProperties(rawValue: 1 << 2)
    /// A winner is paid exactly the supremum of the asks with which it would still win.
    public static let thresholdPayments = MechanismProperties(rawValue: 1 << 3)
    /// No misreport raises a bidder's utility over asking its true cost (dominant-strategy
    /// incentive compatibility); follows from monotone with threshold payments.
    public static let truthful = MechanismProperties(rawValue: 1 << 4)

    public static let all: MechanismProperties = [
        .budgetFeasible, .individuallyRational, .monotone, .thresholdPayments, .truthful,
    ]

    public var description: String {
        let names: [(MechanismProperties, String)] = [
            (.budgetFeasible, "budget-feasible"), (.individuallyRational, "individually rational"),
            (.monotone, "monotone"), (.thresholdPayments, "threshold payments"), (.truthful, "truthful"),
        ]
        return names.filter { contains($0.0) }.map(\.1).joined(separator: ", ")
    }
}
