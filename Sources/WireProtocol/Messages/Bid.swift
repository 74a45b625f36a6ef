/// A guardian's answer to a round announcement: participate at an ask price, or decline with a reason.
public struct Bid: ProtocolMessage, Hashable {
    public static let messageType = MessageType.bid
    public static let schemaVersion = 1

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

    public init(
        round: Int, clientID: Int, decision: BidDecision, askPrice: Double, sampleCount: Int,
        labelHistogram: [Int], device: DeviceProfile, privacyBudgetRemaining: Double? = nil,
        availability: Double = 1
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
    }

    public var recordKey: String? { String(clientID) }
}
