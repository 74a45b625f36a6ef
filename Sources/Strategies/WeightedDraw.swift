import Learning

/// Draws without replacement in proportion to weight, from a seeded generator.
///
/// Successive sampling: each draw takes one remaining item with probability weight / (sum of the
/// remaining weights), then removes it. That is the distribution of NumPy's
/// `choice(items, n, p: weights / sum, replace: false)`, which FedScale's Oort and the
/// Power-of-Choice reference code call; the algorithm is spelled out here so the draw is the same
/// on every platform and Swift release. Weights that are negative, NaN or infinite count as zero;
/// a zero-weight item is drawn only once every remaining weight is zero, and then uniformly.
enum WeightedDraw {
    /// `min(count, items.count)` distinct ids in draw order. The result depends only on the
    /// order of `items`, their weights and the generator's state.
    static func draw(_ count: Int, from items: [(id: Int, weight: Double)], using generator: inout SplitMix64) -> [Int] {
        var pool = items.map { (id: $0.id, weight: $0.weight.isFinite && $0.weight > 0 ? $0.weight : 0) }
        var drawn: [Int] = []
        drawn.reserveCapacity(min(max(count, 0), pool.count))
        while drawn.count < count, !pool.isEmpty {
            let total = pool.reduce(0) { $0 + $1.weight }
            let index: Int
            if total > 0 {
                let target = generator.nextUnit() * total
                var cumulative = 0.0
                // The last positive weight takes what rounding leaves over.
                var chosen = pool.lastIndex { $0.weight > 0 } ?? pool.count - 1
                for (i, item) in pool.enumerated() where item.weight > 0 {
                    cumulative += item.weight
                    if target < cumulative {
                        chosen = i
                        break
                    }
                }
                index = chosen
            } else {
                index = generator.nextInt(below: pool.count)
            }
            drawn.append(pool.remove(at: index).id)
        }
        return drawn
    }
}
