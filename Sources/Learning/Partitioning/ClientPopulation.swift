/// Clients made useless on purpose, so that a user can see a selection brain steer around them:
/// mislabeled clients hold shards whose labels were replaced by random ones (their updates pull
/// the model the wrong way), tiny clients keep only a few samples of their shard.
public struct ClientPopulation: Sendable, Hashable, Codable {
    public var mislabeled: Set<Int>
    public var tiny: Set<Int>
    /// Samples a tiny client keeps.
    public var tinySamples: Int

    public init(mislabeled: Set<Int> = [], tiny: Set<Int> = [], tinySamples: Int = 10) {
        self.mislabeled = mislabeled
        self.tiny = tiny
        self.tinySamples = tinySamples
    }

    public var isEmpty: Bool { mislabeled.isEmpty && tiny.isEmpty }

    /// The partition with every tiny client's shard cut to its first `tinySamples` samples.
    func apply(to partition: [[Int]]) -> [[Int]] {
        partition.enumerated().map { client, shard in tiny.contains(client) ? Array(shard.prefix(max(1, tinySamples))) : shard }
    }

    /// The training labels with every mislabeled client's samples given a label drawn uniformly
    /// from the classes (seeded per client, so every process draws the same).
    func apply(to labels: [Int32], partition: [[Int]], classCount: Int, seed: UInt64) -> [Int32] {
        guard !mislabeled.isEmpty else { return labels }
        var shuffled = labels
        for client in mislabeled.sorted() where partition.indices.contains(client) {
            var rng = SplitMix64(seed: SeedDerivation.seed(run: seed, round: -1, client: client, purpose: .partition) ^ 0x6D69_736C_6162_656C)
            for index in partition[client] { shuffled[index] = Int32(rng.nextInt(below: classCount)) }
        }
        return shuffled
    }
}
