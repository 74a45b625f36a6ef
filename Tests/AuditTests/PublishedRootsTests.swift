import Crypto
import Foundation
import Testing
import WireProtocol
@testable import Audit

/// Signed tree heads (what audit-roots.json and the audit-roots topic now carry): each must be
/// signed by the auditor and match the log's prefix of its size; the log must be at least as long
/// as the largest head.
@Suite struct PublishedRootsTests {
    private let run = SignedRun()

    private func failure(_ url: URL, heads: [AuditRoot], keyring: Keyring? = nil) -> AuditVerificationFailure? {
        do {
            _ = try AuditVerifier.verify(url, heads: heads, keyring: keyring)
            return nil
        } catch {
            return error
        }
    }

    @Test func matchingHeadsCoverTheWholeLog() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        let heads = try run.write(to: url)
        let report = try AuditVerifier.verify(url, heads: heads, keyring: run.keyring)
        #expect(report.anchoring == .covered)
        #expect(report.heads.map(\.treeSize) == [3, 7, 8])
        #expect(report.description.contains("all covered by a signed tree head"))
        // The heads file round-trips.
        try TreeHeadFile.write(heads, to: dir.file("audit-roots.json"))
        #expect(try TreeHeadFile.read(dir.file("audit-roots.json")) == heads)
    }

    /// Only the in-log heads: the chain after the last one is not anchored, and says so.
    @Test func withoutTheHeadsFileTheTailIsReportedUnanchored() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        try run.write(to: url)
        let report = try AuditVerifier.verify(url, keyring: run.keyring)
        #expect(report.anchoring == .partial(covered: 7, uncovered: 1))
        #expect(report.description.contains("could be cut undetected"))
    }

    /// Cutting the last entries keeps the chain intact; the final head shows it.
    @Test func truncatedTailIsCaughtByTheFinalHead() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        let heads = try run.write(to: url)
        let lines = try SampleLog.lines(of: url)
        try SampleLog.write(lines: Array(lines.dropLast(2)), to: url)
        #expect(try AuditVerifier.verify(url).entryCount == 6)
        #expect(failure(url, heads: heads, keyring: run.keyring)?.kind == .truncated(entries: 6, treeSize: 8))
        // Cut after the final head's size there is nothing to see: that is the stated limit.
        try SampleLog.write(lines: lines, to: url)
        #expect(failure(url, heads: Array(heads.prefix(1)), keyring: run.keyring) == nil)
    }

    /// A head sealed before a straggler's entry still verifies; the straggler is reported uncovered.
    @Test func aHeadSealedBeforeAStragglerStillVerifies() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        let heads = try run.write(to: url, final: false)
        let log = try AuditLog.open(url)
        try log.append(type: "client-update", round: 1, sender: "guardian-9", timestamp: 9, payload: ["late": true])
        log.close()
        let report = try AuditVerifier.verify(url, heads: heads)
        #expect(report.anchoring == .partial(covered: 7, uncovered: 2))
    }

    /// Rewriting an early entry and the chain after it, and the heads file too (re-signed with
    /// another key): the keyring's auditor key exposes the forged heads, the logged heads the rewrite.
    @Test func rewrittenRootsFileIsCaught() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        let heads = try run.write(to: url)
        var forged = heads.last!
        forged.merkleRoot = String(repeating: "1", count: 64)
        let forger = Curve25519.Signing.PrivateKey()
        forged = try TreeHeadSigning.sign(forged, with: forger)
        // Consistent with its own key, but the root is wrong.
        #expect(failure(url, heads: [forged])?.kind.name == "tree-head-mismatch")
        // Signed with a key the keyring does not list for the auditor.
        let honest = try TreeHeadSigning.sign(heads.last!, with: forger)
        #expect(failure(url, heads: [honest], keyring: run.keyring)?.kind
            == .badTreeHead(treeSize: 8, reason: "it is signed by a key that is not the keyring's \"auditor\" key"))
        // Edited after signing.
        var edited = heads.last!
        edited.treeSize = 7
        #expect(failure(url, heads: [edited])?.kind == .badTreeHead(treeSize: 7, reason: "its signature does not verify with its publicKey"))
    }

    /// An unsigned entry (the auditor's own) rewritten with the chain recomputed: the next logged
    /// head, which the forger cannot re-sign, shows it.
    @Test func rewrittenUnsignedEntryIsCaughtByALaterHead() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        let log = try AuditLog.open(url)
        try log.append(type: "rejected-record", round: nil, sender: "unknown", timestamp: 1, payload: ["reason": "corrupt"])
        let head = try TreeHeadSigning.sign(log.treeHead(round: 1, runID: run.runID, final: false), with: run.auditorKey)
        try log.append(type: AuditVerifier.treeHeadType, round: nil, sender: "auditor", timestamp: 2, payload: TreeHeadSigning.json(head))
        log.close()
        var entries = try AuditQuery().entries(in: url)
        entries[0].payload = ["reason": "nothing happened"]
        entries[0].hash = try entries[0].computedHash()
        entries[1].prev = entries[0].hash
        entries[1].hash = try entries[1].computedHash()
        try SampleLog.write(lines: entries.map { try $0.canonicalLine() }, to: url)
        #expect(failure(url, heads: [])?.kind.name == "tree-head-mismatch")
    }

    @Test func emptyAndHeadlessLogsAreReportedAsSuch() throws {
        let dir = try TemporaryDirectory()
        let empty = dir.file("empty.log")
        try Data().write(to: empty)
        let emptyReport = try AuditVerifier.verify(empty)
        #expect(emptyReport.anchoring == .empty)
        #expect(emptyReport.description.contains("EMPTY: no entries"))

        let headless = dir.file("headless.log")
        _ = try SampleLog.write(to: headless)
        let report = try AuditVerifier.verify(headless)
        #expect(report.anchoring == .headless)
        #expect(report.description.contains("no signed tree head: only the hash chain was checked, truncation is undetectable"))
        // A head for an empty log's non-existent entries is a truncation.
        let heads = try run.write(to: dir.file("other.log"))
        #expect(failure(empty, heads: heads)?.kind == .truncated(entries: 0, treeSize: 8))
    }

    @Test func unsignedRootsAreRefused() throws {
        #expect(throws: TreeHeadFileError.self) { try TreeHeadFile.parse(Data(#"{"0": "ab12"}"#.utf8)) }
        #expect(throws: TreeHeadFileError.self) { try TreeHeadFile.parse(Data(#"[{"round": 0, "merkleRoot": "ab12"}]"#.utf8)) }
        #expect(throws: TreeHeadFileError.self) {
            try TreeHeadFile.parse(Data(#"{"round": 0, "treeSize": 3, "merkleRoot": "ab", "chainHead": "cd", "runID": "r", "timestamp": 1, "final": false}"#.utf8))
        }
    }
}
