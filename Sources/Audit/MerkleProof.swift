/// Evidence that one leaf belongs to a Merkle root: the sibling hashes from the leaf up.
public struct MerkleProof: Sendable, Hashable, Codable {
    /// Position of the leaf among all leaves, from 0.
    public var leafIndex: Int
    /// Number of leaves in the tree the root was computed over.
    public var leafCount: Int
    /// Hex sibling node hashes, leaf level first; levels where the node was promoted have none.
    public var siblings: [String]

    public init(leafIndex: Int, leafCount: Int, siblings: [String]) {
        self.leafIndex = leafIndex
        self.leafCount = leafCount
        self.siblings = siblings
    }
}
