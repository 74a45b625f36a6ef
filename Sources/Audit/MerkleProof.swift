/// Evidence that one leaf belongs to a Merkle root, in hex: the RFC 9162 §2.1.3.1 audit path
/// (``InclusionProof``) as the log's callers and JSON carry it.
public struct MerkleProof: Sendable, Hashable, Codable {
    /// Position of the leaf among all leaves, from 0.
    public var leafIndex: Int
    /// Number of leaves in the tree the root was computed over.
    public var leafCount: Int
    /// Hex node hashes of the audit path, leaf level first; levels where the node was promoted
    /// (no sibling to its right) have none.
    public var siblings: [String]

    public init(leafIndex: Int, leafCount: Int, siblings: [String]) {
        self.leafIndex = leafIndex
        self.leafCount = leafCount
        self.siblings = siblings
    }

    public init(_ proof: InclusionProof) {
        self.init(leafIndex: proof.leafIndex, leafCount: proof.treeSize, siblings: proof.auditPath.map { Hex.string($0) })
    }

    /// The proof with its hashes as bytes, or nil when a sibling is not hex.
    public var inclusionProof: InclusionProof? {
        var path: [[UInt8]] = []
        for hex in siblings {
            guard let bytes = Hex.bytes(hex) else { return nil }
            path.append(bytes)
        }
        return InclusionProof(leafIndex: leafIndex, treeSize: leafCount, auditPath: path)
    }
}
