/// Asks exactly the true cost, every round. Stateless.
public struct TruthfulBidding: BidStrategy {
    public init() {}

    public func ask(cost: Double) -> Double { cost }

    public func observing(_ feedback: BidFeedback) -> TruthfulBidding { self }
}
