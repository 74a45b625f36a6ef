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
