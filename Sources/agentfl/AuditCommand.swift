import ArgumentParser
import Audit
import Foundation

/// `agentfl audit verify|show`: judge and read the auditor's hash-chained log.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify and read the auditor's hash-chained audit log.",
        subcommands: [Verify.self, Show.self]
    )

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every hash, link and signature; exit 0 when intact, 1 naming the first damaged entry.",
            discussion: "Exit status: 0 intact, 1 damaged (modified, removed, reordered, inserted, malformed, bad signature, root mismatch), 2 when an input cannot be read."
        )

        @Argument(help: "The audit log (JSON Lines).")
        var path: String

        @Option(help: "Published per-round roots to compare: {\"<round>\": \"<hex>\"}, or AuditRoot objects (array or JSON Lines).")
        var roots: String?

        func run() throws {
            let published: [Int: String]
            do {
                published = try roots.map { try PublishedRoots.read(URL(fileURLWithPath: $0)) } ?? [:]
            } catch {
                standardError("error: \(error)")
                throw ExitCode(2)
            }
            do {
                print(try AuditVerifier.verify(URL(fileURLWithPath: path), publishedRoots: published))
            } catch {
                if case .unreadable = error.kind {
                    standardError("error: \(error)")
                    throw ExitCode(2)
                }
                standardError("DAMAGED (\(error.kind.name)): \(error)")
                throw ExitCode(1)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the entries that match, as a table or as raw JSON lines.")

        @Argument(help: "The audit log (JSON Lines).")
        var path: String

        @Option(help: "Only entries of this round.")
        var round: Int?

        @Option(help: "Only entries about this client (sender guardian-N, or the payload's clientID/subject).")
        var client: Int?

        @Option(help: "Only entries of this type, e.g. bid, assignment, client-update, audit-event.")
        var type: String?

        @Flag(help: "Print the matching lines as canonical JSON, one per line.")
        var json = false

        func run() throws {
            let query = AuditQuery(round: round, client: client, type: type)
            let entries: [AuditEntry]
            do {
                entries = try query.entries(in: URL(fileURLWithPath: path))
            } catch {
                standardError("error: \(error)")
                throw ExitCode(2)
            }
            if json {
                for entry in entries { print((try? entry.canonicalLine()) ?? "") }
            } else {
                print(AuditTable(entries: entries).rendered)
            }
        }
    }
}

/// The readable table `agentfl audit show` prints.
struct AuditTable {
    var entries: [AuditEntry]

    var rendered: String {
        let header = ["index", "round", "type", "sender", "sent (UTC)", "message", "payload"]
        let rows = entries.map { entry in
            [
                String(entry.index),
                entry.round.map(String.init) ?? "-",
                entry.type,
                entry.sender,
                Date(timeIntervalSince1970: Double(entry.timestamp) / 1000).formatted(.iso8601),
                entry.messageID.map { String($0.prefix(12)) } ?? "-",
                Self.summary(of: entry),
            ]
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        let format = { (row: [String]) in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        let lines = [format(header)] + rows.map(format) + ["\(entries.count) entr\(entries.count == 1 ? "y" : "ies")"]
        return lines.joined(separator: "\n")
    }

    private static func summary(of entry: AuditEntry) -> String {
        let text = (try? CanonicalJSON.string(entry.payload)) ?? "?"
        let signed = entry.signature == nil ? "" : "[signed] "
        let limit = 80
        return signed + (text.count > limit ? String(text.prefix(limit - 1)) + "…" : text)
    }
}

private func standardError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
