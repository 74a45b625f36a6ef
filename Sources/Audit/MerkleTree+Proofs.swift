/// Inclusion and consistency proofs for any tree size up to the leaves at hand, as RFC 9162
/// §2.1.3.1 and §2.1.4.1 define them (`PATH` and `PROOF`/`SUBPROOF`), over the stored nodes.
extension MerkleTree {
    /// The root of the tree of the first `treeSize` leaves (`MTH(D[0:treeSize])`).
    public func root(treeSize: Int) throws(MerkleProofError) -> [UInt8] {
        guard treeSize >= 0, treeSize <= leafCount else { throw .treeSizeOutOfRange(treeSize: treeSize, leaves: leafCount) }
        return treeSize == 0 ? MerkleHash.emptyRoot : subtreeHash(0..<treeSize)
    }

    /// The audit path of leaf `leafIndex` in the tree of the first `treeSize` leaves (all of them
    /// by default): `PATH(m, D[n])` of RFC 9162 §2.1.3.1.
    public func inclusionProof(leafIndex: Int, treeSize: Int? = nil) throws(MerkleProofError) -> InclusionProof {
        let size = treeSize ?? leafCount
        guard size >= 0, size <= leafCount else { throw .treeSizeOutOfRange(treeSize: size, leaves: leafCount) }
        guard leafIndex >= 0, leafIndex < size else { throw .leafIndexOutOfRange(index: leafIndex, treeSize: size) }
        return InclusionProof(leafIndex: leafIndex, treeSize: size, auditPath: path(leafIndex, 0..<size))
    }

    /// The proof that the tree of the first `first` leaves is a prefix of the tree of the first
    /// `second` (all leaves by default): `PROOF(m, D[n])` of RFC 9162 §2.1.4.1; empty for equal
    /// sizes. A first size of 0 is refused, as the verifier refuses it.
    public func consistencyProof(from first: Int, to second: Int? = nil) throws(MerkleProofError) -> ConsistencyProof {
        let size = second ?? leafCount
        guard size >= 0, size <= leafCount else { throw .treeSizeOutOfRange(treeSize: size, leaves: leafCount) }
        guard first >= 0, first <= size else { throw .sizesOutOfOrder(first: first, second: size) }
        guard first > 0 else { throw .emptyFirstTree(second: size) }
        return ConsistencyProof(firstSize: first, secondSize: size, path: subproof(first, 0..<size, complete: true))
    }

    /// `PATH(m, D[range])`, with `m` counted from the start of the whole tree.
    private func path(_ m: Int, _ range: Range<Int>) -> [[UInt8]] {
        guard range.count > 1 else { return [] }
        let split = range.lowerBound + Self.largestPowerOfTwo(below: range.count)
        if m < split {
            return path(m, range.lowerBound..<split) + [subtreeHash(split..<range.upperBound)]
        }
        return path(m, split..<range.upperBound) + [subtreeHash(range.lowerBound..<split)]
    }

    /// `SUBPROOF(m, D[range], b)`, with `m` counted from the start of `range`; `complete` is the
    /// RFC's `b`: whether `D[range.lowerBound ..< range.lowerBound + m]` is the first tree itself,
    /// whose root the verifier already has.
    private func subproof(_ m: Int, _ range: Range<Int>, complete: Bool) -> [[UInt8]] {
        if m == range.count { return complete ? [] : [subtreeHash(range)] }
        let k = Self.largestPowerOfTwo(below: range.count)
        let split = range.lowerBound + k
        if m <= k {
            return subproof(m, range.lowerBound..<split, complete: complete) + [subtreeHash(split..<range.upperBound)]
        }
        return subproof(m - k, split..<range.upperBound, complete: false) + [subtreeHash(range.lowerBound..<split)]
    }
}
