/// The auditor's Merkle root over the log entries of one round.
public struct AuditRoot: ProtocolMessage, Hashable {
    public static let messageType = MessageType.auditRoot
    public static let schemaVersion = 1

    public var round: Int
    /// Lowercase hex Merkle root.
    public var merkleRoot: String
    /// Index of the first log entry covered.
    public var firstIndex: Int
    /// Index of the last log entry covered.
    public var lastIndex: Int
    public var entryCount: Int

    public init(round: Int, merkleRoot: String, firstIndex: Int, lastIndex: Int, entryCount: Int) {
        self.round = round
        self.merkleRoot = merkleRoot
        self.firstIndex = firstIndex
        self.lastIndex = lastIndex
        self.entryCount = entryCount
    }

    public var recordKey: String? { String(round) }
}
