/// The server's take-it-or-leave-it offer to one client after the auction: train this round
/// for `price`.
///
/// At most one offer goes to a client in a round, so `(round, clientID)` identifies it; the
/// answer echoes all three fields, so a signed answer binds to exactly the offer it accepts.
public struct MarketOffer: Sendable, Hashable, Codable {
    public var round: Int
    public var clientID: Int
    /// The payment offered, finite and > 0.
    public var price: Double

    public init(round: Int, clientID: Int, price: Double) {
        self.round = round
        self.clientID = clientID
        self.price = price
    }
}
