import Foundation

/// The server agent's decision for a round: who trains, at what price, and why — with every input
/// a replay needs to re-derive the same decision.
public struct Assignment: ProtocolMessage, Hashable {
    public static let messageType = MessageType.assignment
    public static let schemaVersion = 1

    public var round: Int
    public var modelVersion: Int
    /// The selection policy that decided, e.g. "random", "auction", "llm".
    public var policy: String
    public var k: Int
    /// Client ids selected to train.
    public var selected: [Int]
    public var clearingPrice: Double
    public var payments: [ClientPayment]
    /// Human-readable reason for the decision.
    public var reason: String
    /// Seed, bid digests, versions: everything a replay needs.
    public var decisionInputs: [String: String]
    public var roundDeadline: Date

    public init(
        round: Int, modelVersion: Int, policy: String, k: Int, selected: [Int], clearingPrice: Double,
        payments: [ClientPayment], reason: String, decisionInputs: [String: String], roundDeadline: Date
    ) {
        self.round = round
        self.modelVersion = modelVersion
        self.policy = policy
        self.k = k
        self.selected = selected
        self.clearingPrice = clearingPrice
        self.payments = payments
        self.reason = reason
        self.decisionInputs = decisionInputs
        self.roundDeadline = roundDeadline
    }

    public var recordKey: String? { String(round) }
}
