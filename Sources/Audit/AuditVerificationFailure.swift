/// The first thing wrong with an audit log: where it is and what kind of damage it is.
public struct AuditVerificationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kinds of damage the verifier tells apart.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        /// The file could not be read at all.
        case unreadable(String)
        /// The line is not an entry: not JSON (e.g. truncated), or a field is missing or wrong.
        case malformed(AuditLineError)
        /// The line's content does not match its own hash: it was edited after being written.
        case modified(storedHash: String, computedHash: String)
        /// Entries are missing: the index jumps over `missing` and nothing later fills the gap.
        case removed(missing: ClosedRange<Int>)
        /// A genuine entry stands at the wrong place: `found` where `expected` belongs.
        case reordered(found: Int, expected: Int)
        /// An entry that is not part of the chain (a forgery with a recomputed hash, or a
        /// duplicated line): nothing links to it, or it competes with the genuine entry.
        case inserted(String)
        /// The entry does not link to the one before (`prev` differs from its hash) and none
        /// of the other explanations fits: this entry or the one before was replaced.
        case chainBroken(prev: String, previousHash: String)
        /// `signature` and `publicKey` are present but do not verify over the entry's signed
        /// fields, or a signed field is missing or garbled.
        case badSignature(String)
        /// The signature verifies, but with a key the run's keyring does not list for the sender.
        case wrongKey(sender: String, reason: String)
        /// The readable `payload` is not what the signed `payloadJSON` says.
        case payloadMismatch(String)
        /// With a keyring: an entry of a protocol message type carries no signature (stripped).
        case unsignedMessage(type: String)
        /// A signed entry names another run than the tree heads.
        case otherRun(entryRun: String, headRun: String)
        /// A tree head is malformed or its signature does not hold.
        case badTreeHead(treeSize: Int, reason: String)
        /// A tree head's root or chain head is not that of the log's first `treeSize` entries.
        case treeHeadMismatch(treeSize: Int, detail: String)
        /// A tree head covers more entries than the log has: entries were cut from the end.
        case truncated(entries: Int, treeSize: Int)

        /// A one-word name, as the command line prints it.
        public var name: String {
            switch self {
            case .unreadable: "unreadable"
            case .malformed: "malformed"
            case .modified: "modified"
            case .removed: "removed"
            case .reordered: "reordered"
            case .inserted: "inserted"
            case .chainBroken: "chain-broken"
            case .badSignature: "bad-signature"
            case .wrongKey: "wrong-key"
            case .payloadMismatch: "payload-mismatch"
            case .unsignedMessage: "unsigned-message"
            case .otherRun: "other-run"
            case .badTreeHead: "bad-tree-head"
            case .treeHeadMismatch: "tree-head-mismatch"
            case .truncated: "truncated"
            }
        }

        public var description: String {
            switch self {
            case .unreadable(let reason):
                "unreadable: \(reason)"
            case .malformed(let error):
                "malformed line: \(error)"
            case .modified(let stored, let computed):
                "modified: the content hashes to \(computed), the entry says \(stored)"
            case .removed(let missing):
                missing.count == 1
                    ? "removed: entry \(missing.lowerBound) is missing"
                    : "removed: entries \(missing.lowerBound)…\(missing.upperBound) are missing"
            case .reordered(let found, let expected):
                "reordered: entry \(found) stands where entry \(expected) belongs"
            case .inserted(let detail):
                "inserted: \(detail)"
            case .chainBroken(let prev, let previousHash):
                "chain broken: prev is \(prev) but the previous entry's hash is \(previousHash) (this entry or the one before was replaced)"
            case .badSignature(let reason):
                "bad signature: \(reason)"
            case .wrongKey(let sender, let reason):
                "wrong key for \(sender): \(reason)"
            case .payloadMismatch(let detail):
                "payload mismatch: \(detail)"
            case .unsignedMessage(let type):
                "unsigned message: a \(type) entry carries no signature, though every message the auditor logs as accepted was verified (signature stripped?)"
            case .otherRun(let entryRun, let headRun):
                "other run: the entry is of run \(entryRun), the tree heads of run \(headRun)"
            case .badTreeHead(let size, let reason):
                "bad tree head (size \(size)): \(reason)"
            case .treeHeadMismatch(let size, let detail):
                "tree head mismatch (size \(size)): \(detail)"
            case .truncated(let entries, let size):
                "truncated: a signed tree head covers \(size) entries, the log has only \(entries); entries \(entries)…\(size - 1) were cut"
            }
        }
    }

    /// What is wrong.
    public var kind: Kind
    /// 1-based line of the file where it shows, when it is tied to a line.
    public var line: Int?
    /// The entry index concerned (as written on the line, or the one expected there).
    public var index: Int?

    public init(kind: Kind, line: Int?, index: Int?) {
        self.kind = kind
        self.line = line
        self.index = index
    }

    public var description: String {
        switch (line, index) {
        case let (line?, index?): "line \(line) (entry \(index)): \(kind)"
        case let (line?, nil): "line \(line): \(kind)"
        case let (nil, index?): "entry \(index): \(kind)"
        case (nil, nil): "\(kind)"
        }
    }
}
