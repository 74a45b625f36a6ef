/// The FedAvg baseline's client draw: `k` distinct candidates uniformly at random.
///
/// Both `agentfl simulate` and the multi-process server agent call this with the same seed
/// (``SeedDerivation/seed(run:round:client:purpose:)`` with `.selection`), so a Kafka run
/// reproduces the in-process simulation exactly.
public enum RandomSelection {
    /// Returns `min(k, candidates.count)` distinct candidates, sorted ascending. The result
    /// depends only on the set of candidates (they are sorted first), `k` and `seed`.
    public static func choose(_ k: Int, from candidates: [Int], seed: UInt64) -> [Int] {
        var pool = Array(Set(candidates)).sorted()
        let take = max(0, min(k, pool.count))
        var rng = SplitMix64(seed: seed)
        // Partial Fisher–Yates: the first `take` slots become the sample.
        for i in 0..<take {
            let j = i + rng.nextInt(below: pool.count - i)
            if i != j { pool.swapAt(i, j) }
        }
        return pool[0..<take].sorted()
    }
}
