/// Collects entry hashes per round, in log order, for the per-round Merkle roots.
struct RoundRoots: Sendable {
    struct Round: Sendable {
        var hashes: [String] = []
        var firstIndex: Int
        var lastIndex: Int
    }

    private(set) var rounds: [Int: Round] = [:]

    mutating func add(_ entry: AuditEntry) {
        guard let round = entry.round else { return }
        rounds[round, default: Round(firstIndex: entry.index, lastIndex: entry.index)].hashes.append(entry.hash)
        rounds[round]?.lastIndex = entry.index
    }

    /// The Merkle tree of `round`'s entries, or nil when the round has none.
    func tree(for round: Int) -> MerkleTree? {
        guard let hashes = rounds[round]?.hashes else { return nil }
        return try? MerkleTree(hexLeaves: hashes)
    }

    /// Whether the first n entries of `round`, for some n, have the Merkle root `rootHex`.
    func hasPrefix(round: Int, withRoot rootHex: String) -> Bool {
        guard let hashes = rounds[round]?.hashes else { return false }
        return (1...max(1, hashes.count)).contains { count in
            (try? MerkleTree(hexLeaves: Array(hashes.prefix(count))))?.rootHex == rootHex
        }
    }

    /// Hex root per round.
    func roots() -> [Int: String] {
        var roots: [Int: String] = [:]
        for round in rounds.keys { roots[round] = tree(for: round)?.rootHex }
        return roots
    }
}
