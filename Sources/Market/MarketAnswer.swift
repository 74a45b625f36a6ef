/// A client's answer to a ``MarketOffer``: the offer's round, client and price, and yes or no.
public struct MarketAnswer: Sendable, Hashable, Codable {
    public var round: Int
    public var clientID: Int
    /// The price of the offer being answered; an answer naming another price matches no offer.
    public var price: Double
    public var accepted: Bool

    public init(round: Int, clientID: Int, price: Double, accepted: Bool) {
        self.round = round
        self.clientID = clientID
        self.price = price
        self.accepted = accepted
    }

    /// The answer to `offer`.
    public init(offer: MarketOffer, accepted: Bool) {
        self.init(round: offer.round, clientID: offer.clientID, price: offer.price, accepted: accepted)
    }
}
