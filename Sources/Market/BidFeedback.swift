/// What a guardian learns about its bid after a round: the input of a strategy's next state.
public struct BidFeedback: Sendable, Hashable, Codable {
    /// Whether the bid won the auction.
    public enum Outcome: String, Sendable, Hashable, Codable {
        case won
        case lost
    }

    public var round: Int
    /// The auction's verdict on the bid. A loser that then accepted a posted-price offer is
    /// still `lost`: its ask did not clear, which is what a strategy adapts to.
    public var outcome: Outcome
    /// The auction's uniform price (0 when nobody won).
    public var clearingPrice: Double
    /// What the client was paid this round: the clearing price for a winner, the offer's
    /// price for a loser that accepted an offer, 0 otherwise.
    public var payment: Double

    public init(round: Int, outcome: Outcome, clearingPrice: Double, payment: Double) {
        self.round = round
        self.outcome = outcome
        self.clearingPrice = clearingPrice
        self.payment = payment
    }

    /// The feedback for `clientID` from the round's auction `clearing` and, when offers were
    /// made after it, the settled `negotiation`.
    public init(round: Int, clientID: Int, clearing: ClearingResult, negotiation: NegotiationOutcome? = nil) {
        self.init(
            round: round,
            outcome: clearing.winners.contains(clientID) ? .won : .lost,
            clearingPrice: clearing.clearingPrice,
            payment: (negotiation?.result ?? clearing).payment(to: clientID))
    }
}
