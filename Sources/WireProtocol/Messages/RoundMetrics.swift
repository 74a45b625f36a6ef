/// The aggregator's account of a finished round: accuracy of the new model, which updates went
/// in, and the feedback for the server's strategy: what became of every assigned client.
public struct RoundMetrics: ProtocolMessage, Hashable {
    public static let messageType = MessageType.roundMetrics
    /// 2: `outcomes`, one per assigned client. 3: each outcome's ε spent (DP runs).
    public static let schemaVersion = 3

    public var round: Int
    /// The global model version this round produced.
    public var modelVersion: Int
    public var testAccuracy: Double
    public var testLoss: Double
    public var mergedClients: [Int]
    /// Digests of the merged updates, in the order of `mergedClients`.
    public var mergedDigests: [String]
    /// Clients whose update arrived after the round deadline.
    public var lateClients: [Int]
    /// Selected clients whose update never arrived.
    public var missingClients: [Int]
    public var bytesUp: Int
    public var bytesDown: Int
    public var seconds: Double
    /// One per assigned client, in client-id order.
    public var outcomes: [ClientOutcome]

    public init(
        round: Int, modelVersion: Int, testAccuracy: Double, testLoss: Double, mergedClients: [Int],
        mergedDigests: [String], lateClients: [Int] = [], missingClients: [Int] = [],
        bytesUp: Int, bytesDown: Int, seconds: Double, outcomes: [ClientOutcome] = []
    ) {
        self.round = round
        self.modelVersion = modelVersion
        self.testAccuracy = testAccuracy
        self.testLoss = testLoss
        self.mergedClients = mergedClients
        self.mergedDigests = mergedDigests
        self.lateClients = lateClients
        self.missingClients = missingClients
        self.bytesUp = bytesUp
        self.bytesDown = bytesDown
        self.seconds = seconds
        self.outcomes = outcomes
    }

    public var recordKey: String? { String(round) }
}

extension RoundMetrics {
    public var authorship: Authorship { Authorship(sender: .exactly(SenderName.aggregator), round: round) }
}
