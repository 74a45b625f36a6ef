/// No negotiation: the auction's result is the round's result. The baseline to compare with.
public struct NoNegotiation: NegotiationMechanism {
    public init() {}

    public var name: String { "none" }

    public func offers(round: Int, bids: [MarketBid], clearing: ClearingResult) -> [MarketOffer] { [] }
}
