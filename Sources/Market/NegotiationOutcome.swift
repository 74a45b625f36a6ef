/// A round's negotiation after the auction, settled: who took an offer, and the round's final
/// result with those clients added as winners.
public struct NegotiationOutcome: Sendable, Hashable, Codable {
    public var round: Int
    /// The offers that were made, in the order they were made.
    public var offers: [MarketOffer]
    /// Clients that accepted (and are paid their offer's price), ascending.
    public var accepted: [Int]
    /// Clients that declined, ascending.
    public var declined: [Int]
    /// Clients offered a place that sent no valid answer, ascending.
    public var unanswered: [Int]
    /// Answers refused, ascending by client id.
    public var refusedAnswers: [RefusedAnswer]
    /// The auction's result with the accepted clients moved from the losers to the winners and
    /// paid their offers; `clearingPrice` stays the auction's, `budgetSpent` is the sum of all
    /// payments in ascending client order (as ``PaymentsLedger`` adds them) and ≤ the budget.
    public var result: ClearingResult

    public init(
        round: Int, offers: [MarketOffer], accepted: [Int], declined: [Int], unanswered: [Int],
        refusedAnswers: [RefusedAnswer], result: ClearingResult
    ) {
        self.round = round
        self.offers = offers
        self.accepted = accepted
        self.declined = declined
        self.unanswered = unanswered
        self.refusedAnswers = refusedAnswers
        self.result = result
    }
}
