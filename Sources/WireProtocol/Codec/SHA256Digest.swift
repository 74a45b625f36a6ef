import Foundation
import Crypto

/// SHA-256 helpers: the protocol's one checksum (tensor attachments, envelope frames, chunk sets)
/// and the digests that audit and replay compare. BoringSSL's SHA-256 runs at memory speed even in
/// debug builds, unlike a CRC written in Swift.
public enum SHA256Digest {
    /// The 32-byte digest of `bytes`.
    public static func bytes(of bytes: some ContiguousBytes) -> [UInt8] {
        bytes.withUnsafeBytes { Array(SHA256.hash(data: $0)) }
    }

    /// The lowercase hex digest of `bytes`.
    public static func hex(of bytes: some ContiguousBytes) -> String {
        hexString(self.bytes(of: bytes))
    }

    /// Lowercase hex of arbitrary bytes.
    public static func hexString(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
