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
/// - **Durable before acknowledged**: ``append(type:round:sender:timestamp:messageID:signature:publicKey:signedData:payload:recordedAt:)``
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
        var roots: RoundRoots
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
            let verified: (report: VerificationReport, entries: [AuditEntry], roots: RoundRoots)
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
                roots: verified.roots
            ))
        } catch {
            _ = systemClose(descriptor)
            throw error
        }
    }

    /// Appends one entry, makes it durable, and returns it.
    ///
    /// - Parameters:
    ///   - timestamp: when the sender sent the message, ms since 1970.
    ///   - signature, publicKey, signedData: base64, as described on ``AuditEntry``; they are
    ///     recorded as given (the verifier checks them).
    ///   - recordedAt: the auditor's time, ms since 1970; now when nil.
    /// - Throws: ``AuditLogError`` when the payload has no JSON form (NaN, infinity), the
    ///   write or fsync fails, or the log was closed. Nothing is appended then.
    @discardableResult
    public func append(
        type: String,
        round: Int?,
        sender: String,
        timestamp: Int,
        messageID: String? = nil,
        signature: String? = nil,
        publicKey: String? = nil,
        signedData: String? = nil,
        payload: JSONValue,
        recordedAt: Int? = nil
    ) throws(AuditLogError) -> AuditEntry {
        let recordedAt = recordedAt ?? Int((Date().timeIntervalSince1970 * 1000).rounded())
        return try state.withLock { (state: inout State) throws(AuditLogError) -> AuditEntry in
            guard state.descriptor >= 0 else { throw .closed }
            var entry = AuditEntry(
                index: state.nextIndex, prev: state.headHash, hash: "", type: type, round: round,
                sender: sender, timestamp: timestamp, messageID: messageID, signature: signature,
                publicKey: publicKey, signedData: signedData, payload: payload, recordedAt: recordedAt
            )
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
            state.roots.add(entry)
            return entry
        }
    }

    /// Number of entries in the log.
    public var count: Int { state.withLock { $0.nextIndex } }

    /// The last entry's hash (``AuditEntry/genesisHash`` while empty).
    public var headHash: String { state.withLock { $0.headHash } }

    /// Hex Merkle root of `round`'s entries so far, or nil when the round has none.
    public func root(round: Int) -> String? {
        state.withLock { $0.roots.tree(for: round)?.rootHex }
    }

    /// First and last index and number of `round`'s entries, or nil when it has none.
    func roundSpan(_ round: Int) -> (first: Int, last: Int, count: Int)? {
        state.withLock { state in
            state.roots.rounds[round].map { ($0.firstIndex, $0.lastIndex, $0.hashes.count) }
        }
    }

    /// Inclusion proof for the `position`-th entry (from 0) of `round`, against ``root(round:)``.
    public func proof(round: Int, position: Int) -> MerkleProof? {
        state.withLock { $0.roots.tree(for: round)?.proof(for: position) }
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
