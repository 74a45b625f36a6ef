import WireProtocol

extension MarketBid {
    /// The market's view of a wire bid, or nil when the guardian declined the round.
    public init?(_ bid: Bid) {
        guard bid.decision.isParticipating else { return nil }
        self.init(clientID: bid.clientID, askPrice: bid.askPrice)
    }
}

extension ClearingResult {
    /// The payments as the assignment message carries them, ascending by client id.
    public var clientPayments: [ClientPayment] {
        payments.keys.sorted().map { ClientPayment(clientID: $0, amount: payments[$0] ?? 0) }
    }
}

extension PlaceOffer {
    /// The wire message of `offer`, naming the mechanism that made it.
    public init(_ offer: MarketOffer, mechanism: String) {
        self.init(round: offer.round, clientID: offer.clientID, price: offer.price, mechanism: mechanism)
    }
}

extension MarketOffer {
    /// The market's view of a wire offer.
    public init(_ offer: PlaceOffer) {
        self.init(round: offer.round, clientID: offer.clientID, price: offer.price)
    }
}

extension MarketAnswer {
    /// The market's view of a wire answer.
    public init(_ answer: OfferAnswer) {
        self.init(round: answer.round, clientID: answer.clientID, price: answer.price, accepted: answer.accepted)
    }
}

extension OfferAnswer {
    /// The wire message of `answer`.
    public init(_ answer: MarketAnswer) {
        self.init(round: answer.round, clientID: answer.clientID, price: answer.price, accepted: answer.accepted)
    }
}
