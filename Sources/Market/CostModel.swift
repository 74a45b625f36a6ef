/// What taking part in a round costs one client: the true cost a bidding strategy marks up.
///
/// cost = fixed + seconds · pricePerSecond + (powerWatts · seconds) · pricePerJoule
///        + (bytes up + bytes down) · pricePerByte + ε · pricePerEpsilon
///
/// ## Defaults
/// Prices are in the market's unit, in which one second of compute costs 1 (as the guardian's
/// cost-based bidding has it). The other defaults are deliberately small next to that, so
/// compute time still dominates a default client's cost:
///
/// | parameter | default | meaning |
/// |---|---|---|
/// | `pricePerSecond` | 1 | one second of local training |
/// | `powerWatts` | 10 | a laptop-class device under load |
/// | `pricePerJoule` | 0.001 | so 10 W for one second costs 0.01 |
/// | `pricePerByte` | 1e-7 | 0.1 per megabyte moved |
/// | `pricePerEpsilon` | 1 | spending ε = 1 costs as much as a second of compute |
/// | `fixedCost` | 0 | nothing for merely taking part |
///
/// Today's `CostBasedBidding` of the guardian (0.5 + seconds, before its rounding to 1/1000)
/// is ``computeOnly(pricePerSecond:fixedCost:)`` with its defaults.
///
/// Every parameter is finite and ≥ 0, checked by the initializer and again when decoding.
public struct CostModel: Sendable, Hashable, Codable {
    public let pricePerSecond: Double
    public let powerWatts: Double
    public let pricePerJoule: Double
    public let pricePerByte: Double
    public let pricePerEpsilon: Double
    public let fixedCost: Double

    /// - Throws: ``CostModelError/invalidParameter(name:value:)`` naming the first parameter
    ///   that is negative, NaN or infinite.
    public init(
        pricePerSecond: Double = 1,
        powerWatts: Double = 10,
        pricePerJoule: Double = 0.001,
        pricePerByte: Double = 1e-7,
        pricePerEpsilon: Double = 1,
        fixedCost: Double = 0
    ) throws(CostModelError) {
        for (name, value) in [
            ("pricePerSecond", pricePerSecond), ("powerWatts", powerWatts), ("pricePerJoule", pricePerJoule),
            ("pricePerByte", pricePerByte), ("pricePerEpsilon", pricePerEpsilon), ("fixedCost", fixedCost),
        ] {
            guard value.isFinite, value >= 0 else { throw .invalidParameter(name: name, value: value) }
        }
        self.init(
            checked: pricePerSecond, powerWatts, pricePerJoule, pricePerByte, pricePerEpsilon, fixedCost)
    }

    private init(
        checked pricePerSecond: Double, _ powerWatts: Double, _ pricePerJoule: Double, _ pricePerByte: Double,
        _ pricePerEpsilon: Double, _ fixedCost: Double
    ) {
        self.pricePerSecond = pricePerSecond
        self.powerWatts = powerWatts
        self.pricePerJoule = pricePerJoule
        self.pricePerByte = pricePerByte
        self.pricePerEpsilon = pricePerEpsilon
        self.fixedCost = fixedCost
    }

    /// The defaults of the table above.
    public static let standard = CostModel(checked: 1, 10, 0.001, 1e-7, 1, 0)

    /// A model that charges only for compute time and a fixed cost of taking part; with the
    /// defaults, the guardian's present cost-based formula.
    public static func computeOnly(pricePerSecond: Double = 1, fixedCost: Double = 0.5) throws(CostModelError) -> CostModel {
        try CostModel(
            pricePerSecond: pricePerSecond, powerWatts: 0, pricePerJoule: 0, pricePerByte: 0, pricePerEpsilon: 0,
            fixedCost: fixedCost)
    }

    /// The cost of `work`, part by part.
    public func breakdown(for work: RoundWork) -> CostBreakdown {
        CostBreakdown(
            compute: work.seconds * pricePerSecond,
            energy: (powerWatts * work.seconds) * pricePerJoule,
            bandwidth: work.totalBytes * pricePerByte,
            privacy: work.epsilon * pricePerEpsilon,
            fixed: fixedCost)
    }

    /// The total cost of `work`: finite and ≥ 0 unless the products overflow (huge inputs),
    /// in which case it is +∞ and the auction rejects the resulting ask as infinite.
    public func cost(for work: RoundWork) -> Double {
        breakdown(for: work).total
    }

    // MARK: - Codable (re-checked on decode; missing keys take the defaults)

    private enum CodingKeys: String, CodingKey {
        case pricePerSecond, powerWatts, pricePerJoule, pricePerByte, pricePerEpsilon, fixedCost
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = CostModel.standard
        try self.init(
            pricePerSecond: c.decodeIfPresent(Double.self, forKey: .pricePerSecond) ?? d.pricePerSecond,
            powerWatts: c.decodeIfPresent(Double.self, forKey: .powerWatts) ?? d.powerWatts,
            pricePerJoule: c.decodeIfPresent(Double.self, forKey: .pricePerJoule) ?? d.pricePerJoule,
            pricePerByte: c.decodeIfPresent(Double.self, forKey: .pricePerByte) ?? d.pricePerByte,
            pricePerEpsilon: c.decodeIfPresent(Double.self, forKey: .pricePerEpsilon) ?? d.pricePerEpsilon,
            fixedCost: c.decodeIfPresent(Double.self, forKey: .fixedCost) ?? d.fixedCost)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(pricePerSecond, forKey: .pricePerSecond)
        try c.encode(powerWatts, forKey: .powerWatts)
        try c.encode(pricePerJoule, forKey: .pricePerJoule)
        try c.encode(pricePerByte, forKey: .pricePerByte)
        try c.encode(pricePerEpsilon, forKey: .pricePerEpsilon)
        try c.encode(fixedCost, forKey: .fixedCost)
    }
}
