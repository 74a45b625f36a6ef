/// The outcome of one auction: who won, what everyone is paid and why.
///
/// Everything a replay needs to confirm the decision is here, so the whole value can be
/// written to the audit log as the round's market event.
public struct ClearingResult: Sendable, Hashable, Codable {
    /// The budget the round was cleared against.
    public var budget: Double
    /// The largest number of winners the round allowed (K).
    public var maxWinners: Int
    /// Winning client ids, ascending.
    public var winners: [Int]
    /// The uniform price every winner is paid; 0 when there is no winner.
    public var clearingPrice: Double
    /// Payment per winning client (losers and rejected clients do not appear).
    public var payments: [Int: Double]
    /// Bids refused before clearing, ascending by client id.
    public var rejected: [RejectedBid]
    /// Valid bids that did not win, ascending by client id.
    public var losers: [Int]
    /// The sum of all payments; never above `budget`.
    public var budgetSpent: Double
    /// A sentence for people reading the audit log.
    public var reason: String

    public init(
        budget: Double,
        maxWinners: Int,
        winners: [Int],
        clearingPrice: Double,
        payments: [Int: Double],
        rejected: [RejectedBid],
        losers: [Int],
        budgetSpent: Double,
        reason: String
    ) {
        self.budget = budget
        self.maxWinners = maxWinners
        self.winners = winners
        self.clearingPrice = clearingPrice
        self.payments = payments
        self.rejected = rejected
        self.losers = losers
        self.budgetSpent = budgetSpent
        self.reason = reason
    }

    /// The amount paid to `clientID` in this round (0 for losers, rejected and absent clients).
    public func payment(to clientID: Int) -> Double {
        payments[clientID] ?? 0
    }
}
