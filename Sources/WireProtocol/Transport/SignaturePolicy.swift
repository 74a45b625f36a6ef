/// How a ``ProtocolSubscriber`` treats signatures.
public enum SignaturePolicy: Sendable {
    /// Signatures are not checked.
    case ignore
    /// Signed envelopes from senders with a pinned key must verify; others pass.
    case verifyKnownSenders(SenderKeyRing)
    /// Every envelope must be signed by its sender's pinned key.
    case requireKnownSenders(SenderKeyRing)

    var keyRing: SenderKeyRing? {
        switch self {
        case .ignore: nil
        case .verifyKnownSenders(let ring), .requireKnownSenders(let ring): ring
        }
    }
}
