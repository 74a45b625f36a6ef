/// One client's offer to train in a round: the price it asks to be paid for its work.
///
/// This is the market's own plain value; the wire-level bid (with sample counts, label
/// histograms, device profiles …) is reduced to this pair by whoever feeds the auction.
public struct MarketBid: Sendable, Hashable, Codable {
    /// The client that asks to be paid.
    public var clientID: Int
    /// The lowest payment for which the client is willing to take part.
    public var askPrice: Double

    public init(clientID: Int, askPrice: Double) {
        self.clientID = clientID
        self.askPrice = askPrice
    }
}
