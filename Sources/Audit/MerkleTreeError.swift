/// Why a Merkle tree could not be built.
public enum MerkleTreeError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidHex(String)

    public var description: String {
        switch self {
        case .invalidHex(let text): "leaf \"\(text)\" is not a hex digest"
        }
    }
}
