import Agents
import ArgumentParser
import Audit
import Foundation
import WireProtocol

/// `agentfl audit verify|show`: judge and read the auditor's hash-chained log.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify and read the auditor's hash-chained audit log, and prove entries and heads from it.",
        subcommands: [Verify.self, Show.self, Heads.self, Prove.self, CheckProof.self, Replay.self, Follow.self]
    )

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every hash, link, signature and signed tree head; say how far signed heads anchor the log.",
            discussion: """
                Exit status: 0 intact and every entry covered by a signed tree head; 1 damaged (modified, removed, \
                reordered, inserted, malformed, bad signature, wrong key, payload mismatch, bad or mismatched tree head, \
                truncated); 2 an input cannot be read; 3 the log has no entries; 4 the chain is intact but not \
                anchored: no signed tree head, or entries after the last one (those could be cut undetected).
                Tree heads are read from --roots, else from audit-roots.json next to the log when present, and from \
                the log's own tree-head entries. Without --keyring, keys are taken from the log itself, which proves \
                only internal consistency; pass the run's keyring (OUT/keys/keyring.json) to bind them to the senders.
                """
        )

        @Argument(help: "The audit log (JSON Lines).")
        var path: String

        @Option(help: "Signed tree heads (the auditor's audit-roots.json, or heads as JSON Lines); default: audit-roots.json next to the log.")
        var roots: String?

        @Option(help: "The run's keyring ({\"keys\": {sender: base64 key}}): senders' and the auditor's keys must be the ones it lists.")
        var keyring: String?

        func run() throws {
            let logURL = URL(fileURLWithPath: path)
            let inputs: AuditInputs
            do {
                inputs = try AuditInputs.load(log: logURL, roots: roots, keyring: keyring)
            } catch {
                standardError("error: \(error)")
                throw ExitCode(2)
            }
            if roots == nil { print(inputs.headsNote) }
            let (heads, ring) = (inputs.heads, inputs.keyring)
            let report: VerificationReport
            do {
                report = try AuditVerifier.verify(logURL, heads: heads, keyring: ring)
            } catch {
                if case .unreadable = error.kind {
                    standardError("error: \(error)")
                    throw ExitCode(2)
                }
                standardError("DAMAGED (\(error.kind.name)): \(error)")
                throw ExitCode(1)
            }
            print(report)
            switch report.anchoring {
            case .covered: return
            case .empty: throw ExitCode(3)
            case .headless, .partial: throw ExitCode(4)
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

        @Flag(help: "One readable line per decision (assignment): strategy, K and why, preferred and winning clients, price, who was no candidate and why, LLM calls, guardrails, state digests.")
        var decisions = false

        func run() throws {
            if decisions, json { throw ValidationError("--decisions and --json print different things: give one") }
            if decisions, let type, type != MessageType.assignment.rawValue {
                throw ValidationError("--decisions shows assignments; --type \(type) names other entries")
            }
            let query = AuditQuery(round: round, client: client, type: decisions ? MessageType.assignment.rawValue : type)
            let entries: [AuditEntry]
            do {
                entries = try query.entries(in: URL(fileURLWithPath: path))
            } catch {
                standardError("error: \(error)")
                throw ExitCode(2)
            }
            if decisions {
                do {
                    for entry in entries { if let line = try DecisionLine.line(for: entry) { print(line) } }
                } catch {
                    standardError("error: \(error)")
                    throw ExitCode(1)
                }
            } else if json {
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
        let payload = (try? CanonicalJSON.string(entry.payload)) ?? "?"
        let signed = entry.signature == nil ? "" : "[signed] "
        let text = entry.auditorNotes.flatMap { try? CanonicalJSON.string($0) }.map { payload + " auditor: " + $0 } ?? payload
        let limit = 80
        return signed + (text.count > limit ? String(text.prefix(limit - 1)) + "…" : text)
    }
}

func standardError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
