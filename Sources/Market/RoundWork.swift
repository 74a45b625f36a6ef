/// What a client expects one round to take from it: the inputs of a ``CostModel``.
///
/// Every quantity is finite and ≥ 0; the initializer and decoding both check it, so a cost
/// computed from a `RoundWork` is never NaN or negative.
public struct RoundWork: Sendable, Hashable, Codable {
    /// Expected wall-clock seconds of local training.
    public let seconds: Double
    /// Bytes the client sends (its update).
    public let bytesUploaded: Int
    /// Bytes the client receives (the global model).
    public let bytesDownloaded: Int
    /// The differential-privacy ε the round would spend from the client's budget (0 without DP).
    public let epsilon: Double

    /// - Throws: ``CostModelError/invalidWork(field:value:)`` naming the first field that is
    ///   negative, NaN or infinite.
    public init(seconds: Double, bytesUploaded: Int = 0, bytesDownloaded: Int = 0, epsilon: Double = 0) throws(CostModelError) {
        try Self.check(seconds, "seconds")
        try Self.check(Double(bytesUploaded), "bytesUploaded")
        try Self.check(Double(bytesDownloaded), "bytesDownloaded")
        try Self.check(epsilon, "epsilon")
        self.seconds = seconds
        self.bytesUploaded = bytesUploaded
        self.bytesDownloaded = bytesDownloaded
        self.epsilon = epsilon
    }

    /// The work of training `localEpochs` passes over `sampleCount` samples at `samplesPerSecond`.
    ///
    /// The speed is taken as at least one sample per second, as the guardian's cost-based
    /// bidding does, so a zero speed cannot make the time infinite.
    public static func training(
        sampleCount: Int, localEpochs: Int, samplesPerSecond: Double,
        bytesUploaded: Int = 0, bytesDownloaded: Int = 0, epsilon: Double = 0
    ) throws(CostModelError) -> RoundWork {
        try check(Double(sampleCount), "sampleCount")
        try check(Double(localEpochs), "localEpochs")
        guard !samplesPerSecond.isNaN else { throw .invalidWork(field: "samplesPerSecond", value: samplesPerSecond) }
        let seconds = Double(sampleCount) * Double(localEpochs) / max(samplesPerSecond, 1)
        return try RoundWork(seconds: seconds, bytesUploaded: bytesUploaded, bytesDownloaded: bytesDownloaded, epsilon: epsilon)
    }

    /// Bytes up and down together, as a `Double` so the sum cannot overflow.
    public var totalBytes: Double { Double(bytesUploaded) + Double(bytesDownloaded) }

    private static func check(_ value: Double, _ field: String) throws(CostModelError) {
        guard value.isFinite, value >= 0 else { throw .invalidWork(field: field, value: value) }
    }

    // MARK: - Codable (re-checked on decode)

    private enum CodingKeys: String, CodingKey { case seconds, bytesUploaded, bytesDownloaded, epsilon }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            seconds: c.decode(Double.self, forKey: .seconds),
            bytesUploaded: c.decodeIfPresent(Int.self, forKey: .bytesUploaded) ?? 0,
            bytesDownloaded: c.decodeIfPresent(Int.self, forKey: .bytesDownloaded) ?? 0,
            epsilon: c.decodeIfPresent(Double.self, forKey: .epsilon) ?? 0)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(bytesUploaded, forKey: .bytesUploaded)
        try c.encode(bytesDownloaded, forKey: .bytesDownloaded)
        try c.encode(epsilon, forKey: .epsilon)
    }
}
