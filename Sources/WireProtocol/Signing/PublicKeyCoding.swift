import Crypto
import Foundation

/// Base64 of raw Ed25519 public keys, the form heartbeats carry.
public enum PublicKeyCoding {
    public static func base64(of key: Curve25519.Signing.PublicKey) -> String {
        key.rawRepresentation.base64EncodedString()
    }

    public static func publicKey(base64: String) throws(ProtocolError) -> Curve25519.Signing.PublicKey {
        guard let raw = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw .invalidKey(reason: "public key is not base64")
        }
        do {
            return try Curve25519.Signing.PublicKey(rawRepresentation: raw)
        } catch {
            throw .invalidKey(reason: "public key is not a raw 32-byte Ed25519 key (\(raw.count) bytes)")
        }
    }
}
