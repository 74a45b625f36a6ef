import Foundation

/// Checks an audit log end to end: every line parses, every hash matches its content,
/// indices run from 0 without gaps, every `prev` is the hash of the entry before, every
/// signature present verifies and, optionally, every published per-round root matches.
///
/// Chains alone cannot show entries cut from the *end* of the log; published roots (or a
/// known entry count / head hash kept elsewhere) can.
public enum AuditVerifier {
    /// Verifies the log at `url`.
    ///
    /// - Parameter publishedRoots: hex Merkle roots published per round (e.g. on the
    ///   audit-roots topic); each must equal the root of that round's entries.
    /// - Returns: a summary of the intact log.
    /// - Throws: ``AuditVerificationFailure`` naming the first bad line and entry.
    public static func verify(_ url: URL, publishedRoots: [Int: String] = [:]) throws(AuditVerificationFailure) -> VerificationReport {
        try verify(scan: AuditLogScan.read(url), publishedRoots: publishedRoots).report
    }

    /// Verifies already-read lines; also hands back the entries for callers that go on
    /// (``AuditLog`` continuing the chain).
    static func verify(
        scan: AuditLogScan, publishedRoots: [Int: String] = [:]
    ) throws(AuditVerificationFailure) -> (report: VerificationReport, entries: [AuditEntry], roots: RoundRoots) {
        let (entries, signed) = try AuditChainCheck(scan).run()

        var roots = RoundRoots()
        var typeCounts: [String: Int] = [:]
        for entry in entries {
            roots.add(entry)
            typeCounts[entry.type, default: 0] += 1
        }
        let roundRoots = roots.roots()
        for round in publishedRoots.keys.sorted() {
            let published = publishedRoots[round] ?? ""
            let computed = roundRoots[round]
            // A root is published when a round is sealed; a straggler's entry for that round may be
            // logged after it. The published root then commits to a prefix of the round's entries.
            guard computed == published.lowercased() || roots.hasPrefix(round: round, withRoot: published.lowercased()) else {
                throw AuditVerificationFailure(
                    kind: .rootMismatch(round: round, published: published, computed: computed),
                    line: nil, index: nil
                )
            }
        }
        let logRoot = (try? MerkleTree(hexLeaves: entries.map(\.hash)))?.rootHex ?? MerkleTree(leaves: []).rootHex
        let report = VerificationReport(
            entryCount: entries.count,
            rounds: roundRoots.keys.sorted(),
            roundRoots: roundRoots,
            typeCounts: typeCounts,
            signedEntries: signed,
            headHash: entries.last?.hash ?? AuditEntry.genesisHash,
            logRoot: logRoot,
            checkedRoots: publishedRoots.keys.sorted()
        )
        return (report, entries, roots)
    }
}
