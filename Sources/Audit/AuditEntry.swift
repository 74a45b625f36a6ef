import Crypto
import WireProtocol

/// One record of the audit log: one canonical JSON object per line.
///
/// Entries form a hash chain: `hash` is the SHA-256 of the canonical encoding (see
/// ``CanonicalJSON``) of every other field, and `prev` is the `hash` of the entry before
/// (64 zeros for the first), so changing, dropping, moving or adding a line is visible.
public struct AuditEntry: Sendable, Hashable, Codable {
    /// Position in the log, from 0, without gaps.
    public var index: Int
    /// `hash` of the previous entry; ``AuditEntry/genesisHash`` for the first.
    public var prev: String
    /// Lowercase hex SHA-256 over the canonical encoding of all other fields.
    public var hash: String
    /// What happened: "bid", "assignment", "client-update", "audit-event", "rejected-message", …
    public var type: String
    /// The federated-learning round this entry belongs to, if any.
    public var round: Int?
    /// The role that sent the recorded message, e.g. "server-agent" or "guardian-7".
    public var sender: String
    /// When the sender says it sent the message, milliseconds since 1970 (UTC).
    public var timestamp: Int
    /// The recorded message's id, when it came from the wire.
    public var messageID: String?
    /// Base64 Ed25519 signature of the sender over `signedData` (or, when that is absent,
    /// over the canonical encoding of `payload`).
    public var signature: String?
    /// Base64 raw Ed25519 public key (32 bytes) that `signature` verifies against.
    public var publicKey: String?
    /// Base64 of the exact bytes the sender signed (e.g. the envelope's signing input).
    public var signedData: String?
    /// The recorded content; large tensors appear only as digests.
    public var payload: JSONValue
    /// When the auditor wrote the entry, milliseconds since 1970 (UTC).
    public var recordedAt: Int

    /// The `prev` of the first entry.
    public static let genesisHash = String(repeating: "0", count: 64)

    public init(
        index: Int,
        prev: String,
        hash: String,
        type: String,
        round: Int?,
        sender: String,
        timestamp: Int,
        messageID: String? = nil,
        signature: String? = nil,
        publicKey: String? = nil,
        signedData: String? = nil,
        payload: JSONValue,
        recordedAt: Int
    ) {
        self.index = index
        self.prev = prev
        self.hash = hash
        self.type = type
        self.round = round
        self.sender = sender
        self.timestamp = timestamp
        self.messageID = messageID
        self.signature = signature
        self.publicKey = publicKey
        self.signedData = signedData
        self.payload = payload
        self.recordedAt = recordedAt
    }

    /// The entry as a JSON object; absent optionals are left out rather than written as null.
    public func jsonObject(includingHash: Bool = true) -> JSONValue {
        var members: [String: JSONValue] = [
            Field.index: .number(Double(index)),
            Field.prev: .string(prev),
            Field.type: .string(type),
            Field.sender: .string(sender),
            Field.timestamp: .number(Double(timestamp)),
            Field.payload: payload,
            Field.recordedAt: .number(Double(recordedAt)),
        ]
        if includingHash { members[Field.hash] = .string(hash) }
        if let round { members[Field.round] = .number(Double(round)) }
        if let messageID { members[Field.messageID] = .string(messageID) }
        if let signature { members[Field.signature] = .string(signature) }
        if let publicKey { members[Field.publicKey] = .string(publicKey) }
        if let signedData { members[Field.signedData] = .string(signedData) }
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
        static let signature = "signature"
        static let publicKey = "publicKey"
        static let signedData = "signedData"
        static let payload = "payload"
        static let recordedAt = "recordedAt"
    }
}
