/// Coordinate-wise median (Yin et al. 2018): robust while fewer than half the updates are bad.
public struct CoordinateWiseMedian: AggregationRule {
    public init() {}

    public var name: String { "median" }

    public func aggregate(_ updates: [ClientContribution], global: [Float]) throws(AggregationError) -> [Float] {
        let sorted = try validated(updates, global: global)
        return CoordinateStatistics.reduce(sorted, count: global.count) { column in
            let n = column.count
            return n % 2 == 1 ? column[n / 2] : (column[n / 2 - 1] + column[n / 2]) / 2
        }
    }
}

/// Runs a reduction over each coordinate's sorted values across updates.
enum CoordinateStatistics {
    static func reduce(_ updates: [ClientContribution], count: Int, _ statistic: (UnsafeMutableBufferPointer<Float>) -> Float) -> [Float] {
        var result = [Float](repeating: 0, count: count)
        var column = [Float](repeating: 0, count: updates.count)
        column.withUnsafeMutableBufferPointer { column in
            for i in 0..<count {
                for (k, update) in updates.enumerated() { column[k] = update.parameters[i] }
                column.sort()
                result[i] = statistic(column)
            }
        }
        return result
    }
}
