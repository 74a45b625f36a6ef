import Crypto
import Foundation

/// A role's private signing key, stored as base64 of the raw 32 bytes in a file only its owner
/// may read.
public enum SigningKeyFile {
    public static func load(from url: URL) throws -> Curve25519.Signing.PrivateKey {
        guard let text = try? String(contentsOf: url, encoding: .utf8),
              let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw AgentError.invalidFile(url.path, reason: "not a base64 Ed25519 private key") }
        return key
    }

    /// Writes the key so that no other user can read it at any moment (see ``PrivateFile``).
    public static func write(_ key: Curve25519.Signing.PrivateKey, to url: URL) throws {
        try PrivateFile.write(Array(key.rawRepresentation.base64EncodedString().utf8), to: url, what: "key file")
    }
}
