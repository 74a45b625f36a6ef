/// The sender names of a run's roles, as they appear in envelopes and in the keyring.
public enum SenderName {
    public static let server = "server"
    public static let aggregator = "aggregator"
    public static let auditor = "auditor"

    /// The name a client's guardian sends under.
    public static func guardian(_ client: Int) -> String { "guardian-\(client)" }

    /// The client a guardian sender name speaks for, if it is one.
    public static func client(ofGuardian sender: String) -> Int? {
        guard sender.hasPrefix("guardian-"), let client = Int(sender.dropFirst("guardian-".count)), client >= 0 else {
            return nil
        }
        return guardian(client) == sender ? client : nil
    }
}

/// Who may send a message, as the message itself states it (``ProtocolMessage/authorship``).
public enum SenderRule: Sendable, Hashable, CustomStringConvertible {
    /// Only this sender name, e.g. the server for assignments.
    case exactly(String)
    /// Only the guardian of this client: a bid or update for client 7 must come from "guardian-7".
    case guardian(client: Int)
    /// Any sender the trust policy accepts (audit events: every role reports).
    case anyone

    public func allows(_ sender: String) -> Bool {
        switch self {
        case .exactly(let name): sender == name
        case .guardian(let client): sender == SenderName.guardian(client)
        case .anyone: true
        }
    }

    /// The one sender name the rule allows, if it allows exactly one.
    public var onlySender: String? {
        switch self {
        case .exactly(let name): name
        case .guardian(let client): SenderName.guardian(client)
        case .anyone: nil
        }
    }

    public var description: String {
        switch self {
        case .exactly(let name): "'\(name)'"
        case .guardian(let client): "'\(SenderName.guardian(client))'"
        case .anyone: "any sender"
        }
    }
}

/// What a message's content says about its envelope: who may have sent it and for which round.
/// The subscriber checks it against the envelope before a handler sees the message, so a guardian's
/// valid key cannot speak for another client and a message cannot be re-labelled for another round
/// (the envelope is signed, and the payload must agree with it).
public struct Authorship: Sendable, Hashable {
    public var sender: SenderRule
    /// The round the payload is about; `nil` when it names none. Must equal the envelope's round.
    public var round: Int?
    /// The run the payload names, if it names one. Must equal the envelope's run id.
    public var runID: String?

    public init(sender: SenderRule, round: Int?, runID: String? = nil) {
        self.sender = sender
        self.round = round
        self.runID = runID
    }

    /// Throws ``ProtocolError/senderNotAllowed(sender:type:)`` or
    /// ``ProtocolError/bindingMismatch(sender:type:reason:)``.
    public func check(_ envelope: Envelope) throws(ProtocolError) {
        guard sender.allows(envelope.sender) else {
            if case .guardian(let client) = sender, SenderName.client(ofGuardian: envelope.sender) != nil {
                throw .bindingMismatch(
                    sender: envelope.sender, type: envelope.type,
                    reason: "it is about client \(client), which \(envelope.sender) does not speak for")
            }
            throw .senderNotAllowed(sender: envelope.sender, type: envelope.type)
        }
        if let round, round != envelope.round {
            throw .bindingMismatch(
                sender: envelope.sender, type: envelope.type,
                reason: "its payload is about round \(round), its envelope says \(envelope.round.map(String.init) ?? "none")")
        }
        if let runID, runID != envelope.runID {
            throw .bindingMismatch(
                sender: envelope.sender, type: envelope.type,
                reason: "its payload names run '\(runID)', its envelope run '\(envelope.runID)'")
        }
    }
}
