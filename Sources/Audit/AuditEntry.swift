import Crypto
import WireProtocol

/// One record of the audit log: one canonical JSON object per line (see ``AuditLog`` for the
/// whole format and what `verify` proves).
///
/// Entries form a hash chain: `hash` is the SHA-256 of the canonical encoding (see
/// ``CanonicalJSON``) of every other field, and `prev` is the `hash` of the entry before
/// (64 zeros for the first), so changing, dropping, moving or adding a line is visible.
///
/// A *signed* entry (one with `signature`) records a verified protocol message and keeps
/// everything its sender's signature covers (``SignedContent``): `type`, `schemaVersion`,
/// `messageID`, `sender`, `runID`, `round`, `timestamp`, `payloadJSON` verbatim and the
/// `attachments`' SHA-256 digests. Its `payload` is derived from `payloadJSON` (see
/// ``ReadablePayload``); `auditorNotes` holds what the auditor adds, which the sender did not sign.
public struct AuditEntry: Sendable, Hashable {
    /// Position in the log, from 0, without gaps.
    public var index: Int
    /// `hash` of the previous entry; ``AuditEntry/genesisHash`` for the first.
    public var prev: String
    /// Lowercase hex SHA-256 over the canonical encoding of all other fields.
    public var hash: String
    /// What happened: a message type ("bid", "client-update", …) for a recorded message, or the
    /// auditor's own kinds: "rejected-message", "rejected-record", "replayed-message", "tree-head".
    public var type: String
    /// The federated-learning round this entry belongs to, if any.
    public var round: Int?
    /// The role that sent the recorded message, e.g. "server" or "guardian-7".
    public var sender: String
    /// When the sender says it sent the message, milliseconds since 1970 (UTC).
    public var timestamp: Int
    /// The recorded message's id, when it came from the wire.
    public var messageID: String?
    /// The run the message belongs to (signed entries).
    public var runID: String?
    /// The message's schema version (signed entries).
    public var schemaVersion: Int?
    /// The payload's JSON metadata exactly as the sender signed it (signed entries).
    public var payloadJSON: String?
    /// Lowercase hex SHA-256 of each binary attachment (tensor), in order (signed entries).
    public var attachments: [String]?
    /// Base64 Ed25519 signature of the sender over ``SignedContent/digest()``.
    public var signature: String?
    /// Base64 raw Ed25519 public key (32 bytes) that `signature` verifies against.
    public var publicKey: String?
    /// The recorded content, readable; for a signed entry exactly ``ReadablePayload`` of
    /// `payloadJSON` and `attachments`.
    public var payload: JSONValue
    /// What the auditor states about the message beyond what was signed (e.g. that a tensor's
    /// digest matched): covered by the chain and the tree heads, not by the sender's signature.
    public var auditorNotes: JSONValue?
    /// Where the auditor read the message: topic, partition, offset.
    public var origin: AuditOrigin?
    /// When the auditor wrote the entry, milliseconds since 1970 (UTC).
    public var recordedAt: Int

    /// The `prev` of the first entry.
    public static let genesisHash = String(repeating: "0", count: 64)

    public init(
        index: Int, prev: String, hash: String, type: String, round: Int?, sender: String, timestamp: Int,
        messageID: String? = nil, runID: String? = nil, schemaVersion: Int? = nil, payloadJSON: String? = nil,
        attachments: [String]? = nil, signature: String? = nil, publicKey: String? = nil, payload: JSONValue,
        auditorNotes: JSONValue? = nil, origin: AuditOrigin? = nil, recordedAt: Int
    ) {
        self.index = index
        self.prev = prev
        self.hash = hash
        self.type = type
        self.round = round
        self.sender = sender
        self.timestamp = timestamp
        self.messageID = messageID
        self.runID = runID
        self.schemaVersion = schemaVersion
        self.payloadJSON = payloadJSON
        self.attachments = attachments
        self.signature = signature
        self.publicKey = publicKey
        self.payload = payload
        self.auditorNotes = auditorNotes
        self.origin = origin
        self.recordedAt = recordedAt
    }

    /// The entry as a JSON object; absent optionals are left out rather than written as null.
    public func jsonObject(includingHash: Bool = true) -> JSONValue {
        var members: [String: JSONValue] = [
            Field.index: .exact(index),
            Field.prev: .string(prev),
            Field.type: .string(type),
            Field.sender: .string(sender),
            Field.timestamp: .exact(timestamp),
            Field.payload: payload,
            Field.recordedAt: .exact(recordedAt),
        ]
        if includingHash { members[Field.hash] = .string(hash) }
        if let round { members[Field.round] = .exact(round) }
        if let messageID { members[Field.messageID] = .string(messageID) }
        if let runID { members[Field.runID] = .string(runID) }
        if let schemaVersion { members[Field.schemaVersion] = .exact(schemaVersion) }
        if let payloadJSON { members[Field.payloadJSON] = .string(payloadJSON) }
        if let attachments { members[Field.attachments] = .array(attachments.map(JSONValue.string)) }
        if let signature { members[Field.signature] = .string(signature) }
        if let publicKey { members[Field.publicKey] = .string(publicKey) }
        if let auditorNotes { members[Field.auditorNotes] = auditorNotes }
        if let origin { members[Field.origin] = origin.json }
        return .object(members)
    }

    /// The hash this entry's content calls for (which `hash` should equal).
    public func computedHash() throws(CanonicalJSONError) -> String {
        try Self.hash(ofContent: jsonObject(includingHash: false))
    }

    /// The entry's line in the log, without the trailing newline.
    public func canonicalLine() throws(CanonicalJSONError) -> String {
        try CanonicalJSON.string(jsonObject())
    }

    /// Lowercase hex SHA-256 of the canonical encoding of `content`.
    static func hash(ofContent content: JSONValue) throws(CanonicalJSONError) -> String {
        Hex.string(SHA256.hash(data: try CanonicalJSON.encode(content)))
    }

    /// Field names as they appear in the log.
    enum Field {
        static let index = "index"
        static let prev = "prev"
        static let hash = "hash"
        static let type = "type"
        static let round = "round"
        static let sender = "sender"
        static let timestamp = "timestamp"
        static let messageID = "messageID"
        static let runID = "runID"
        static let schemaVersion = "schemaVersion"
        static let payloadJSON = "payloadJSON"
        static let attachments = "attachments"
        static let signature = "signature"
        static let publicKey = "publicKey"
        static let payload = "payload"
        static let auditorNotes = "auditorNotes"
        static let origin = "origin"
        static let recordedAt = "recordedAt"
    }
}

/// Where the auditor read a record: a Kafka topic, partition and offset.
public struct AuditOrigin: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int
    public var offset: Int64

    public init(topic: String, partition: Int, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    public var description: String { "\(topic)/\(partition)@\(offset)" }

    var json: JSONValue {
        ["topic": .string(topic), "partition": .exact(partition), "offset": .integer(offset)]
    }

    init?(json: JSONValue) {
        guard case .object(let members) = json, case .string(let topic)? = members["topic"],
              case .integer(let partition)? = members["partition"], case .integer(let offset)? = members["offset"]
        else { return nil }
        self.init(topic: topic, partition: Int(partition), offset: offset)
    }
}
