/// Coordinate-wise trimmed mean (Yin et al. 2018): drop the `⌊β·n⌋` largest and smallest values
/// of each coordinate, average the rest.
public struct TrimmedMean: AggregationRule {
    public let trimFraction: Double

    public init(trimFraction: Double) {
        self.trimFraction = trimFraction
    }

    public var name: String { "trimmed-mean(β=\(trimFraction))" }

    public func aggregate(_ updates: [ClientContribution], global: [Float]) throws(AggregationError) -> [Float] {
        guard trimFraction >= 0, trimFraction < 0.5 else {
            throw .invalidParameter("trim fraction must be in [0, 0.5), got \(trimFraction)")
        }
        let sorted = try validated(updates, global: global)
        let trim = Int(trimFraction * Double(sorted.count))
        guard sorted.count > 2 * trim else {
            throw .notEnoughUpdates(rule: name, needed: 2 * trim + 1, actual: sorted.count)
        }
        let kept = Float(sorted.count - 2 * trim)
        return CoordinateStatistics.reduce(sorted, count: global.count) { column in
            var sum: Float = 0
            for k in trim..<(column.count - trim) { sum += column[k] }
            return sum / kept
        }
    }
}
