import WireProtocol

/// A proof that a later signed tree head extends an earlier one: the two heads and the RFC 9162
/// consistency path between their sizes. ``AuditProofChecker`` checks it from these alone.
public struct TreeHeadConsistencyProof: Sendable, Hashable {
    public var first: AuditRoot
    public var second: AuditRoot
    public var proof: ConsistencyProof

    public init(first: AuditRoot, second: AuditRoot, proof: ConsistencyProof) {
        self.first = first
        self.second = second
        self.proof = proof
    }

    static let keys: Set<String> = ["format", "kind", "hashing", "firstSize", "secondSize", "consistencyPath", "firstHead", "secondHead"]

    /// The file's fields, in the order it shows them.
    var members: [(String, JSONValue)] {
        [
            ("format", .string(AuditProof.format)),
            ("kind", .string(AuditProof.Kind.consistency.rawValue)),
            ("hashing", .string(AuditProof.hashing)),
            ("firstSize", .exact(proof.firstSize)),
            ("secondSize", .exact(proof.secondSize)),
            ("consistencyPath", .array(proof.path.map { .string(Hex.string($0)) })),
            ("firstHead", TreeHeadSigning.json(first)),
            ("secondHead", TreeHeadSigning.json(second)),
        ]
    }

    init(reading fields: ProofFieldReader) throws(AuditProofFileError) {
        try fields.constant("hashing", AuditProof.hashing)
        self.init(
            first: try fields.head("firstHead"), second: try fields.head("secondHead"),
            proof: ConsistencyProof(firstSize: try fields.integer("firstSize"), secondSize: try fields.integer("secondSize"), path: try fields.hashes("consistencyPath")))
    }
}
