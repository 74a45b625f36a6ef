import Foundation
import Logging
import WireProtocol

/// Tells the auditor what a role refused: every record its subscriber or handler rejected, and
/// every update it excluded, as an `audit-event` signed by the role. The auditor logs it beside
/// the message itself, so the log shows not only that a forged bid was on the topic but that the
/// server refused it and why.
///
/// Reporting is best effort: a failure to publish is logged and does not stop the role (the
/// record itself is still refused, and the auditor sees the record on its own topic).
public struct RejectionReporter: Sendable {
    public let publisher: ProtocolPublisher
    public let logger: Logger

    public init(publisher: ProtocolPublisher, logger: Logger) {
        self.publisher = publisher
        self.logger = logger
    }

    /// Reports a record the subscriber or the handler refused.
    @Sendable public func report(_ rejected: RejectedRecord) async {
        var detail: [String: JSONValue] = [
            "reason": .string(rejected.reason.rawValue), "detail": .string(rejected.detail),
            "topic": .string(rejected.topic), "partition": .number(Double(rejected.partition)),
            "offset": .string(String(rejected.offset)),
        ]
        if let envelope = rejected.envelope {
            detail["message_id"] = .string(envelope.id.description)
            detail["claimed_type"] = .string(envelope.type.rawValue)
            detail["claimed_sender"] = .string(envelope.sender)
            detail["claimed_run"] = .string(envelope.runID)
            if let round = envelope.round { detail["claimed_round"] = .number(Double(round)) }
        }
        // The event is about the round the record claimed; a claim cannot be trusted, so the
        // event itself carries no round (its envelope's round must match its payload's).
        await report(kind: "rejection", round: nil, subject: rejected.envelope?.sender, detail: detail)
    }

    /// Reports something the role refused to act on, e.g. an update excluded from a merge.
    public func report(kind: String, round: Int?, subject: String?, detail: [String: JSONValue]) async {
        var detail = detail
        detail["role"] = .string(publisher.sender)
        do {
            _ = try await publisher.publish(AuditEvent(kind: kind, round: round, subject: subject, detail: detail))
        } catch {
            logger.error("could not report a \(kind) to the auditor: \(error)")
        }
    }
}
