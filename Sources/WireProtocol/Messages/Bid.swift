/// A guardian's answer to a round announcement: participate at an ask price, or decline with a reason.
public struct Bid: ProtocolMessage, Hashable {
    public static let messageType = MessageType.bid
    /// 2: the guardian's privacy statement (what the round would spend of its budget).
    public static let schemaVersion = 2

    public var round: Int
    public var clientID: Int
    public var decision: BidDecision
    /// The payment the client asks for its update (reverse auction).
    public var askPrice: Double
    public var sampleCount: Int
    /// Samples per label, indexed by label.
    public var labelHistogram: [Int]
    public var device: DeviceProfile
    /// Remaining differential-privacy budget (epsilon), if the guardian tracks one.
    public var privacyBudgetRemaining: Double?
    /// Estimated probability (0...1) that the client stays online through the round.
    public var availability: Double
    /// With differential privacy on: the mechanism, the budget, ε spent so far and ε once this
    /// round is spent. nil: the client trains without DP.
    public var privacy: PrivacyStatement?

    public init(
        round: Int, clientID: Int, decision: BidDecision, askPrice: Double, sampleCount: Int,
        labelHistogram: [Int], device: DeviceProfile, privacyBudgetRemaining: Double? = nil,
        availability: Double = 1, privacy: PrivacyStatement? = nil
    ) {
        self.round = round
        self.clientID = clientID
        self.decision = decision
        self.askPrice = askPrice
        self.sampleCount = sampleCount
        self.labelHistogram = labelHistogram
        self.device = device
        self.privacyBudgetRemaining = privacyBudgetRemaining
        self.availability = availability
        self.privacy = privacy
    }

    public var recordKey: String? { String(clientID) }
}

extension Bid {
    /// The reason a guardian gives when the round would take its client past its DP budget.
    public static let privacyBudgetReason = "privacy budget"
    /// The decline of a client whose device is offline that round.
    public static let offlineReason = "offline"

    /// Whether the server may select this bid: it participates, and if it states a privacy
    /// spend, that spend stays within its budget; with `requiringPrivacy` (the run has DP on) a
    /// participating bid without a statement is not eligible either.
    public func isEligible(requiringPrivacy: Bool) -> Bool {
        guard decision.isParticipating else { return false }
        if let privacy { return privacy.withinBudget }
        return !requiringPrivacy
    }

    public var authorship: Authorship { Authorship(sender: .guardian(client: clientID), round: round) }
}
