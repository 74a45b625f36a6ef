/// Why settling refused an answer.
public enum AnswerRefusal: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// No offer went to this client in this round.
    case noOffer
    /// The answer is for another round.
    case wrongRound(Int)
    /// The answer names a price other than the offer's.
    case priceMismatch(offered: Double, answered: Double)
    /// The client answered more than once; all its answers are refused, because keeping
    /// "the first" would make the outcome depend on arrival order.
    case duplicateAnswer(count: Int)
    /// The client did not lose this round's auction (it won, or its bid was rejected), so it
    /// cannot take a place by an offer (only possible when the offers settled were not the ones
    /// the mechanism made for this clearing).
    case notALoser
    /// Accepting would have broken the budget or the winner cap (only possible when the offers
    /// settled were not the ones the mechanism made for this clearing).
    case noRoomLeft

    public var description: String {
        switch self {
        case .noOffer: "no offer was made to this client"
        case .wrongRound(let round): "the answer is for round \(round)"
        case let .priceMismatch(offered, answered): "the answer names price \(answered) but \(offered) was offered"
        case .duplicateAnswer(let count): "client answered \(count) times"
        case .notALoser: "the client did not lose the auction, so no offer can make it a winner"
        case .noRoomLeft: "accepting would exceed the budget or the number of places"
        }
    }
}

/// An answer settling refused, with the reason.
public struct RefusedAnswer: Sendable, Hashable, Codable, CustomStringConvertible {
    public var clientID: Int
    public var reason: AnswerRefusal

    public init(clientID: Int, reason: AnswerRefusal) {
        self.clientID = clientID
        self.reason = reason
    }

    public var description: String { "client \(clientID): \(reason)" }
}
