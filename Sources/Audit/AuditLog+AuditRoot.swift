import WireProtocol

extension AuditLog {
    /// The message the auditor publishes for `round` (on the audit-roots topic): the Merkle
    /// root of the round's entries so far and the span of the log it covers. Nil when the
    /// round has no entries.
    ///
    /// Entries of other rounds may lie between `firstIndex` and `lastIndex`; the root covers
    /// only the round's own entries, in log order.
    public func auditRoot(round: Int) -> AuditRoot? {
        guard let span = roundSpan(round), let root = root(round: round) else { return nil }
        return AuditRoot(round: round, merkleRoot: root, firstIndex: span.first, lastIndex: span.last, entryCount: span.count)
    }
}
