/// Krum and multi-Krum (Blanchard et al. 2017).
///
/// Each update scores the sum of squared distances to its `n − f − 2` nearest neighbours; the
/// `selected` lowest-scoring updates are averaged (`selected` = 1 is Krum). Needs `n ≥ 2f + 3`.
/// Ties go to the lower client id.
public struct Krum: AggregationRule {
    public let byzantine: Int
    public let selected: Int

    public init(byzantine: Int, selected: Int = 1) {
        self.byzantine = byzantine
        self.selected = selected
    }

    public var name: String { selected == 1 ? "krum(f=\(byzantine))" : "multi-krum(f=\(byzantine), m=\(selected))" }

    public func aggregate(_ updates: [ClientContribution], global: [Float]) throws(AggregationError) -> [Float] {
        guard byzantine >= 0, selected >= 1 else {
            throw .invalidParameter("Krum needs f ≥ 0 and m ≥ 1, got f=\(byzantine), m=\(selected)")
        }
        let sorted = try validated(updates, global: global)
        let n = sorted.count
        guard n >= 2 * byzantine + 3 else { throw .notEnoughUpdates(rule: name, needed: 2 * byzantine + 3, actual: n) }
        let chosen = Self.select(sorted, byzantine: byzantine, count: min(selected, n))
        var result = [Float](repeating: 0, count: global.count)
        let weight = 1 / Float(chosen.count)
        result.withUnsafeMutableBufferPointer { out in
            for k in chosen {
                sorted[k].parameters.withUnsafeBufferPointer { p in
                    BLAS.axpy(count: out.count, alpha: weight, x: p.baseAddress!, y: out.baseAddress!)
                }
            }
        }
        return result
    }

    /// Indices (into `updates`) of the `count` best-scoring updates.
    static func select(_ updates: [ClientContribution], byzantine: Int, count: Int) -> [Int] {
        let n = updates.count
        var distances = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in (i + 1)..<n {
                let d = squaredDistance(updates[i].parameters, updates[j].parameters)
                distances[i][j] = d
                distances[j][i] = d
            }
        }
        let neighbours = max(n - byzantine - 2, 1)
        let scores = (0..<n).map { i -> Double in
            let others = (0..<n).filter { $0 != i }.map { distances[i][$0] }.sorted()
            return others.prefix(neighbours).reduce(0, +)
        }
        return (0..<n).sorted { scores[$0] != scores[$1] ? scores[$0] < scores[$1] : $0 < $1 }.prefix(count).sorted()
    }

    static func squaredDistance(_ a: [Float], _ b: [Float]) -> Double {
        var sum = 0.0
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                var partial: Float = 0
                for i in 0..<a.count {
                    let d = a[i] - b[i]
                    partial += d * d
                    if i & 4095 == 4095 {
                        sum += Double(partial)
                        partial = 0
                    }
                }
                sum += Double(partial)
            }
        }
        return sum
    }
}
