import Foundation

/// The server agent's decision for a round: who trains, at what price, and why — with every input
/// a replay needs to re-derive the same decision.
public struct Assignment: ProtocolMessage, Hashable {
    public static let messageType = MessageType.assignment
    /// 2: per-client instructions (the bid's sample count, width, local epochs).
    /// 3: a typed ``DecisionRecord`` instead of string inputs. 4: the record's decline reasons.
    /// 5: the record's negotiation after the auction.
    public static let schemaVersion = 5

    public var round: Int
    public var modelVersion: Int
    /// The strategy that decided, e.g. "random", "oort+k-tool", "llm".
    public var policy: String
    public var k: Int
    /// Client ids selected to train.
    public var selected: [Int]
    /// What each selected client is to do, and what it offered (in the order of `selected`). The
    /// aggregator holds each update to it: no more samples than the client bid, the width assigned.
    public var instructions: [ClientInstruction]
    public var clearingPrice: Double
    public var payments: [ClientPayment]
    /// Human-readable reason for the decision.
    public var reason: String
    /// Strategy, state digests, candidates, bids used, external calls: everything a replay needs.
    public var decision: DecisionRecord
    public var roundDeadline: Date

    public init(
        round: Int, modelVersion: Int, policy: String, k: Int, selected: [Int], instructions: [ClientInstruction],
        clearingPrice: Double, payments: [ClientPayment], reason: String, decision: DecisionRecord,
        roundDeadline: Date
    ) {
        self.round = round
        self.modelVersion = modelVersion
        self.policy = policy
        self.k = k
        self.selected = selected
        self.instructions = instructions
        self.clearingPrice = clearingPrice
        self.payments = payments
        self.reason = reason
        self.decision = decision
        self.roundDeadline = roundDeadline
    }

    public var recordKey: String? { String(round) }

    /// The instruction for `client`, if it was selected.
    public func instruction(for client: Int) -> ClientInstruction? {
        instructions.first { $0.clientID == client }
    }
}

/// One selected client's part in a round.
public struct ClientInstruction: Sendable, Hashable, Codable {
    public var clientID: Int
    /// The sample count the client's bid declared: its update may not claim more.
    public var bidSampleCount: Int
    /// Model width (HeteroFL) the client trains.
    public var width: Double
    public var localEpochs: Int

    public init(clientID: Int, bidSampleCount: Int, width: Double, localEpochs: Int) {
        self.clientID = clientID
        self.bidSampleCount = bidSampleCount
        self.width = width
        self.localEpochs = localEpochs
    }
}

extension Assignment {
    public var authorship: Authorship { Authorship(sender: .exactly(SenderName.server), round: round) }
}
