import ArgumentParser
import Audit
import Foundation
import WireProtocol

/// `agentfl audit heads|prove|check-proof`: Certificate-Transparency-style proofs from the log.
extension AuditCommand {
    struct Prove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a self-contained proof that an entry is in a signed tree head, or that a later head extends an earlier one.",
            discussion: """
                --entry N: an inclusion proof (RFC 9162 2.1.3) of entry N against the largest signed tree head, or the \
                one of --head-size: the entry itself, its Merkle leaf (the entry's hash field as 32 bytes, which is what \
                the auditor's roots hash) and leaf hash, the audit path, and the signed head with its key and signature. \
                --from A --to B: a consistency proof (RFC 9162 2.1.4) that the signed head of tree size B extends the one \
                of size A, with both heads; `agentfl audit heads LOG` lists the signed heads and their sizes. \
                The log and its heads are verified first, as `audit verify` does. Heads are read from --roots, else from \
                audit-roots.json next to the log when present, and from the log's own tree-head entries. The proof is \
                printed (only the proof goes to stdout) and written to --out when given; check it with \
                `agentfl audit check-proof`.
                Exit status: 0 proof made; 1 the log or a head does not verify; 2 an input cannot be read; 3 no such \
                proof: the entry is not in the log, no signed head covers it, or a size is not a signed head's.
                """
        )

        @Argument(help: "The audit log (JSON Lines).")
        var path: String

        @Option(help: "Prove that this entry (its index) is in the log.")
        var entry: Int?

        @Option(name: .customLong("head-size"), help: "With --entry: prove against the signed head of this tree size instead of the largest.")
        var headSize: Int?

        @Option(help: "Consistency: the tree size of the older signed head.")
        var from: Int?

        @Option(help: "Consistency: the tree size of the newer signed head.")
        var to: Int?

        @Option(help: "Signed tree heads (the auditor's audit-roots.json); default: audit-roots.json next to the log.")
        var roots: String?

        @Option(help: "The run's keyring: the log's and heads' keys must be the ones it lists.")
        var keyring: String?

        @Option(help: "Also write the proof to this file.")
        var out: String?

        func validate() throws {
            switch (entry, from, to) {
            case (_?, nil, nil): break
            case (nil, _?, _?): guard headSize == nil else { throw ValidationError("--head-size goes with --entry, not with --from/--to") }
            case (nil, nil, nil): throw ValidationError("say what to prove: --entry N, or --from SIZE_A --to SIZE_B (sizes from `agentfl audit heads LOG`)")
            case (_?, _, _): throw ValidationError("--entry and --from/--to are two kinds of proof; ask for one")
            case (nil, _, _): throw ValidationError("a consistency proof needs both --from and --to")
            }
        }

        func run() throws {
            let builder = try AuditInputs.builder(log: path, roots: roots, keyring: keyring)
            let proof: AuditProof
            let summary: String
            do {
                if let entry {
                    let inclusion = try builder.inclusionProof(entry: entry, treeSize: headSize)
                    proof = .inclusion(inclusion)
                    summary = "inclusion proof of entry \(entry) against the signed head of tree size \(inclusion.head.treeSize) (round \(inclusion.head.round)\(inclusion.head.final ? ", final" : ""))"
                } else if let from, let to {
                    proof = .consistency(try builder.consistencyProof(from: from, to: to))
                    summary = "consistency proof from the signed head of tree size \(from) to the one of size \(to)"
                } else {
                    throw ValidationError("nothing to prove")
                }
            } catch let error as AuditProofRequestError {
                standardError("error: \(error)")
                throw ExitCode(3)
            }
            let text = try proof.text()
            print(text, terminator: "")
            if let out {
                do {
                    try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
                } catch {
                    standardError("error: cannot write \(out): \(error.localizedDescription)")
                    throw ExitCode(2)
                }
                standardError("wrote the \(summary) to \(out)")
            } else {
                standardError(summary)
            }
        }
    }

    struct CheckProof: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-proof",
            abstract: "Check a proof file from `audit prove` on its own, without the log.",
            discussion: """
                Recomputes every hash (the entry's, its leaf hash, the Merkle path to the signed root, or the consistency \
                path between two signed roots) and checks the tree heads' signatures. With --keyring the heads must be \
                signed by the keyring's "auditor" key (and a signed entry by its sender's key); without it the keys the \
                proof carries are used, which proves only internal consistency, and the output says so.
                Exit status: 0 valid; 1 invalid (naming what failed, including a field of the wrong form); 2 the file \
                or keyring cannot be read, or is not an audit proof.
                """
        )

        @Argument(help: "The proof file (JSON, from `agentfl audit prove`).")
        var proof: String

        @Option(help: "The run's keyring ({\"keys\": {sender: base64 key}}): binds the auditor's key (and the sender's).")
        var keyring: String?

        func run() throws {
            let ring: Keyring?
            do {
                ring = try keyring.map { try Keyring.load(from: URL(fileURLWithPath: $0)) }
            } catch {
                standardError("error: \(error)")
                throw ExitCode(2)
            }
            let parsed: AuditProof
            do {
                parsed = try AuditProof.read(URL(fileURLWithPath: proof))
            } catch {
                if case .malformed = error {
                    standardError("INVALID (malformed): \(error)")
                    throw ExitCode(1)
                }
                standardError("error: \(error)")
                throw ExitCode(2)
            }
            do {
                print(try AuditProofChecker.check(parsed, keyring: ring))
            } catch {
                standardError("INVALID (\(error.name)): \(error)")
                throw ExitCode(1)
            }
        }
    }

    struct Heads: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the signed tree heads that verify against the log, with their tree sizes (for `audit prove`).",
            discussion: "Heads are read as `audit prove` reads them; the log is verified first. Exit status: 0 listed; 1 the log or a head does not verify; 2 an input cannot be read."
        )

        @Argument(help: "The audit log (JSON Lines).")
        var path: String

        @Option(help: "Signed tree heads (the auditor's audit-roots.json); default: audit-roots.json next to the log.")
        var roots: String?

        @Option(help: "The run's keyring.")
        var keyring: String?

        func run() throws {
            let builder = try AuditInputs.builder(log: path, roots: roots, keyring: keyring)
            let rows = builder.heads.map { head in
                [
                    String(head.treeSize), String(head.round), head.final ? "yes" : "no",
                    Date(timeIntervalSince1970: Double(head.timestamp) / 1000).formatted(.iso8601), head.merkleRoot,
                ]
            }
            let header = ["tree size", "round", "final", "signed (UTC)", "merkle root"]
            let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
            for row in [header] + rows {
                print(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                    .trimmingCharacters(in: .whitespaces))
            }
            print("\(rows.count) signed head\(rows.count == 1 ? "" : "s") over \(builder.report.entryCount) entries; entry N is covered by every head of tree size > N")
        }
    }
}
