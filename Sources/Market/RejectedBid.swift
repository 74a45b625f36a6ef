/// Why the auction refused to consider a bid.
public enum BidRejection: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The ask was below zero: a client would be paying to take part.
    case negativeAsk(Double)
    /// The ask was NaN, which cannot be ordered.
    case notANumber
    /// The ask was infinite.
    case infiniteAsk
    /// The same client bid more than once; every bid of that client is rejected, because
    /// keeping "the first" would make the outcome depend on arrival order.
    case duplicateClientID(count: Int)

    public var description: String {
        switch self {
        case .negativeAsk(let ask): "ask \(ask) is negative"
        case .notANumber: "ask is NaN"
        case .infiniteAsk: "ask is infinite"
        case .duplicateClientID(let count): "client bid \(count) times in one round"
        }
    }
}

/// A bid the auction refused, with the reason.
public struct RejectedBid: Sendable, Hashable, Codable, CustomStringConvertible {
    public var clientID: Int
    public var reason: BidRejection

    public init(clientID: Int, reason: BidRejection) {
        self.clientID = clientID
        self.reason = reason
    }

    public var description: String { "client \(clientID): \(reason)" }
}
