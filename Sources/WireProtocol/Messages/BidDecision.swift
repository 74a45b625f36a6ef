/// Whether a guardian takes part in a round. Encoded as
/// `{"participate": {}}` or `{"decline": {"reason": "..."}}`.
public enum BidDecision: Sendable, Hashable, Codable {
    case participate
    case decline(reason: String)

    public var isParticipating: Bool {
        if case .participate = self { true } else { false }
    }
}
