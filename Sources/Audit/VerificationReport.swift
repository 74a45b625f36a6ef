import WireProtocol

/// What an intact audit log contains, and how far signed tree heads anchor it.
public struct VerificationReport: Sendable, Hashable, CustomStringConvertible {
    /// How much of the log signed tree heads cover: what `audit verify`'s exit status reports.
    public enum Anchoring: Sendable, Hashable {
        /// The log has no entries at all.
        case empty
        /// No signed tree head: only the hash chain was checked; removing entries from the end
        /// (or rewriting unsigned entries and recomputing the chain) cannot be detected.
        case headless
        /// Heads cover the first `covered` entries; the `uncovered` after them could be cut
        /// (or, if unsigned, rewritten) undetected.
        case partial(covered: Int, uncovered: Int)
        /// A signed head covers every entry.
        case covered
    }

    /// Number of entries (lines).
    public var entryCount: Int
    /// Rounds that have at least one entry, ascending.
    public var rounds: [Int]
    /// Entries per `type`.
    public var typeCounts: [String: Int]
    /// Signed entries whose signature, signed fields and readable payload were checked.
    public var signedEntries: Int
    /// The last entry's hash: the head of the chain (``AuditEntry/genesisHash`` when empty).
    public var headHash: String
    /// RFC 6962 Merkle root over every entry hash.
    public var logRoot: String
    /// The distinct signed tree heads checked (logged and given), by tree size.
    public var heads: [AuditRoot]
    /// How many heads came from outside the log (the heads file).
    public var externalHeads: Int
    /// Whether keys were checked against the run's keyring (else taken from the log itself).
    public var keysFromKeyring: Bool

    public init(
        entryCount: Int, rounds: [Int], typeCounts: [String: Int], signedEntries: Int, headHash: String,
        logRoot: String, heads: [AuditRoot], externalHeads: Int, keysFromKeyring: Bool
    ) {
        self.entryCount = entryCount
        self.rounds = rounds
        self.typeCounts = typeCounts
        self.signedEntries = signedEntries
        self.headHash = headHash
        self.logRoot = logRoot
        self.heads = heads
        self.externalHeads = externalHeads
        self.keysFromKeyring = keysFromKeyring
    }

    /// Entries covered by the largest head.
    public var coveredEntries: Int { heads.map(\.treeSize).max() ?? 0 }

    public var anchoring: Anchoring {
        if entryCount == 0 { return .empty }
        if heads.isEmpty { return .headless }
        let covered = coveredEntries
        return covered >= entryCount ? .covered : .partial(covered: covered, uncovered: entryCount - covered)
    }

    public var description: String {
        let types = typeCounts.keys.sorted().map { "\($0)=\(typeCounts[$0] ?? 0)" }.joined(separator: ", ")
        var lines: [String] = []
        switch anchoring {
        case .empty:
            lines.append("EMPTY: no entries; nothing is recorded, and nothing shows whether entries were removed")
        case .headless:
            lines.append("UNANCHORED: \(entryCount) entries, chain intact, but no signed tree head: only the hash chain was checked, truncation is undetectable")
        case .partial(let covered, let uncovered):
            lines.append("PARTLY ANCHORED: \(entryCount) entries, chain intact; signed tree heads cover entries 0…\(covered - 1), the last \(uncovered) are covered by no head and could be cut undetected")
        case .covered:
            lines.append("intact: \(entryCount) entries, all covered by a signed tree head")
        }
        lines.append("\(rounds.count) round(s), \(signedEntries) sender signature(s) verified over their logged content")
        lines.append(keysFromKeyring
            ? "keys: checked against the run's keyring (senders' keys and the auditor's)"
            : "keys: TAKEN FROM THE LOG (no --keyring): signatures prove only that the logged key signed, not that it is the sender's or the auditor's")
        lines.append("head hash: \(headHash)")
        lines.append("log root:  \(logRoot)")
        if !types.isEmpty { lines.append("types: \(types)") }
        for head in heads {
            lines.append("tree head size \(head.treeSize) (round \(head.round)\(head.final ? ", final" : "")): root \(head.merkleRoot) matches")
        }
        lines.append("not detectable: entries after the last signed head can be removed; whoever holds the auditor's private key can rewrite everything and sign new heads")
        return lines.joined(separator: "\n")
    }
}
