/// What a ``ProtocolSubscriber`` checks before a message reaches its handler.
///
/// Every policy checks the run id and the message's binding to its sender (``SenderRule``); only
/// ``keyring(_:)`` checks signatures. There is deliberately no trust-on-first-use: a key is
/// trusted because the run's keyring lists it, never because a message announced it.
public enum TrustPolicy: Sendable {
    /// Every envelope must be signed by the key the run's keyring holds for its sender.
    case keyring(KeyringVerifier)
    /// Signatures are not checked. Only for roles a user started by hand with `--insecure`; the
    /// roles log it loudly and the results record it.
    case insecure

    public var isInsecure: Bool {
        if case .insecure = self { true } else { false }
    }
}
