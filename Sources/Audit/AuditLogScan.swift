import Foundation

/// The lines of an audit log file, each read as an entry or as the reason it is not one.
struct AuditLogScan: Sendable {
    struct Line: Sendable {
        /// 1-based line number in the file.
        var number: Int
        /// The entry and the hash its content calls for, or why the line is not an entry.
        var parsed: Result<ParsedEntry, AuditLineError>
    }

    struct ParsedEntry: Sendable {
        var entry: AuditEntry
        var computedHash: String
        var hashMatches: Bool { entry.hash == computedHash }
    }

    var lines: [Line]
    /// False when the last line has no newline: a write that did not finish.
    var endsWithNewline: Bool

    /// Reads and parses every line of the file at `url`; a missing file reads as empty
    /// when `missingIsEmpty` is set.
    static func read(_ url: URL, missingIsEmpty: Bool = false) throws(AuditVerificationFailure) -> AuditLogScan {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            if missingIsEmpty, !FileManager.default.fileExists(atPath: url.path) {
                return AuditLogScan(lines: [], endsWithNewline: true)
            }
            throw AuditVerificationFailure(kind: .unreadable("\(url.path): \(error.localizedDescription)"), line: nil, index: nil)
        }
        return scan(Array(data))
    }

    static func scan(_ bytes: [UInt8]) -> AuditLogScan {
        var lines: [Line] = []
        var start = 0
        var number = 1
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            let content = bytes[start..<end]
            let parsed: Result<ParsedEntry, AuditLineError>
            if content.isEmpty {
                parsed = .failure(.emptyLine)
            } else {
                do {
                    let (entry, hash) = try AuditEntry.parse(line: content)
                    parsed = .success(ParsedEntry(entry: entry, computedHash: hash))
                } catch {
                    parsed = .failure(error)
                }
            }
            lines.append(Line(number: number, parsed: parsed))
            number += 1
            start = end + 1
        }
        return AuditLogScan(lines: lines, endsWithNewline: bytes.last.map { $0 == 0x0A } ?? true)
    }
}
