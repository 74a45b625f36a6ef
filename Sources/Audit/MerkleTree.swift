import Crypto

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
public struct MerkleTree: Sendable, Hashable {
    /// Every level, leaves first, root last.
    private let levels: [[[UInt8]]]

    /// - Parameter leaves: the leaf values (entry hashes), in log order.
    public init(leaves: [[UInt8]]) {
        var levels: [[[UInt8]]] = [leaves.map { Self.leafNode($0) }]
        while let last = levels.last, last.count > 1 {
            var next: [[UInt8]] = []
            next.reserveCapacity((last.count + 1) / 2)
            var index = 0
            while index < last.count {
                if index + 1 < last.count {
                    next.append(Self.innerNode(last[index], last[index + 1]))
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
        guard let top = levels.last, let root = top.first else { return Array(SHA256.hash(data: [UInt8]())) }
        return root
    }

    /// The root as lowercase hex.
    public var rootHex: String { Hex.string(root) }

    /// The inclusion proof for the leaf at `index`, or nil when there is no such leaf.
    public func proof(for index: Int) -> MerkleProof? {
        guard index >= 0, index < leafCount else { return nil }
        var siblings: [String] = []
        var position = index
        for level in levels.dropLast() {
            let sibling = position.isMultiple(of: 2) ? position + 1 : position - 1
            if sibling < level.count { siblings.append(Hex.string(level[sibling])) }
            position /= 2
        }
        return MerkleProof(leafIndex: index, leafCount: leafCount, siblings: siblings)
    }

    /// Whether `proof` shows that `leaf` (an entry hash) is leaf `proof.leafIndex` of a tree
    /// of `proof.leafCount` leaves whose root is `root`.
    ///
    /// The side of each sibling is derived from the index and the count, not taken from the
    /// proof, so a proof cannot move a leaf to another position.
    public static func verify(_ proof: MerkleProof, leaf: [UInt8], root: [UInt8]) -> Bool {
        guard proof.leafIndex >= 0, proof.leafIndex < proof.leafCount else { return false }
        var node = leafNode(leaf)
        var position = proof.leafIndex
        var width = proof.leafCount
        var siblings = proof.siblings[...]
        while width > 1 {
            let isRight = !position.isMultiple(of: 2)
            if isRight || position + 1 < width {
                guard let hex = siblings.popFirst(), let sibling = Hex.bytes(hex), sibling.count == 32 else { return false }
                node = isRight ? innerNode(sibling, node) : innerNode(node, sibling)
            }
            position /= 2
            width = (width + 1) / 2
        }
        return siblings.isEmpty && node == root
    }

    /// ``verify(_:leaf:root:)`` with hex leaf and root.
    public static func verify(_ proof: MerkleProof, leafHex: String, rootHex: String) -> Bool {
        guard let leaf = Hex.bytes(leafHex), let root = Hex.bytes(rootHex) else { return false }
        return verify(proof, leaf: leaf, root: root)
    }

    static func leafNode(_ leaf: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: leaf)
        return Array(hasher.finalize())
    }

    static func innerNode(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [0x01])
        hasher.update(data: left)
        hasher.update(data: right)
        return Array(hasher.finalize())
    }
}
