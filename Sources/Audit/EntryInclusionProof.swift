import WireProtocol

/// A proof that one audit-log entry is in the log a signed tree head signs: the entry, its
/// Merkle leaf (the entry's `hash`, 32 bytes) and leaf hash, the RFC 9162 audit path, and the head.
/// ``AuditProofChecker`` checks it from these alone.
public struct EntryInclusionProof: Sendable, Hashable {
    public var entry: AuditEntry
    /// The Merkle leaf: the entry's `hash` as bytes (what ``MerkleTree`` is built over).
    public var leaf: [UInt8]
    /// ``MerkleHash/leaf(_:)`` of ``leaf``.
    public var leafHash: [UInt8]
    public var proof: InclusionProof
    public var head: AuditRoot

    public init(entry: AuditEntry, leaf: [UInt8], leafHash: [UInt8], proof: InclusionProof, head: AuditRoot) {
        self.entry = entry
        self.leaf = leaf
        self.leafHash = leafHash
        self.proof = proof
        self.head = head
    }

    /// The proof of `entry` with its leaf and leaf hash derived from its `hash`.
    public init(entry: AuditEntry, proof: InclusionProof, head: AuditRoot) {
        let leaf = Hex.bytes(entry.hash) ?? []
        self.init(entry: entry, leaf: leaf, leafHash: MerkleHash.leaf(leaf), proof: proof, head: head)
    }

    static let keys: Set<String> = [
        "format", "kind", "hashing", "leafIs", "leafIndex", "treeSize", "leaf", "leafHash", "auditPath", "entry", "treeHead",
    ]

    /// The file's fields, in the order it shows them.
    var members: [(String, JSONValue)] {
        [
            ("format", .string(AuditProof.format)),
            ("kind", .string(AuditProof.Kind.inclusion.rawValue)),
            ("hashing", .string(AuditProof.hashing)),
            ("leafIs", .string(AuditProof.leafIs)),
            ("leafIndex", .exact(proof.leafIndex)),
            ("treeSize", .exact(proof.treeSize)),
            ("leaf", .string(Hex.string(leaf))),
            ("leafHash", .string(Hex.string(leafHash))),
            ("auditPath", .array(proof.auditPath.map { .string(Hex.string($0)) })),
            ("entry", entry.jsonObject()),
            ("treeHead", TreeHeadSigning.json(head)),
        ]
    }

    init(reading fields: ProofFieldReader) throws(AuditProofFileError) {
        try fields.constant("hashing", AuditProof.hashing)
        try fields.constant("leafIs", AuditProof.leafIs)
        let entryValue = fields.value("entry")
        let entry: AuditEntry
        do {
            entry = try AuditEntry.parse(line: CanonicalJSON.encode(entryValue)).entry
        } catch let error as AuditLineError {
            throw .malformed(field: "entry", reason: "is not an audit entry: \(error)")
        } catch {
            throw .malformed(field: "entry", reason: "is not an audit entry: \(error)")
        }
        // Only what an entry holds, in the form the log writes it: nothing rides along unhashed.
        guard (try? CanonicalJSON.encode(entry.jsonObject())) == (try? CanonicalJSON.encode(entryValue)) else {
            throw .malformed(field: "entry", reason: "has fields an audit entry does not have, or fields in a form the log does not write")
        }
        self.init(
            entry: entry, leaf: try fields.hash("leaf"), leafHash: try fields.hash("leafHash"),
            proof: InclusionProof(leafIndex: try fields.integer("leafIndex"), treeSize: try fields.integer("treeSize"), auditPath: try fields.hashes("auditPath")),
            head: try fields.head("treeHead"))
    }
}
