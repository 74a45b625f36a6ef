import Foundation
import WireProtocol

extension AuditEntry {
    /// What a log keeps of an envelope's payload: the JSON metadata verbatim, the hex SHA-256 of
    /// each attachment, and the readable form derived from them (``ReadablePayload``).
    public struct MessageContent: Sendable, Hashable {
        public var json: String
        public var attachments: [String]
        public var readable: JSONValue
    }

    /// Why an envelope's payload cannot be kept in the log's form.
    public struct ContentError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public static func content(of envelope: Envelope) throws(ContentError) -> MessageContent {
        let parts: PayloadCodec.Parts
        do {
            parts = try PayloadCodec.split(envelope.payload)
        } catch {
            throw ContentError(description: "the payload is not in the payload layout: \(error)")
        }
        guard let json = String(validating: Array(parts.json), as: UTF8.self) else {
            throw ContentError(description: "the payload's JSON is not valid UTF-8")
        }
        let attachments = parts.attachments.map { Hex.string(SHA256Digest.bytes(of: Array($0))) }
        do {
            return MessageContent(json: json, attachments: attachments, readable: try ReadablePayload.derive(json: json, attachments: attachments))
        } catch {
            throw ContentError(description: error.description)
        }
    }

    /// A draft entry (``AuditLog/append(_:)`` sets index, prev and hash) recording `envelope`
    /// with everything its signature covers. With `publicKey` nil (a run without a keyring) the
    /// entry keeps the content but no signature: there was nothing to verify it against.
    public static func recording(
        _ envelope: Envelope, publicKey: String?, auditorNotes: JSONValue? = nil, origin: AuditOrigin?,
        recordedAt: Int? = nil
    ) throws(ContentError) -> AuditEntry {
        let content = try content(of: envelope)
        let signed = publicKey != nil && envelope.signature != nil
        return AuditEntry(
            index: 0, prev: "", hash: "", type: envelope.type.rawValue, round: envelope.round, sender: envelope.sender,
            timestamp: Int(envelope.timestamp.millisecondsSince1970), messageID: envelope.id.description,
            runID: envelope.runID, schemaVersion: envelope.schemaVersion, payloadJSON: content.json,
            attachments: content.attachments,
            signature: signed ? envelope.signature.map { Data($0).base64EncodedString() } : nil,
            publicKey: signed ? publicKey : nil, payload: content.readable, auditorNotes: auditorNotes, origin: origin,
            recordedAt: recordedAt ?? Int(Date().millisecondsSince1970))
    }
}
