import Foundation
import WireProtocol

/// Checks an audit log end to end (see ``AuditLog`` for the format and exactly what is and is
/// not proven): every line parses, every hash matches its content, indices run from 0 without
/// gaps, every `prev` is the hash of the entry before, every signed entry's signature verifies
/// over the fields it stores (against the keyring when given), every readable payload is what
/// its signed JSON says, and every signed tree head — logged ones and those passed in — holds
/// and matches the log's prefix of its size, and the log is at least as long as the largest.
public enum AuditVerifier {
    /// The type of the entries that carry a tree head in the log itself.
    public static let treeHeadType = "tree-head"

    /// Verifies the log at `url`.
    ///
    /// - Parameters:
    ///   - heads: tree heads kept outside the log (`audit-roots.json`, the audit-roots topic).
    ///   - keyring: the run's keyring; without it, entry keys and the auditor's key are taken
    ///     from the log and the heads themselves (``VerificationReport/keysFromKeyring`` false).
    /// - Returns: a summary of the intact log, including how far signed heads anchor it.
    /// - Throws: ``AuditVerificationFailure`` naming the first bad line and entry.
    public static func verify(
        _ url: URL, heads: [AuditRoot] = [], keyring: Keyring? = nil
    ) throws(AuditVerificationFailure) -> VerificationReport {
        try verify(scan: AuditLogScan.read(url), heads: heads, keyring: keyring).report
    }

    /// Verifies already-read lines; also hands back the entries for callers that go on
    /// (``AuditLog`` continuing the chain).
    static func verify(
        scan: AuditLogScan, heads externalHeads: [AuditRoot] = [], keyring: Keyring? = nil
    ) throws(AuditVerificationFailure) -> (report: VerificationReport, entries: [AuditEntry]) {
        let (entries, signed) = try AuditChainCheck(scan).run(keyring: keyring)

        var typeCounts: [String: Int] = [:]
        var rounds: Set<Int> = []
        var loggedHeads: [(head: AuditRoot, index: Int)] = []
        for entry in entries {
            typeCounts[entry.type, default: 0] += 1
            if let round = entry.round { rounds.insert(round) }
            guard entry.type == treeHeadType, entry.sender == SenderName.auditor else { continue }
            switch TreeHeadSigning.head(from: entry.payload) {
            case .success(let head):
                guard head.treeSize <= entry.index else {
                    throw AuditVerificationFailure(
                        kind: .badTreeHead(treeSize: head.treeSize, reason: "a logged head cannot cover itself or later entries"),
                        line: entry.index + 1, index: entry.index)
                }
                loggedHeads.append((head, entry.index))
            case .failure(let reason):
                throw AuditVerificationFailure(kind: .badTreeHead(treeSize: -1, reason: reason.description), line: entry.index + 1, index: entry.index)
            }
        }

        let leaves = entries.map(\.hash)
        // Name the whole cut: against the largest head whose signature holds.
        if let largest = externalHeads.filter({ TreeHeadSigning.problem(with: $0, keyring: keyring) == nil }).max(by: { $0.treeSize < $1.treeSize }),
           largest.treeSize > leaves.count {
            throw AuditVerificationFailure(kind: .truncated(entries: leaves.count, treeSize: largest.treeSize), line: nil, index: nil)
        }
        var checked: [AuditRoot] = []
        for (head, index) in loggedHeads.map({ ($0.head, Optional($0.index)) }) + externalHeads.map({ ($0, nil as Int?) }) {
            try check(head, leaves: leaves, keyring: keyring, loggedAt: index)
            checked.append(head)
        }
        let headRuns = Set(checked.map(\.runID))
        if headRuns.count > 1 {
            throw AuditVerificationFailure(
                kind: .badTreeHead(treeSize: -1, reason: "the tree heads name several runs: \(headRuns.sorted().joined(separator: ", "))"),
                line: nil, index: nil)
        }
        if let headRun = headRuns.first, let other = entries.first(where: { $0.signature != nil && $0.runID != headRun }) {
            throw AuditVerificationFailure(
                kind: .otherRun(entryRun: other.runID ?? "none", headRun: headRun), line: other.index + 1, index: other.index)
        }

        let logRoot = (try? MerkleTree(hexLeaves: leaves))?.rootHex ?? MerkleTree(leaves: []).rootHex
        let unique = Dictionary(checked.map { ($0.treeSize, $0) }, uniquingKeysWith: { first, _ in first })
        let report = VerificationReport(
            entryCount: entries.count,
            rounds: rounds.sorted(),
            typeCounts: typeCounts,
            signedEntries: signed,
            headHash: entries.last?.hash ?? AuditEntry.genesisHash,
            logRoot: logRoot,
            heads: unique.values.sorted { $0.treeSize < $1.treeSize },
            externalHeads: externalHeads.count,
            keysFromKeyring: keyring != nil
        )
        return (report, entries)
    }

    /// Checks one head: its signature, and that the log's first `treeSize` entries give its root
    /// and chain head.
    private static func check(
        _ head: AuditRoot, leaves: [String], keyring: Keyring?, loggedAt index: Int?
    ) throws(AuditVerificationFailure) {
        let line = index.map { $0 + 1 }
        if let problem = TreeHeadSigning.problem(with: head, keyring: keyring) {
            throw AuditVerificationFailure(kind: .badTreeHead(treeSize: head.treeSize, reason: problem), line: line, index: index)
        }
        guard head.treeSize <= leaves.count else {
            throw AuditVerificationFailure(kind: .truncated(entries: leaves.count, treeSize: head.treeSize), line: line, index: index)
        }
        let prefix = Array(leaves.prefix(head.treeSize))
        let root = (try? MerkleTree(hexLeaves: prefix))?.rootHex ?? ""
        guard root == head.merkleRoot.lowercased() else {
            throw AuditVerificationFailure(
                kind: .treeHeadMismatch(treeSize: head.treeSize, detail: "the head's root is \(head.merkleRoot), the log's first \(head.treeSize) entries give \(root)"),
                line: line, index: index)
        }
        let chainHead = prefix.last ?? AuditEntry.genesisHash
        guard chainHead == head.chainHead.lowercased() else {
            throw AuditVerificationFailure(
                kind: .treeHeadMismatch(treeSize: head.treeSize, detail: "the head's chain head is \(head.chainHead), entry \(head.treeSize - 1) hashes to \(chainHead)"),
                line: line, index: index)
        }
    }
}
