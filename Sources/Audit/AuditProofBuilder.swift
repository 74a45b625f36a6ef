import Foundation
import WireProtocol

/// Makes ``AuditProof``s from a log: verifies the log and its signed tree heads in full first
/// (``AuditVerifier``: a proof from a damaged log would vouch for nothing), then proves entries
/// and heads against the heads that checked out.
public struct AuditProofBuilder: Sendable {
    /// The verification of the log and the heads.
    public let report: VerificationReport
    private let entries: [AuditEntry]
    private let tree: MerkleTree

    /// - Parameters:
    ///   - heads: signed heads kept outside the log (`audit-roots.json`); the log's own
    ///     `tree-head` entries are used too.
    ///   - keyring: the run's keyring, to bind the senders' and the auditor's keys.
    /// - Throws: ``AuditVerificationFailure`` when the log cannot be read or does not verify.
    public init(log url: URL, heads: [AuditRoot] = [], keyring: Keyring? = nil) throws(AuditVerificationFailure) {
        (report, entries) = try AuditVerifier.verify(scan: AuditLogScan.read(url), heads: heads, keyring: keyring)
        // Verified entries' hashes are 64 hex digits.
        tree = MerkleTree(leaves: entries.map { Hex.bytes($0.hash) ?? [] })
    }

    /// The distinct signed heads that checked out, smallest first: the sizes a proof can name.
    public var heads: [AuditRoot] { report.heads }

    /// The inclusion proof of entry `index` against the largest signed head (the latest), or the
    /// signed head of `treeSize` when given.
    public func inclusionProof(entry index: Int, treeSize: Int? = nil) throws(AuditProofRequestError) -> EntryInclusionProof {
        guard index >= 0, index < entries.count else { throw .entryOutOfRange(entry: index, entries: entries.count) }
        let head: AuditRoot
        if let treeSize {
            head = try self.head(ofSize: treeSize)
            guard index < treeSize else { throw .noHeadCovers(entry: index, largest: treeSize) }
        } else {
            guard let largest = heads.last else { throw .noSignedHeads }
            guard index < largest.treeSize else { throw .noHeadCovers(entry: index, largest: largest.treeSize) }
            head = largest
        }
        do {
            return EntryInclusionProof(entry: entries[index], proof: try tree.inclusionProof(leafIndex: index, treeSize: head.treeSize), head: head)
        } catch {
            // Verified heads are no larger than the log, and the index is below the head's size.
            preconditionFailure("a verified head cannot fail to give a proof: \(error)")
        }
    }

    /// The consistency proof between the signed heads of sizes `first` and `second`.
    public func consistencyProof(from first: Int, to second: Int) throws(AuditProofRequestError) -> TreeHeadConsistencyProof {
        let older = try head(ofSize: first)
        let newer = try head(ofSize: second)
        guard first <= second else { throw .sizesOutOfOrder(from: first, to: second) }
        guard first > 0 else { throw .emptyFirstTree }
        do {
            return TreeHeadConsistencyProof(first: older, second: newer, proof: try tree.consistencyProof(from: first, to: second))
        } catch {
            preconditionFailure("verified heads cannot fail to give a proof: \(error)")
        }
    }

    private func head(ofSize size: Int) throws(AuditProofRequestError) -> AuditRoot {
        guard !heads.isEmpty else { throw .noSignedHeads }
        guard let head = heads.first(where: { $0.treeSize == size }) else {
            throw .notASignedHead(treeSize: size, signed: heads.map(\.treeSize))
        }
        return head
    }
}
