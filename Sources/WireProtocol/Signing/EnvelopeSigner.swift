import Crypto
import Foundation

/// Signs envelopes with a role instance's Ed25519 private key.
///
/// The signature covers ``Envelope/signingDigest()``: SHA-256 of every frame byte except checksum
/// and signature, so type, version, sender, round, timestamp, id and payload are all bound to it.
/// The key is held as its raw 32 bytes (swift-crypto's key types are not `Sendable`) and rebuilt
/// for each signature, which costs microseconds.
public struct EnvelopeSigner: Sendable {
    private let rawPrivateKey: [UInt8]
    /// Base64 of the raw public key: what heartbeats publish and receivers pin.
    public let publicKeyBase64: String

    /// A signer with a fresh random key.
    public init() {
        self.init(privateKey: Curve25519.Signing.PrivateKey())
    }

    public init(privateKey: Curve25519.Signing.PrivateKey) {
        self.rawPrivateKey = Array(privateKey.rawRepresentation)
        self.publicKeyBase64 = PublicKeyCoding.base64(of: privateKey.publicKey)
    }

    /// A signer from the base64 of a raw 32-byte private key (as ``privateKeyBase64`` writes it).
    public init(privateKeyBase64: String) throws(ProtocolError) {
        guard let raw = Data(base64Encoded: privateKeyBase64.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw .invalidKey(reason: "private key is not base64")
        }
        do {
            self.init(privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: raw))
        } catch {
            throw .invalidKey(reason: "private key is not a raw 32-byte Ed25519 key (\(raw.count) bytes)")
        }
    }

    /// Base64 of the raw private key; keep it secret.
    public var privateKeyBase64: String { Data(rawPrivateKey).base64EncodedString() }

    /// `envelope` with its signature set.
    public func sign(_ envelope: Envelope) throws(ProtocolError) -> Envelope {
        var signed = envelope
        let digest = try envelope.signingDigest()
        do {
            let key = try Curve25519.Signing.PrivateKey(rawRepresentation: rawPrivateKey)
            signed.signature = Array(try key.signature(for: digest))
        } catch {
            throw .invalidKey(reason: "signing failed: \(error)")
        }
        return signed
    }
}
