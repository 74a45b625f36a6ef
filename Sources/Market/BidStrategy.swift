/// How a client turns its true cost into an ask, and how it changes its mind between rounds.
///
/// A strategy is its own state: a Codable value the guardian keeps from round to round,
/// replacing it with ``observing(_:)``'s result after each round. Implementations are pure
/// functions of the value and their arguments — the same state and feedback always give the
/// same next state — so a replay can re-derive every ask from the recorded feedback.
public protocol BidStrategy: Sendable, Hashable, Codable {
    /// The ask for a round whose true cost to the client is `cost` (≥ 0).
    func ask(cost: Double) -> Double

    /// The state after a round's `feedback`.
    func observing(_ feedback: BidFeedback) -> Self

    /// Whether to take a take-it-or-leave-it `offer` for work costing `cost`.
    ///
    /// The default accepts iff `cost ≤ offer.price`: against a posted price, accepting exactly
    /// the offers that cover one's cost is the dominant rule, whatever one asked in the auction.
    func accepts(_ offer: MarketOffer, cost: Double) -> Bool
}

extension BidStrategy {
    public func accepts(_ offer: MarketOffer, cost: Double) -> Bool {
        cost <= offer.price
    }

    /// The answer to send back for `offer`, echoing its round, client and price.
    public func answer(to offer: MarketOffer, cost: Double) -> MarketAnswer {
        MarketAnswer(offer: offer, accepted: accepts(offer, cost: cost))
    }
}
