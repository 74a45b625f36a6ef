import Crypto

/// The RFC 6962 / RFC 9162 §2.1.1 hashes with SHA-256, in one place for the tree and the proofs.
///
/// The two domain bytes keep a leaf from ever passing for an inner node (second pre-image).
public enum MerkleHash {
    /// Length of every hash, in bytes.
    public static let size = 32

    /// `SHA-256(0x00 ‖ leaf)`: the hash of a leaf (for the audit log, `leaf` is an entry's
    /// 32-byte `hash`).
    public static func leaf(_ leaf: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: [0x00] + leaf))
    }

    /// `SHA-256(0x01 ‖ left ‖ right)`: the hash of an inner node.
    public static func node(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: [0x01] + left + right))
    }

    /// `SHA-256("")`: the root of the empty tree.
    public static var emptyRoot: [UInt8] { Array(SHA256.hash(data: [UInt8]())) }
}
