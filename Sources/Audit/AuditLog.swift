#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization
import WireProtocol

/// The append-only, hash-chained audit log: one canonical JSON entry per line.
///
/// ## Entry format
/// Each line is the canonical JSON (``CanonicalJSON``: sorted keys, no whitespace, integers as
/// exact digits) of one ``AuditEntry``:
/// - always: `index` (0, 1, … without gaps), `prev` (the previous entry's `hash`, 64 zeros for
///   the first), `hash` (SHA-256 of the canonical JSON of every other field), `type`, `sender`,
///   `timestamp` (the sender's, ms), `recordedAt` (the auditor's, ms), `payload`; optional
///   `round`, `messageID`, `origin` (`{topic, partition, offset}` where the auditor read it);
/// - a recorded protocol message the auditor verified against the run's keyring (a *signed*
///   entry) also keeps what its sender's signature covers (``SignedContent``): `runID`,
///   `schemaVersion`, `payloadJSON` (the payload's JSON metadata verbatim, as a string),
///   `attachments` (hex SHA-256 of each tensor, in order), plus `signature` and `publicKey`.
///   Its `payload` is ``ReadablePayload`` of `payloadJSON` (tensors as attachment index and
///   digest); anything the auditor adds (e.g. `digest_verified`) is in `auditorNotes`, which the
///   chain and the tree heads cover but the sender's signature does not;
/// - the auditor's own entries: `rejected-message` (a frame that decoded but failed a check:
///   what it claimed, why), `rejected-record` (a record that is not a frame), `replayed-message`
///   (a message id seen again at another position; `payload.original_index` names the first
///   entry), `tree-head` (a signed tree head, see below, as its payload).
///
/// ## Tree heads
/// When it seals a round, and once more when it stops, the auditor signs an ``AuditRoot`` tree
/// head: the RFC 6962 Merkle root (``MerkleTree``) over the hashes of *all* entries so far,
/// their count (`treeSize`), the last one's hash (`chainHead`), the run id, the round and the
/// time (``TreeHeadSigning``). Heads go to the audit-roots topic and to `audit-roots.json`
/// (``TreeHeadFile``); the per-round heads are also logged as `tree-head` entries (the final one
/// cannot be, as it covers every entry).
///
/// ## What ``AuditVerifier`` proves
/// - Every line parses and hashes to its `hash`, indices run without gaps and every `prev`
///   links to the entry before: an edited, removed, reordered or inserted line shows unless the
///   forger recomputes the chain from that point on.
/// - Every signed entry's signature verifies over the ``SignedContent`` rebuilt from its own
///   fields, the key is the keyring's key for the sender (with a keyring; without one the keys
///   are taken from the log, which proves only that *someone* signed), and its `payload` is
///   exactly what `payloadJSON` says. So editing the payload, the verbatim JSON, the run id,
///   the round or any other signed field of a signed entry shows even if the chain is
///   recomputed. With a keyring, an entry of a protocol message type that is not signed is
///   refused (a stripped signature).
/// - Every tree head (from the log and the heads file) verifies with the auditor's key (the
///   keyring's "auditor" key when given), its root and chain head equal those of the log's
///   first `treeSize` entries, and the log is at least as long as the largest head. Unsigned
///   entries (the auditor's own, rejections) are protected only by the chain and the heads.
/// - Not detected: cutting entries after the last head (the final head at shutdown is what
///   covers the end of a cleanly stopped run; without `audit-roots.json` only the in-log heads
///   anchor anything), and anything done by someone holding the auditor's private key, who can
///   rewrite the log and sign new heads. An empty log, or one with no head, is reported as such
///   (``VerificationReport/anchoring``), not as intact and covered.
///
/// ## Writing
/// - **Durable before acknowledged**: ``append(_:)``
///   writes the line and `fsync`s the file before it returns the entry.
/// - **Never rewrites**: the file is opened `O_APPEND`; earlier lines are not touched. The
///   one exception: a write that fails half way is cut back to the last whole line, so the
///   file never keeps a torn line written by this process.
/// - **One owner**: an exclusive `flock` is held while the log is open, so a second auditor
///   (in this or another process) cannot interleave lines; use one `AuditLog` per file.
///
/// `Sendable` through a `Mutex` around the file descriptor and the chain state: appends
/// from several tasks are serialised. The calls block on disk I/O (fsync), so call them from
/// a task that may block, not from an event loop.
public final class AuditLog: Sendable {
    private struct State {
        var descriptor: Int32
        var fileSize: Int
        var nextIndex: Int
        var headHash: String
        /// Every entry's hash, in order: the leaves of the tree heads.
        var leaves: [String]
    }

