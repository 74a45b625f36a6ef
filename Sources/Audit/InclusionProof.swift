/// An RFC 9162 §2.1.3 inclusion proof: the audit path of leaf `leafIndex` in the tree of the
/// first `treeSize` leaves, leaf level first. Make one with
/// ``MerkleTree/inclusionProof(leafIndex:treeSize:)``.
public struct InclusionProof: Sendable, Hashable {
    public var leafIndex: Int
    public var treeSize: Int
    /// `PATH(m, D[n])` of §2.1.3.1: the node hashes needed to recompute the root from the leaf.
    public var auditPath: [[UInt8]]

    public init(leafIndex: Int, treeSize: Int, auditPath: [[UInt8]]) {
        self.leafIndex = leafIndex
        self.treeSize = treeSize
        self.auditPath = auditPath
    }

    /// Throws unless the path leads from `leafHash` (``MerkleHash/leaf(_:)`` of the leaf) at
    /// `leafIndex` to `root` for a tree of `treeSize`: the algorithm of RFC 9162 §2.1.3.2.
    public func verify(leafHash: [UInt8], root: [UInt8]) throws(MerkleProofError) {
        let computed = try rootHash(leafHash: leafHash)
        guard computed == root else {
            throw .rootMismatch(.tree, computed: Hex.string(computed), expected: Hex.string(root))
        }
    }

    /// The root the path leads to from `leafHash` (RFC 9162 §2.1.3.2 steps 1–4, and the `sn`
    /// check of step 5); ``verify(leafHash:root:)`` compares it with the expected root.
    public func rootHash(leafHash: [UInt8]) throws(MerkleProofError) -> [UInt8] {
        // 1. leaf_index must be below tree_size.
        guard leafIndex >= 0, leafIndex < treeSize else { throw .leafIndexOutOfRange(index: leafIndex, treeSize: treeSize) }
        guard leafHash.count == MerkleHash.size else { throw .wrongHashLength(what: "the leaf hash", bytes: leafHash.count) }
        for (position, node) in auditPath.enumerated() where node.count != MerkleHash.size {
            throw .wrongHashLength(what: "audit path hash \(position)", bytes: node.count)
        }
        // 2. fn = leaf_index, sn = tree_size - 1. 3. r = hash.
        var fn = leafIndex
        var sn = treeSize - 1
        var r = leafHash
        // 4. For each p in the path:
        for p in auditPath {
            // a. A path longer than the tree is tall fails.
            guard sn != 0 else { throw wrongLength }
            if fn & 1 == 1 || fn == sn {
                // b. p is a left sibling; past the right border, skip the levels without one.
                r = MerkleHash.node(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0, fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = MerkleHash.node(r, p)
            }
            // c.
            fn >>= 1
            sn >>= 1
        }
        // 5. sn must have reached 0: a shorter path fails.
        guard sn == 0 else { throw wrongLength }
        return r
    }

    /// The length the RFC loop accepts for these sizes (for the message only; the loop decides):
    /// one hash per level below the point where the paths to the leaf and to the last leaf meet,
    /// and one per left sibling on the right border above it.
    private var wrongLength: MerkleProofError {
        let inner = Int.bitWidth - (leafIndex ^ (treeSize - 1)).leadingZeroBitCount
        let border = (leafIndex >> inner).nonzeroBitCount
        return .wrongPathLength(got: auditPath.count, expected: inner + border)
    }
}
