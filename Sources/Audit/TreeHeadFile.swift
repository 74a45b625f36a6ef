import Foundation
import WireProtocol

/// Reads and writes the auditor's signed tree heads outside the log (`audit-roots.json` next to
/// `audit.log`): a JSON array of head objects (``TreeHeadSigning/json(_:)``), oldest first.
///
/// Reading also accepts one head object, or JSON Lines of heads (e.g. the audit-roots topic
/// dumped). Unsigned per-round roots (the format before signed heads) are refused: anyone who
/// can rewrite the log can rewrite them too.
public enum TreeHeadFile {
    /// The file's name in the auditor's folder.
    public static let fileName = "audit-roots.json"

    public static func parse(_ data: Data) throws(TreeHeadFileError) -> [AuditRoot] {
        if let whole = try? ExactJSONParser.parse(data) {
            return try heads(in: whole, line: nil)
        }
        var heads: [AuditRoot] = []
        for (offset, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) else { continue }
            guard let value = try? ExactJSONParser.parse(line) else { throw .notJSON(line: offset + 1) }
            heads += try self.heads(in: value, line: offset + 1)
        }
        return heads
    }

    /// Reads the file at `url`.
    public static func read(_ url: URL) throws(TreeHeadFileError) -> [AuditRoot] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try parse(data)
    }

    /// Replaces the file at `url` with `heads`, atomically (write to a temporary file, rename).
    public static func write(_ heads: [AuditRoot], to url: URL) throws {
        let lines = try heads.map { try CanonicalJSON.string(TreeHeadSigning.json($0)) }
        let text = "[\n" + lines.map { "  " + $0 }.joined(separator: ",\n") + (lines.isEmpty ? "]\n" : "\n]\n")
        try Data(text.utf8).write(to: url, options: .atomic)
    }

    private static func heads(in value: JSONValue, line: Int?) throws(TreeHeadFileError) -> [AuditRoot] {
        switch value {
        case .array(let items):
            var heads: [AuditRoot] = []
            for item in items { heads += try self.heads(in: item, line: line) }
            return heads
        case .object(let members) where members["treeSize"] != nil || members["signature"] != nil:
            switch TreeHeadSigning.head(from: value) {
            case .success(let head): return [head]
            case .failure(let reason): throw .invalid(line: line, reason: reason.description)
            }
        case .object(let members) where members["round"] != nil || members.keys.allSatisfy({ Int($0) != nil }):
            throw .invalid(line: line, reason: "these are unsigned per-round roots, which prove nothing; signed tree heads are needed (audit-roots.json as the auditor now writes it)")
        default:
            throw .invalid(line: line, reason: "expected a signed tree head object or an array of them")
        }
    }
}

/// Why a file of tree heads could not be read.
public enum TreeHeadFileError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notJSON(line: Int)
    case invalid(line: Int?, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read tree heads file \(path): \(reason)"
        case .notJSON(let line): "tree heads file line \(line) is not JSON"
        case .invalid(let line?, let reason): "tree heads file line \(line): \(reason)"
        case .invalid(nil, let reason): "tree heads file: \(reason)"
        }
    }
}
