/// Something a role did or decided, sent to the auditor for the hash-chained log.
public struct AuditEvent: ProtocolMessage, Hashable {
    public static let messageType = MessageType.auditEvent
    public static let schemaVersion = 1

    /// e.g. "selection", "clearing", "aggregation", "rejection".
    public var kind: String
    public var round: Int?
    /// What the event is about, e.g. "client-17" or "model-v3".
    public var subject: String?
    /// The event's inputs and outcome, free-form.
    public var detail: [String: JSONValue]

    public init(kind: String, round: Int? = nil, subject: String? = nil, detail: [String: JSONValue] = [:]) {
        self.kind = kind
        self.round = round
        self.subject = subject
        self.detail = detail
    }
}

extension AuditEvent {
    public var authorship: Authorship { Authorship(sender: .anyone, round: round) }
}
