import Foundation
import WireProtocol

/// What the auditor adds to a recorded message beyond what its sender signed: for tensors, whether
/// each digest the sender claims matches the tensor that arrived, and the parameter count. These
/// go to the entry's `auditorNotes` (the auditor's claim), never into the signed `payload`.
enum AuditRecord {
    static func auditorNotes(of received: ReceivedEnvelope) -> JSONValue? {
        switch received.message {
        case let model as GlobalModel:
            ["digest_verified": .bool(model.digestMatches), "parameters": .exact(model.parameters.values.count)]
        case let update as ClientUpdate:
            ["digest_verified": .bool(update.digestMatches), "parameters": .exact(update.parameters.values.count)]
        default:
            nil
        }
    }
}

/// Hands every message to the auditor's handler: the book itself tells a redelivery (same
/// position) from a verbatim replay (same id, another position), which a by-id de-duplicator
/// would silently swallow.
struct RecordEverything: DeduplicationStore {
    func contains(_ id: MessageID) -> Bool { false }
    func remember(_ id: MessageID) throws(ProtocolError) {}
}
