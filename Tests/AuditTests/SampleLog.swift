import Foundation
import WireProtocol
@testable import Audit

/// Writes a small, realistic log: two rounds of bids, a clearing decision, assignments
/// and client updates, with deterministic timestamps.
enum SampleLog {
    static func write(to url: URL, entries count: Int = 10) throws -> [AuditEntry] {
        let log = try AuditLog.open(url)
        defer { log.close() }
        var written: [AuditEntry] = []
        for i in 0..<count {
            let round = i / 5
            let client = i % 5
            let type = ["bid", "bid", "audit-event", "assignment", "client-update"][client]
            written.append(try log.append(
                type: type,
                round: round,
                sender: type == "bid" || type == "client-update" ? "guardian-\(client)" : "server-agent",
                timestamp: 1_700_000_000_000 + i,
                messageID: "m-\(i)",
                payload: ["clientID": .number(Double(client)), "ask": 1.5, "note": .string("entry \(i)")],
                recordedAt: 1_700_000_000_100 + i
            ))
        }
        return written
    }

    static func lines(of url: URL) throws -> [String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    static func write(lines: [String], to url: URL) throws {
        try (lines.map { $0 + "\n" }.joined()).write(to: url, atomically: true, encoding: .utf8)
    }

    /// Re-hashes `entry` as a forger who knows the scheme would.
    static func forge(_ entry: AuditEntry) throws -> String {
        var entry = entry
        entry.hash = try entry.computedHash()
        return try entry.canonicalLine()
    }
}
