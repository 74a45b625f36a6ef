/// What an intact audit log contains.
public struct VerificationReport: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Number of entries (lines).
    public var entryCount: Int
    /// Rounds that have at least one entry, ascending.
    public var rounds: [Int]
    /// Merkle root (hex) of each round's entry hashes, in log order (see ``MerkleTree``).
    public var roundRoots: [Int: String]
    /// Entries per `type`.
    public var typeCounts: [String: Int]
    /// Entries whose signature was checked (and verified).
    public var signedEntries: Int
    /// The last entry's hash: the head of the chain (``AuditEntry/genesisHash`` when empty).
    public var headHash: String
    /// Merkle root over every entry hash.
    public var logRoot: String
    /// Rounds whose published root was compared (and matched).
    public var checkedRoots: [Int]

    public init(
        entryCount: Int, rounds: [Int], roundRoots: [Int: String], typeCounts: [String: Int],
        signedEntries: Int, headHash: String, logRoot: String, checkedRoots: [Int]
    ) {
        self.entryCount = entryCount
        self.rounds = rounds
        self.roundRoots = roundRoots
        self.typeCounts = typeCounts
        self.signedEntries = signedEntries
        self.headHash = headHash
        self.logRoot = logRoot
        self.checkedRoots = checkedRoots
    }

    public var description: String {
        let types = typeCounts.keys.sorted().map { "\($0)=\(typeCounts[$0] ?? 0)" }.joined(separator: ", ")
        var lines = [
            "intact: \(entryCount) entries, \(rounds.count) round(s), \(signedEntries) signature(s) verified",
            "head hash: \(headHash)",
            "log root:  \(logRoot)",
        ]
        if !types.isEmpty { lines.append("types: \(types)") }
        for round in rounds {
            let checked = checkedRoots.contains(round) ? " (matches published root)" : ""
            lines.append("round \(round) root: \(roundRoots[round] ?? "-")\(checked)")
        }
        return lines.joined(separator: "\n")
    }
}
