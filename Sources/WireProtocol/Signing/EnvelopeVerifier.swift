import Crypto

/// Checks envelope signatures against one sender's public key.
public struct EnvelopeVerifier: Sendable {
    /// Raw 32-byte Ed25519 public key (swift-crypto's key type is not `Sendable`).
    private let rawPublicKey: [UInt8]

    public init(publicKey: Curve25519.Signing.PublicKey) {
        self.rawPublicKey = Array(publicKey.rawRepresentation)
    }

    public init(publicKeyBase64: String) throws(ProtocolError) {
        self.init(publicKey: try PublicKeyCoding.publicKey(base64: publicKeyBase64))
    }

    /// Throws ``ProtocolError/unsigned(sender:)`` or ``ProtocolError/badSignature(sender:)``.
    public func verify(_ envelope: Envelope) throws(ProtocolError) {
        guard let signature = envelope.signature else { throw .unsigned(sender: envelope.sender) }
        let digest = try envelope.signingDigest()
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: rawPublicKey),
              key.isValidSignature(signature, for: digest)
        else {
            throw .badSignature(sender: envelope.sender)
        }
    }
}
