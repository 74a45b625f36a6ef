/// A binary Merkle tree over entry hashes, so one entry can be proven to belong to a
/// published root without handing over the whole log.
///
/// ## Convention
/// - Leaves are the 32-byte entry hashes, hashed once more with a domain byte:
///   `leafNode = SHA-256(0x00 ‖ entryHash)`; inner nodes are `SHA-256(0x01 ‖ left ‖ right)`.
///   The two prefixes keep a leaf from ever passing for an inner node (second pre-image).
/// - Levels pair nodes left to right; an odd last node is *promoted* to the next level
///   unchanged rather than paired with a copy of itself. (Duplicating the last node, as
///   Bitcoin does, lets `[a, b, c]` and `[a, b, c, c]` share a root; promotion does not.)
/// - The root of an empty tree is `SHA-256("")`, as in RFC 6962.
///
/// Pairing level by level with promotion builds exactly the tree of RFC 6962 / RFC 9162 §2.1.1
/// (split at the largest power of two below the size): the roots are the RFC's, checked
/// against its published vectors in the tests. Inclusion and consistency proofs are in
/// `MerkleTree+Proofs.swift`.
public struct MerkleTree: Sendable, Hashable {
    /// Every level, leaves first, root last: node `i` of level `j` is `MTH` of leaves
    /// `i·2^j ..< min((i+1)·2^j, n)`.
    private let levels: [[[UInt8]]]

    /// - Parameter leaves: the leaf values (entry hashes), in log order.
    public init(leaves: [[UInt8]]) {
        var levels: [[[UInt8]]] = [leaves.map { MerkleHash.leaf($0) }]
        while let last = levels.last, last.count > 1 {
            var next: [[UInt8]] = []
            next.reserveCapacity((last.count + 1) / 2)
            var index = 0
            while index < last.count {
                if index + 1 < last.count {
                    next.append(MerkleHash.node(last[index], last[index + 1]))
                } else {
                    next.append(last[index])
                }
                index += 2
            }
            levels.append(next)
        }
        self.levels = levels
    }

    /// - Parameter hexLeaves: the leaf values as hex strings (entry `hash` fields).
    /// - Throws: ``MerkleTreeError/invalidHex(_:)`` for a leaf that is not hex.
    public init(hexLeaves: [String]) throws(MerkleTreeError) {
        var leaves: [[UInt8]] = []
        leaves.reserveCapacity(hexLeaves.count)
        for hex in hexLeaves {
            guard let bytes = Hex.bytes(hex) else { throw .invalidHex(hex) }
            leaves.append(bytes)
        }
        self.init(leaves: leaves)
    }

    /// Number of leaves.
    public var leafCount: Int { levels.first?.count ?? 0 }

    /// The root digest.
    public var root: [UInt8] {
        guard let top = levels.last, let root = top.first else { return MerkleHash.emptyRoot }
        return root
    }

    /// The root as lowercase hex.
    public var rootHex: String { Hex.string(root) }

    /// The inclusion proof for the leaf at `index` in the whole tree (the RFC 9162 audit path,
    /// hex), or nil when there is no such leaf. ``inclusionProof(leafIndex:treeSize:)`` gives
    /// it for any earlier tree size too.
    public func proof(for index: Int) -> MerkleProof? {
        guard let proof = try? inclusionProof(leafIndex: index) else { return nil }
        return MerkleProof(proof)
    }

    /// Whether `proof` shows that `leaf` (an entry hash) is leaf `proof.leafIndex` of a tree
    /// of `proof.leafCount` leaves whose root is `root`: RFC 9162 §2.1.3.2 (see
    /// ``InclusionProof/verify(leafHash:root:)``, which also says why it fails).
    ///
    /// The side of each sibling is derived from the index and the count, not taken from the
    /// proof, so a proof cannot move a leaf to another position.
    public static func verify(_ proof: MerkleProof, leaf: [UInt8], root: [UInt8]) -> Bool {
        guard let inclusion = proof.inclusionProof else { return false }
        do {
            try inclusion.verify(leafHash: MerkleHash.leaf(leaf), root: root)
            return true
        } catch {
            return false
        }
    }

    /// ``verify(_:leaf:root:)`` with hex leaf and root.
    public static func verify(_ proof: MerkleProof, leafHex: String, rootHex: String) -> Bool {
        guard let leaf = Hex.bytes(leafHex), let root = Hex.bytes(rootHex) else { return false }
        return verify(proof, leaf: leaf, root: root)
    }

    /// `MTH(D[range])` of RFC 9162 §2.1.1 over this tree's leaves, for any non-empty range inside
    /// them: a stored node when the range is one (a perfect aligned subtree, or an aligned
    /// subtree that ends at the last leaf), else the hash of its two RFC halves. O(log n).
    func subtreeHash(_ range: Range<Int>) -> [UInt8] {
        precondition(!range.isEmpty && range.lowerBound >= 0 && range.upperBound <= leafCount, "subtree \(range) outside \(leafCount) leaves")
        let count = range.count
        // The level whose nodes span `count` leaves: ceil(log2(count)).
        let level = Int.bitWidth - (count - 1).leadingZeroBitCount
        let span = 1 << level
        if range.lowerBound.isMultiple(of: span), count == span || range.upperBound == leafCount {
            return levels[level][range.lowerBound >> level]
        }
        let split = range.lowerBound + MerkleTree.largestPowerOfTwo(below: count)
        return MerkleHash.node(subtreeHash(range.lowerBound..<split), subtreeHash(split..<range.upperBound))
    }

    /// The `k` of RFC 9162 §2.1.1: the largest power of two smaller than `count` (`count` ≥ 2).
    static func largestPowerOfTwo(below count: Int) -> Int {
        precondition(count >= 2)
        return 1 << (Int.bitWidth - 1 - (count - 1).leadingZeroBitCount)
    }
}
