/// What does not hold in a well-formed audit proof (``AuditProofChecker``).
public enum AuditProofFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The entry's content does not hash to its `hash` field.
    case entryHash(stored: String, computed: String)
    /// The entry's sender signature, or its key, does not hold.
    case entrySignature(String)
    /// The leaf, its hash or its index is not the entry's.
    case leaf(String)
    /// A signed tree head's signature does not hold: `which` head ("first", "second", or "" for
    /// an inclusion proof's one), and why.
    case headSignature(which: String, reason: String)
    /// The heads do not fit the proof or each other (sizes, chain head, run, signer).
    case head(String)
    /// The Merkle path does not lead to the signed root.
    case path(MerkleProofError)

    public var description: String {
        switch self {
        case .entryHash(let stored, let computed): "the entry's content hashes to \(computed), but its hash field says \(stored)"
        case .entrySignature(let reason): "the entry's sender signature: \(reason)"
        case .leaf(let reason): "the leaf: \(reason)"
        case .headSignature(let which, let reason): "the \(which.isEmpty ? "" : which + " ")signed tree head: \(reason)"
        case .head(let reason): "the tree heads: \(reason)"
        case .path(let error): "the Merkle path: \(error)"
        }
    }

    /// A short name for the failed check, for scripts (as ``AuditVerificationFailure/Kind/name``).
    public var name: String {
        switch self {
        case .entryHash: "entry-hash"
        case .entrySignature: "entry-signature"
        case .leaf: "leaf"
        case .headSignature: "head-signature"
        case .head: "head"
        case .path: "merkle-path"
        }
    }
}
