import WireProtocol

/// What a strategy learns after a round: the new model's test figures and what became of every
/// client it assigned (from the aggregator's metrics).
public struct RoundFeedback: Sendable, Hashable {
    public var round: Int
    public var testAccuracy: Double
    public var testLoss: Double
    /// One per assigned client.
    public var outcomes: [ClientOutcome]

    public init(round: Int, testAccuracy: Double, testLoss: Double, outcomes: [ClientOutcome]) {
        self.round = round
        self.testAccuracy = testAccuracy
        self.testLoss = testLoss
        self.outcomes = outcomes.sorted { $0.clientID < $1.clientID }
    }

    public init(_ metrics: RoundMetrics) {
        self.init(round: metrics.round, testAccuracy: metrics.testAccuracy, testLoss: metrics.testLoss, outcomes: metrics.outcomes)
    }
}
