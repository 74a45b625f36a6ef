/// The auditor's signed tree head: an RFC 6962 Merkle root over the first `treeSize` entries of
/// the audit log (all of them when it was made), the hash of the last of those entries (the
/// chain head), the run, the round it seals and when, signed with the auditor's Ed25519 key.
///
/// The auditor publishes one when it seals a round (its round's metrics arrived) and a `final`
/// one when it stops, covering every entry. The signature is over the head's own fields (see the
/// Audit module's `TreeHeadSigning`), independent of the envelope, so a head kept in a file can be
/// checked without the message that carried it. `agentfl run` waits for the head of the last round.
public struct AuditRoot: ProtocolMessage, Hashable {
    public static let messageType = MessageType.auditRoot
    public static let schemaVersion = 2

    /// The round this head seals; for the final head, the last round sealed (0 if none).
    public var round: Int
    /// Entries covered: the log's first `treeSize` entries (indices 0 ..< treeSize).
    public var treeSize: Int
    /// Lowercase hex RFC 6962 Merkle root over the covered entries' hashes.
    public var merkleRoot: String
    /// Lowercase hex `hash` of entry `treeSize - 1` (64 zeros when `treeSize` is 0).
    public var chainHead: String
    public var runID: String
    /// When the auditor made the head, milliseconds since 1970 (UTC).
    public var timestamp: Int64
    /// True for the head made at shutdown, after the last entry.
    public var final: Bool
    /// Base64 raw Ed25519 public key of the auditor that signed.
    public var publicKey: String
    /// Base64 Ed25519 signature over the head's signing input.
    public var signature: String

    public init(
        round: Int, treeSize: Int, merkleRoot: String, chainHead: String, runID: String, timestamp: Int64,
        final: Bool, publicKey: String = "", signature: String = ""
    ) {
        self.round = round
        self.treeSize = treeSize
        self.merkleRoot = merkleRoot
        self.chainHead = chainHead
        self.runID = runID
        self.timestamp = timestamp
        self.final = final
        self.publicKey = publicKey
        self.signature = signature
    }

    public var recordKey: String? { String(round) }
}

extension AuditRoot {
    public var authorship: Authorship { Authorship(sender: .exactly(SenderName.auditor), round: round, runID: runID) }
}
