import Synchronization

/// The public key pinned for each sender: trust on first use, typically from its first heartbeat.
///
/// A class shared between the heartbeat handler that pins and the subscribers that verify; the
/// mutex makes it `Sendable`.
public final class SenderKeyRing: Sendable {
    /// Sender name -> verifier for its pinned key, with the key's base64 to compare re-pins.
    private let keys: Mutex<[String: (base64: String, verifier: EnvelopeVerifier)]>

    public init() {
        self.keys = Mutex([:])
    }

    /// Pins `publicKeyBase64` for `sender` unless a key is already pinned. Returns `true` if it was
    /// newly pinned; throws ``ProtocolError/keyMismatch(sender:)`` if another key is pinned.
    @discardableResult
    public func pin(sender: String, publicKeyBase64: String) throws(ProtocolError) -> Bool {
        let verifier = try EnvelopeVerifier(publicKeyBase64: publicKeyBase64)
        let canonical = try PublicKeyCoding.base64(of: PublicKeyCoding.publicKey(base64: publicKeyBase64))
        let outcome: Bool? = keys.withLock { keys in
            if let pinned = keys[sender] { return pinned.base64 == canonical ? false : nil }
            keys[sender] = (canonical, verifier)
            return true
        }
        guard let outcome else { throw .keyMismatch(sender: sender) }
        return outcome
    }

    /// Base64 of the key pinned for `sender`.
    public func publicKeyBase64(for sender: String) -> String? {
        keys.withLock { $0[sender]?.base64 }
    }

    public var senders: [String] { keys.withLock { Array($0.keys).sorted() } }

    /// Verifies `envelope` against its sender's pinned key; throws ``ProtocolError/unknownSigner(sender:)``
    /// if none is pinned.
    public func verify(_ envelope: Envelope) throws(ProtocolError) {
        guard let verifier = keys.withLock({ $0[envelope.sender]?.verifier }) else {
            throw .unknownSigner(sender: envelope.sender)
        }
        try verifier.verify(envelope)
    }
}
