/// The server's take-it-or-leave-it offer, after the auction, of a place it left unfilled: train
/// this round for `price`. At most one offer goes to a client in a round.
public struct PlaceOffer: ProtocolMessage, Hashable {
    public static let messageType = MessageType.placeOffer
    public static let schemaVersion = 1

    public var round: Int
    public var clientID: Int
    /// The payment offered, finite and > 0.
    public var price: Double
    /// The negotiation mechanism that made it, e.g. "posted-price(budget share)".
    public var mechanism: String

    public init(round: Int, clientID: Int, price: Double, mechanism: String) {
        self.round = round
        self.clientID = clientID
        self.price = price
        self.mechanism = mechanism
    }

    public var recordKey: String? { String(clientID) }
    public var authorship: Authorship { Authorship(sender: .exactly(SenderName.server), round: round) }
}

/// A client's answer to a ``PlaceOffer``: it echoes the offer's round, client and price, so the
/// signed answer binds to exactly the offer it takes or leaves.
public struct OfferAnswer: ProtocolMessage, Hashable {
    public static let messageType = MessageType.offerAnswer
    public static let schemaVersion = 1

    public var round: Int
    public var clientID: Int
    public var price: Double
    public var accepted: Bool

    public init(round: Int, clientID: Int, price: Double, accepted: Bool) {
        self.round = round
        self.clientID = clientID
        self.price = price
        self.accepted = accepted
    }

    public var recordKey: String? { String(clientID) }
    public var authorship: Authorship { Authorship(sender: .guardian(client: clientID), round: round) }
}
