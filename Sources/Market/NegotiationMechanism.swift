/// What happens after the auction has cleared: which losers are offered the places and budget
/// it left, at what price, and how their answers settle into the round's final result.
///
/// A market experiment swaps mechanisms behind this seam (``NoNegotiation``,
/// ``PostedPriceNegotiation``). The exchange is one step: ``offers(round:bids:clearing:)``
/// makes every offer at once, the clients answer, and ``settle(round:clearing:offers:answers:)``
/// folds the answers in. Offers and answers are plain values another layer signs and sends.
public protocol NegotiationMechanism: Sendable {
    /// A short name for reports and decision records.
    var name: String { get }

    /// The offers to make after `clearing` cleared `bids` in `round`. Whichever subset of them is
    /// accepted, settling them must stay within the clearing's budget and winner cap.
    func offers(round: Int, bids: [MarketBid], clearing: ClearingResult) -> [MarketOffer]

    /// The round's outcome once `answers` came back for `offers`.
    func settle(round: Int, clearing: ClearingResult, offers: [MarketOffer], answers: [MarketAnswer]) -> NegotiationOutcome
}

extension NegotiationMechanism {
    /// Settles with ``OfferSettlement``: matching answers only, each client once, never above the
    /// budget or the cap.
    public func settle(round: Int, clearing: ClearingResult, offers: [MarketOffer], answers: [MarketAnswer]) -> NegotiationOutcome {
        OfferSettlement.settle(round: round, clearing: clearing, offers: offers, answers: answers, mechanism: name)
    }
}
