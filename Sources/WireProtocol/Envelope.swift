import Foundation

/// One protocol message as it travels: identity, type and version, who sent it, for which run and
/// round, when, an optional Ed25519 signature, and the encoded payload (see ``PayloadCodec``).
///
/// ``EnvelopeCodec`` turns it into bytes and back. Timestamps travel as whole milliseconds since
/// 1970, so `init` rounds `timestamp` to the millisecond and a decoded envelope equals the original.
/// The run id is part of what is signed, so a message of one run cannot be passed off in another.
public struct Envelope: Sendable, Hashable {
    public var id: MessageID
    public var type: MessageType
    public var schemaVersion: Int
    /// The sending role instance, e.g. "server" or "guardian-7"; signatures are checked against its pinned key.
    public var sender: String
    /// The run this message belongs to; every role ignores (and counts) messages of other runs.
    public var runID: String
    public var round: Int?
    public var timestamp: Date
    /// Ed25519 signature over ``signingDigest``; `nil` when unsigned.
    public var signature: [UInt8]?
    public var payload: [UInt8]

    public init(
        id: MessageID = MessageID(), type: MessageType, schemaVersion: Int, sender: String, runID: String,
        round: Int?, timestamp: Date = Date(), signature: [UInt8]? = nil, payload: [UInt8]
    ) {
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.sender = sender
        self.runID = runID
        self.round = round
        self.timestamp = Date(millisecondsSince1970: timestamp.millisecondsSince1970)
        self.signature = signature
        self.payload = payload
    }

    /// An unsigned envelope carrying `message` at its type's current schema version.
    public static func make<Message: ProtocolMessage>(
        _ message: Message, sender: String, runID: String, round: Int?, id: MessageID = MessageID(),
        timestamp: Date = Date()
    ) throws(ProtocolError) -> Envelope {
        Envelope(
            id: id, type: Message.messageType, schemaVersion: Message.schemaVersion, sender: sender,
            runID: runID, round: round, timestamp: timestamp, payload: try PayloadCodec.encode(message))
    }

    /// The payload as `Message`, after checking that type and schema version are the ones it expects.
    public func decode<Message: ProtocolMessage>(as _: Message.Type = Message.self) throws(ProtocolError) -> Message {
        guard type == Message.messageType else {
            throw .wrongMessageType(expected: Message.messageType, got: type)
        }
        guard schemaVersion == Message.schemaVersion else {
            throw .unsupportedSchemaVersion(type: type, got: schemaVersion, supported: Message.schemaVersion)
        }
        return try PayloadCodec.decode(Message.self, from: payload)
    }

    /// What the signature covers: the header, the payload's JSON verbatim and each attachment's
    /// SHA-256 (see ``SignedContent``). Throws if the payload is not in ``PayloadCodec``'s layout.
    public func signedContent() throws(ProtocolError) -> SignedContent {
        let parts = try PayloadCodec.split(payload)
        return SignedContent(
            type: type.rawValue, schemaVersion: schemaVersion, messageID: id, sender: sender, runID: runID,
            round: round, timestampMilliseconds: timestamp.millisecondsSince1970, json: Array(parts.json),
            attachmentDigests: parts.attachments.map { SHA256Digest.bytes(of: Array($0)) })
    }

    /// The 32 bytes the sender signs: ``SignedContent/digest()`` of ``signedContent()``.
    public func signingDigest() throws(ProtocolError) -> [UInt8] {
        try signedContent().digest()
    }
}

extension Date {
    /// Whole milliseconds since 1970, rounded to nearest: the envelope's time resolution.
    public var millisecondsSince1970: Int64 {
        let milliseconds = (timeIntervalSince1970 * 1000).rounded()
        guard milliseconds.isFinite, abs(milliseconds) < 9.0e18 else { return 0 }
        return Int64(milliseconds)
    }

    init(millisecondsSince1970 milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
