import Foundation
import WireProtocol

/// How a protocol message appears in the audit log: its fields as JSON, with tensors replaced by
/// their digest and shape (the log proves which update was merged without storing the weights).
enum AuditRecord {
    static func payload(of envelope: Envelope) throws -> JSONValue {
        switch envelope.type {
        case .globalModel:
            let model = try envelope.decode(as: GlobalModel.self)
            return [
                "version": .number(Double(model.version)), "round": .number(Double(model.round)),
                "architecture": .string(model.architecture), "digest": .string(model.digest),
                "digest_verified": .bool(model.digestMatches), "parameters": .number(Double(model.parameters.values.count)),
            ]
        case .clientUpdate:
            let update = try envelope.decode(as: ClientUpdate.self)
            return [
                "round": .number(Double(update.round)), "client_id": .number(Double(update.clientID)),
                "base_model_version": .number(Double(update.baseModelVersion)),
                "sample_count": .number(Double(update.sampleCount)), "train_loss": .number(update.trainLoss),
                "train_seconds": .number(update.trainSeconds), "digest": .string(update.digest),
                "digest_verified": .bool(update.digestMatches), "parameters": .number(Double(update.parameters.values.count)),
            ]
        case .roundAnnouncement: return try json(envelope.decode(as: RoundAnnouncement.self))
        case .bid: return try json(envelope.decode(as: Bid.self))
        case .assignment: return try json(envelope.decode(as: Assignment.self))
        case .roundMetrics: return try json(envelope.decode(as: RoundMetrics.self))
        case .auditEvent: return try json(envelope.decode(as: AuditEvent.self))
        case .auditRoot: return try json(envelope.decode(as: AuditRoot.self))
        case .heartbeat: return try json(envelope.decode(as: Heartbeat.self))
        }
    }

    private static func json(_ message: some Encodable) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return try JSONDecoder().decode(JSONValue.self, from: encoder.encode(message))
    }
}