    /// Where the log lives.
    public let url: URL
    private let state: Mutex<State>

    private init(url: URL, state: State) {
        self.url = url
        self.state = Mutex(state)
    }

    deinit {
        state.withLock { state in
            if state.descriptor >= 0 { _ = systemClose(state.descriptor) }
        }
    }

    /// Opens the log at `url`, creating it if needed. An existing file is verified in full
    /// first (see ``AuditVerifier``) and the chain continues after its last entry.
    ///
    /// - Throws: ``AuditLogError`` when the file cannot be opened or locked, does not verify,
    ///   or ends in a torn line.
    public static func open(_ url: URL) throws(AuditLogError) -> AuditLog {
        let path = url.path
        let existed = FileManager.default.fileExists(atPath: path)
        let descriptor = systemOpen(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: Self.lastError()) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = Self.lastError()
            _ = systemClose(descriptor)
            throw errno == EWOULDBLOCK ? .alreadyOpen(path: path) : .cannotOpen(path: path, reason: reason)
        }
        do throws(AuditLogError) {
            if !existed { try syncDirectory(of: url) }
            let scan: AuditLogScan
            do {
                scan = try AuditLogScan.read(url, missingIsEmpty: true)
            } catch {
                throw .corrupt(error)
            }
            if !scan.endsWithNewline {
                throw .tornTail(line: scan.lines.count)
            }
            let verified: (report: VerificationReport, entries: [AuditEntry])
            do {
                verified = try AuditVerifier.verify(scan: scan)
            } catch {
                throw .corrupt(error)
            }
            let size = lseek(descriptor, 0, SEEK_END)
            guard size >= 0 else { throw .cannotOpen(path: path, reason: Self.lastError()) }
            return AuditLog(url: url, state: State(
                descriptor: descriptor,
                fileSize: Int(size),
                nextIndex: verified.entries.count,
                headHash: verified.report.headHash,
                leaves: verified.entries.map(\.hash)
            ))
        } catch {
            _ = systemClose(descriptor)
            throw error
        }
    }

    /// Appends one entry, makes it durable, and returns it.
    ///
    /// - Parameters: the entry's fields as described on ``AuditEntry`` (recorded as given; the
    ///   verifier checks them); `recordedAt` is now when nil.
    /// - Throws: ``AuditLogError`` when the payload has no JSON form (NaN, infinity), the
    ///   write or fsync fails, or the log was closed. Nothing is appended then.
    @discardableResult
    public func append(
        type: String,
        round: Int?,
        sender: String,
        timestamp: Int,
        messageID: String? = nil,
        runID: String? = nil,
        schemaVersion: Int? = nil,
        payloadJSON: String? = nil,
        attachments: [String]? = nil,
        signature: String? = nil,
        publicKey: String? = nil,
        payload: JSONValue,
        auditorNotes: JSONValue? = nil,
        origin: AuditOrigin? = nil,
        recordedAt: Int? = nil
    ) throws(AuditLogError) -> AuditEntry {
        try append(AuditEntry(
            index: 0, prev: "", hash: "", type: type, round: round, sender: sender, timestamp: timestamp,
            messageID: messageID, runID: runID, schemaVersion: schemaVersion, payloadJSON: payloadJSON,
            attachments: attachments, signature: signature, publicKey: publicKey, payload: payload,
            auditorNotes: auditorNotes, origin: origin,
            recordedAt: recordedAt ?? Int((Date().timeIntervalSince1970 * 1000).rounded())))
    }

    /// Appends `draft` as the next entry: its `index`, `prev` and `hash` are set here, every
    /// other field is kept. Makes it durable and returns it.
    @discardableResult
    public func append(_ draft: AuditEntry) throws(AuditLogError) -> AuditEntry {
        try state.withLock { (state: inout State) throws(AuditLogError) -> AuditEntry in
            guard state.descriptor >= 0 else { throw .closed }
            var entry = draft
            entry.index = state.nextIndex
            entry.prev = state.headHash
            let line: [UInt8]
            do throws(CanonicalJSONError) {
                entry.hash = try entry.computedHash()
                line = Array(try entry.canonicalLine().utf8) + [0x0A]
            } catch {
                throw .unencodable(error)
            }
            try Self.write(line, to: &state)
            state.nextIndex += 1
            state.headHash = entry.hash
            state.leaves.append(entry.hash)
            return entry
        }
    }

    /// Number of entries in the log.
    public var count: Int { state.withLock { $0.nextIndex } }

    /// The last entry's hash (``AuditEntry/genesisHash`` while empty).
    public var headHash: String { state.withLock { $0.headHash } }

    /// An unsigned tree head over every entry so far (sign it with ``TreeHeadSigning/sign(_:with:)``).
    public func treeHead(round: Int, runID: String, final: Bool, timestamp: Int64? = nil) -> AuditRoot {
        let (leaves, head) = state.withLock { ($0.leaves, $0.headHash) }
        let root = (try? MerkleTree(hexLeaves: leaves))?.rootHex ?? MerkleTree(leaves: []).rootHex
        return AuditRoot(
            round: round, treeSize: leaves.count, merkleRoot: root, chainHead: head, runID: runID,
            timestamp: timestamp ?? Date().millisecondsSince1970, final: final)
    }

    /// Inclusion proof of entry `index` in the tree of the first `treeSize` entries (a tree
    /// head's), or nil when there is no such entry.
    public func proof(index: Int, treeSize: Int) -> MerkleProof? {
        state.withLock { state in
            guard treeSize <= state.leaves.count else { return nil }
            return (try? MerkleTree(hexLeaves: Array(state.leaves.prefix(treeSize))))?.proof(for: index)
        }
    }

    /// Releases the file and its lock; later appends throw ``AuditLogError/closed``.
    public func close() {
        state.withLock { state in
            if state.descriptor >= 0 { _ = systemClose(state.descriptor) }
            state.descriptor = -1
        }
    }

    // MARK: - I/O

    private static func write(_ bytes: [UInt8], to state: inout State) throws(AuditLogError) {
        var written = 0
        var failure: String?
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            while written < buffer.count {
                let result = systemWrite(state.descriptor, base + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = lastError()
                    return
                }
                written += result
            }
        }
        if failure == nil, fsync(state.descriptor) != 0 { failure = lastError() }
        if let failure {
            // Cut a partial line back off, so the next append starts on a fresh line.
            _ = ftruncate(state.descriptor, off_t(state.fileSize))
            throw .writeFailed(failure)
        }
        state.fileSize += bytes.count
    }

    /// Makes a newly created file's directory entry durable too.
    private static func syncDirectory(of url: URL) throws(AuditLogError) {
        let directory = url.deletingLastPathComponent().path
        let descriptor = systemOpen(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        guard descriptor >= 0 else { throw .cannotOpen(path: directory, reason: lastError()) }
        defer { _ = systemClose(descriptor) }
        guard fsync(descriptor) == 0 else { throw .writeFailed("fsync of \(directory): \(lastError())") }
    }

    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}

// The C calls, under names that the methods of `AuditLog` (`open`, `close`) do not shadow.
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func systemClose(_ descriptor: Int32) -> Int32 { close(descriptor) }
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(descriptor, bytes, count) }
