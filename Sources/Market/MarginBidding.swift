/// Asks the true cost times a fixed margin m ≥ 1. Stateless.
public struct MarginBidding: BidStrategy {
    /// The multiplier on cost; finite and ≥ 1, so the ask never falls below the cost.
    public let margin: Double

    /// - Throws: ``BidStrategyError/outOfRange(parameter:value:requirement:input:)`` when
    ///   `margin` is below 1, NaN or infinite.
    public init(margin: Double) throws(BidStrategyError) {
        guard margin.isFinite, margin >= 1 else {
            throw .outOfRange(parameter: "margin", value: margin, requirement: "a finite number ≥ 1", input: nil)
        }
        self.margin = margin
    }

    public func ask(cost: Double) -> Double { cost * margin }

    public func observing(_ feedback: BidFeedback) -> MarginBidding { self }

    // MARK: - Codable (re-checked on decode)

    private enum CodingKeys: String, CodingKey { case margin }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(margin: c.decode(Double.self, forKey: .margin))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(margin, forKey: .margin)
    }
}
