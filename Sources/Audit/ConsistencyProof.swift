/// An RFC 9162 §2.1.4 consistency proof: the node hashes showing that the tree of the first
/// `firstSize` leaves is a prefix of the tree of the first `secondSize` — the log only grew.
/// Make one with ``MerkleTree/consistencyProof(from:to:)``.
public struct ConsistencyProof: Sendable, Hashable {
    public var firstSize: Int
    public var secondSize: Int
    /// `PROOF(m, D[n])` of §2.1.4.1; empty when the sizes are equal.
    public var path: [[UInt8]]

    public init(firstSize: Int, secondSize: Int, path: [[UInt8]]) {
        self.firstSize = firstSize
        self.secondSize = secondSize
        self.path = path
    }

    /// Throws unless the path shows that `firstRoot` (of `firstSize` leaves) and `secondRoot` (of
    /// `secondSize`) are roots of one log, the second an extension of the first.
    ///
    /// For `0 < first < second` this is the algorithm of RFC 9162 §2.1.4.2. The RFC states it for
    /// that case only; the edges follow RFC 9162 §2.1.4.1 as transparency-dev/merkle does: equal
    /// sizes need an empty path and equal roots, a first size of 0 is refused (the empty tree is a
    /// prefix of everything, so such a proof shows nothing), and first > second is refused.
    public func verify(firstRoot: [UInt8], secondRoot: [UInt8]) throws(MerkleProofError) {
        guard firstSize >= 0, firstSize <= secondSize else { throw .sizesOutOfOrder(first: firstSize, second: secondSize) }
        guard firstSize > 0 else { throw .emptyFirstTree(second: secondSize) }
        if firstSize == secondSize {
            guard path.isEmpty else { throw .wrongPathLength(got: path.count, expected: 0) }
            guard firstRoot == secondRoot else {
                throw .rootMismatch(.second, computed: Hex.string(firstRoot), expected: Hex.string(secondRoot))
            }
            return
        }
        guard firstRoot.count == MerkleHash.size else { throw .wrongHashLength(what: "the first root", bytes: firstRoot.count) }
        guard secondRoot.count == MerkleHash.size else { throw .wrongHashLength(what: "the second root", bytes: secondRoot.count) }
        for (position, node) in path.enumerated() where node.count != MerkleHash.size {
            throw .wrongHashLength(what: "consistency path hash \(position)", bytes: node.count)
        }
        // 1. An empty path fails.
        guard !path.isEmpty else { throw wrongLength }
        // 2. When first is a power of two its root is a node of the second tree, left out of the path.
        var nodes = path
        if firstSize & (firstSize - 1) == 0 { nodes.insert(firstRoot, at: 0) }
        // 3.
        var fn = firstSize - 1
        var sn = secondSize - 1
        // 4.
        if fn & 1 == 1 {
            while fn & 1 == 1 {
                fn >>= 1
                sn >>= 1
            }
        }
        // 5.
        var fr = nodes[0]
        var sr = nodes[0]
        // 6.
        for c in nodes.dropFirst() {
            // a.
            guard sn != 0 else { throw wrongLength }
            if fn & 1 == 1 || fn == sn {
                // b. c is a left sibling in both trees.
                fr = MerkleHash.node(c, fr)
                sr = MerkleHash.node(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0, fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                // c is a right sibling, only in the second tree.
                sr = MerkleHash.node(sr, c)
            }
            // c.
            fn >>= 1
            sn >>= 1
        }
        // 7.
        guard sn == 0 else { throw wrongLength }
        guard fr == firstRoot else { throw .rootMismatch(.first, computed: Hex.string(fr), expected: Hex.string(firstRoot)) }
        guard sr == secondRoot else { throw .rootMismatch(.second, computed: Hex.string(sr), expected: Hex.string(secondRoot)) }
    }

    /// The length the RFC loop accepts for `0 < first < second` (for the message only): the
    /// first tree's rightmost perfect subtree (unless it is the whole first tree), the inner
    /// hashes up to where the paths to leaves `first-1` and `second-1` meet, and the left
    /// siblings on the border above.
    private var wrongLength: MerkleProofError {
        let fork = Int.bitWidth - ((firstSize - 1) ^ (secondSize - 1)).leadingZeroBitCount
        let border = ((firstSize - 1) >> fork).nonzeroBitCount
        let inner = fork - firstSize.trailingZeroBitCount
        let seed = firstSize & (firstSize - 1) == 0 ? 0 : 1
        return .wrongPathLength(got: path.count, expected: seed + inner + border)
    }
}
