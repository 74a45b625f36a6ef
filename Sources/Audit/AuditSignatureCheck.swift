import Crypto
import Foundation

/// Checks the sender's Ed25519 signature an entry carries, if any.
enum AuditSignatureCheck {
    enum Outcome: Equatable {
        case unsigned
        case valid
        case invalid(String)
    }

    /// Verifies `signature` against `publicKey` over `signedData`, or over the canonical
    /// payload when `signedData` is absent.
    static func check(_ entry: AuditEntry) -> Outcome {
        switch (entry.signature, entry.publicKey) {
        case (nil, nil):
            return .unsigned
        case (nil, _?):
            return .invalid("publicKey present without signature")
        case (_?, nil):
            return .invalid("signature present without publicKey")
        case let (signature?, publicKey?):
            guard let signatureBytes = Data(base64Encoded: signature) else {
                return .invalid("signature is not base64")
            }
            guard let keyBytes = Data(base64Encoded: publicKey),
                  let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyBytes)
            else {
                return .invalid("publicKey is not a base64 raw Ed25519 key")
            }
            let message: Data
            if let signedData = entry.signedData {
                guard let bytes = Data(base64Encoded: signedData) else { return .invalid("signedData is not base64") }
                message = bytes
            } else {
                guard let bytes = try? CanonicalJSON.encode(entry.payload) else {
                    return .invalid("payload has no canonical form")
                }
                message = Data(bytes)
            }
            return key.isValidSignature(signatureBytes, for: message)
                ? .valid
                : .invalid("the signature does not verify with the entry's public key")
        }
    }
}
