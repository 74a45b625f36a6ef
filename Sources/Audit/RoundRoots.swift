/// Collects entry hashes per round, in log order, for the per-round Merkle roots.
struct RoundRoots: Sendable {
    private(set) var leaves: [Int: [String]] = [:]

    mutating func add(_ entry: AuditEntry) {
        if let round = entry.round { leaves[round, default: []].append(entry.hash) }
    }

    /// The Merkle tree of `round`'s entries, or nil when the round has none.
    func tree(for round: Int) -> MerkleTree? {
        guard let hashes = leaves[round] else { return nil }
        return try? MerkleTree(hexLeaves: hashes)
    }

    /// Hex root per round.
    func roots() -> [Int: String] {
        var roots: [Int: String] = [:]
        for round in leaves.keys { roots[round] = tree(for: round)?.rootHex }
        return roots
    }
}
