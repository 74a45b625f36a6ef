/// Every kind of message the roles exchange. The raw value is the name used on the wire, in
/// `topics/*.json` (`messageType`) and in logs.
public enum MessageType: String, Sendable, Hashable, CaseIterable, Codable {
    case roundAnnouncement = "round-announcement"
    case bid = "bid"
    case assignment = "assignment"
    case globalModel = "global-model"
    case clientUpdate = "client-update"
    case roundMetrics = "round-metrics"
    case auditEvent = "audit-event"
    case auditRoot = "audit-root"
    case heartbeat = "heartbeat"
    case placeOffer = "place-offer"
    case offerAnswer = "offer-answer"

    /// The Swift type that carries this message's payload.
    public var payloadType: any ProtocolMessage.Type {
        switch self {
        case .roundAnnouncement: RoundAnnouncement.self
        case .bid: Bid.self
        case .assignment: Assignment.self
        case .globalModel: GlobalModel.self
        case .clientUpdate: ClientUpdate.self
        case .roundMetrics: RoundMetrics.self
        case .auditEvent: AuditEvent.self
        case .auditRoot: AuditRoot.self
        case .heartbeat: Heartbeat.self
        case .placeOffer: PlaceOffer.self
        case .offerAnswer: OfferAnswer.self
        }
    }

    /// The schema version this build writes and the only one it reads: an envelope with another
    /// version is rejected, never guessed at.
    public var schemaVersion: Int { payloadType.schemaVersion }
}

extension MessageType: CustomStringConvertible {
    public var description: String { rawValue }
}
