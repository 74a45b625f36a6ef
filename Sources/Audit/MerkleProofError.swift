/// Why an inclusion or consistency proof cannot be made or does not verify.
public enum MerkleProofError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which of a consistency proof's two roots a mismatch is about.
    public enum Root: String, Sendable, Hashable {
        case tree = "root"
        case first = "first tree's root"
        case second = "second tree's root"
    }

    /// The leaf index is not below the tree size (or negative).
    case leafIndexOutOfRange(index: Int, treeSize: Int)
    /// Asked for a tree larger than the leaves at hand (or of negative size).
    case treeSizeOutOfRange(treeSize: Int, leaves: Int)
    /// A consistency proof from a larger tree to a smaller one (or from a negative size).
    case sizesOutOfOrder(first: Int, second: Int)
    /// A consistency proof from the empty tree: it is a prefix of every tree, there is nothing to prove.
    case emptyFirstTree(second: Int)
    /// A hash that is not 32 bytes: `what` names it.
    case wrongHashLength(what: String, bytes: Int)
    /// The path has more or fewer hashes than the sizes call for.
    case wrongPathLength(got: Int, expected: Int)
    /// The hashes chain to another root than the one given (hex).
    case rootMismatch(Root, computed: String, expected: String)

    public var description: String {
        switch self {
        case .leafIndexOutOfRange(let index, let treeSize):
            "leaf index \(index) is not in a tree of \(treeSize) leaves (indices 0..<\(treeSize))"
        case .treeSizeOutOfRange(let treeSize, let leaves):
            "tree size \(treeSize) is not between 0 and the \(leaves) leaves there are"
        case .sizesOutOfOrder(let first, let second):
            "a consistency proof needs 0 < first ≤ second; got first \(first), second \(second)"
        case .emptyFirstTree(let second):
            "a consistency proof from the empty tree to size \(second) proves nothing (the empty tree is a prefix of every tree)"
        case .wrongHashLength(let what, let bytes):
            "\(what) is \(bytes) bytes, not the 32 of a SHA-256 hash"
        case .wrongPathLength(let got, let expected):
            "the path has \(got) hash\(got == 1 ? "" : "es"); these sizes call for \(expected)"
        case .rootMismatch(let root, let computed, let expected):
            "the path leads to \(root.rawValue) \(computed), not \(expected)"
        }
    }
}
