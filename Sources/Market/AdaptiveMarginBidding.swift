/// Asks cost × margin and moves the margin with the market: up after a win, down after a loss.
///
/// ## The rule
/// With bounds [`minMargin`, `maxMargin`] (1 ≤ min ≤ max) and a step s > 0, after each round
///
/// - **won**: margin ← min(maxMargin, margin · (1 + s)) — the market took the ask, try dearer;
/// - **lost**: margin ← max(minMargin, margin / (1 + s)) — the ask was too dear, back off.
///
/// The steps are multiplicative and symmetric in log space, so a win followed by a loss comes
/// back to the same margin (up to rounding) unless a bound was hit in between. The margin never
/// leaves its bounds, and the next state depends only on the present one and the outcome.
/// A new strategy starts at `minMargin` unless told otherwise: close to truthful, learning to
/// raise its price only where it keeps winning.
public struct AdaptiveMarginBidding: BidStrategy {
    public let minMargin: Double
    public let maxMargin: Double
    /// The relative step s: each move multiplies or divides the margin by 1 + s.
    public let step: Double
    /// The present margin, within [minMargin, maxMargin].
    public let margin: Double

    /// - Throws: ``BidStrategyError/outOfRange(parameter:value:requirement:input:)`` naming the
    ///   parameter: `minMargin` must be finite and ≥ 1, `maxMargin` finite and ≥ `minMargin`,
    ///   `step` finite and > 0, `margin` (default `minMargin`) within the bounds.
    public init(minMargin: Double, maxMargin: Double, step: Double, margin: Double? = nil) throws(BidStrategyError) {
        guard minMargin.isFinite, minMargin >= 1 else {
            throw .outOfRange(parameter: "minMargin", value: minMargin, requirement: "a finite number ≥ 1", input: nil)
        }
        guard maxMargin.isFinite, maxMargin >= minMargin else {
            throw .outOfRange(
                parameter: "maxMargin", value: maxMargin, requirement: "a finite number ≥ minMargin \(minMargin)", input: nil)
        }
        guard step.isFinite, step > 0 else {
            throw .outOfRange(parameter: "step", value: step, requirement: "a finite number > 0", input: nil)
        }
        let start = margin ?? minMargin
        guard start >= minMargin, start <= maxMargin else {
            throw .outOfRange(
                parameter: "margin", value: start, requirement: "within [\(minMargin), \(maxMargin)]", input: nil)
        }
        self.init(checked: minMargin, maxMargin, step, start)
    }

    private init(checked minMargin: Double, _ maxMargin: Double, _ step: Double, _ margin: Double) {
        self.minMargin = minMargin
        self.maxMargin = maxMargin
        self.step = step
        self.margin = margin
    }

    public func ask(cost: Double) -> Double { cost * margin }

    public func observing(_ feedback: BidFeedback) -> AdaptiveMarginBidding {
        let next: Double
        switch feedback.outcome {
        case .won: next = min(maxMargin, margin * (1 + step))
        case .lost: next = max(minMargin, margin / (1 + step))
        }
        return AdaptiveMarginBidding(checked: minMargin, maxMargin, step, next)
    }

    // MARK: - Codable (re-checked on decode)

    private enum CodingKeys: String, CodingKey { case minMargin, maxMargin, step, margin }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            minMargin: c.decode(Double.self, forKey: .minMargin),
            maxMargin: c.decode(Double.self, forKey: .maxMargin),
            step: c.decode(Double.self, forKey: .step),
            margin: c.decode(Double.self, forKey: .margin))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(minMargin, forKey: .minMargin)
        try c.encode(maxMargin, forKey: .maxMargin)
        try c.encode(step, forKey: .step)
        try c.encode(margin, forKey: .margin)
    }
}
