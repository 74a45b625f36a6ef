import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ``Deduplicator`` backed by an append-only file of ids (one UUID per line), reloaded on start,
/// so that a consumer restarted before it committed does not apply a redelivered message twice.
///
/// Each ``remember(_:)`` appends one line with `write(2)`: it survives a crash of the process; pass
/// `synchronous: true` to also `fsync` and survive a crash of the machine. When the file holds
/// twice `capacity` lines it is rewritten with the remembered ids only (temporary file + rename).
/// A torn last line (crash mid-write) is skipped on reload. The mutex serialises the file and the
/// in-memory set, which makes the class `Sendable`.
public final class PersistentDeduplicator: DeduplicationStore {
    private struct State {
        var memory: Deduplicator
        var descriptor: Int32
        var linesInFile: Int
    }

    public let file: URL
    public let synchronous: Bool
    private let state: Mutex<State>

    public init(file: URL, capacity: Int = 100_000, synchronous: Bool = false) throws(ProtocolError) {
        self.file = file
        self.synchronous = synchronous
        var memory = Deduplicator(capacity: capacity)
        var lines = 0
        var tornLastLine = false
        if FileManager.default.fileExists(atPath: file.path) {
            let text: String
            do {
                text = try String(contentsOf: file, encoding: .utf8)
            } catch {
                throw .persistence(path: file.path, reason: "cannot read: \(error.localizedDescription)")
            }
            for line in text.split(separator: "\n") {
                lines += 1
                if let id = MessageID(String(line)) { memory.insert(id) }
            }
            tornLastLine = !text.isEmpty && !text.hasSuffix("\n")
        } else {
            try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        }
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .persistence(path: file.path, reason: "cannot open for appending: \(String(cString: strerror(errno)))")
        }
        if tornLastLine, let error = Self.append(["\n"], to: descriptor, path: file.path, sync: synchronous) {
            _ = close(descriptor)
            throw error
        }
        self.state = Mutex(State(memory: memory, descriptor: descriptor, linesInFile: lines))
    }

    deinit {
        state.withLock { _ = close($0.descriptor) }
    }

    public var count: Int { state.withLock { $0.memory.count } }

    public func contains(_ id: MessageID) -> Bool { state.withLock { $0.memory.contains(id) } }

    public func remember(_ id: MessageID) throws(ProtocolError) {
        let path = file.path
        let synchronous = self.synchronous
        let failure: ProtocolError? = state.withLock { state in
            guard state.memory.insert(id) else { return nil }
            if let error = Self.append(["\(id)\n"], to: state.descriptor, path: path, sync: synchronous) { return error }
            state.linesInFile += 1
            if state.linesInFile >= 2 * state.memory.capacity {
                return Self.compact(&state, path: path)
            }
            return nil
        }
        if let failure { throw failure }
    }

    private static func append(_ lines: [String], to descriptor: Int32, path: String, sync: Bool) -> ProtocolError? {
        let bytes = Array(lines.joined().utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                write(descriptor, raw.baseAddress.map { $0 + written }, bytes.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                return .persistence(path: path, reason: "write failed: \(String(cString: strerror(errno)))")
            }
            written += result
        }
        if sync, fsync(descriptor) != 0 {
            return .persistence(path: path, reason: "fsync failed: \(String(cString: strerror(errno)))")
        }
        return nil
    }

    /// Rewrites the file with the remembered ids only.
    private static func compact(_ state: inout State, path: String) -> ProtocolError? {
        let temporary = path + ".compacting"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            return .persistence(path: temporary, reason: "cannot create: \(String(cString: strerror(errno)))")
        }
        let ids = state.memory.idsOldestFirst
        if let error = append(ids.map { "\($0)\n" }, to: descriptor, path: temporary, sync: true) {
            _ = close(descriptor)
            return error
        }
        guard rename(temporary, path) == 0 else {
            _ = close(descriptor)
            return .persistence(path: path, reason: "cannot replace with the compacted file: \(String(cString: strerror(errno)))")
        }
        _ = close(state.descriptor)
        state.descriptor = descriptor
        state.linesInFile = ids.count
        return nil
    }
}
