import Agents
import ArgumentParser
import Audit
import Foundation

extension AuditCommand {
    /// `agentfl audit replay`: re-derive every decision from the log and name the first that does
    /// not follow from what was recorded.
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-derive every recorded decision from the log (K, selection, state digests, market, bids used, aggregation, ε spent) and report what does not follow.",
            discussion: """
                The log is verified first (chain, signatures, tree heads, as `audit verify`): a replay of a log that \
                does not verify proves nothing. Then, from the log alone and the run's configuration: each decision's \
                bids were logged and no eligible bid sent at least 1 s before the bid deadline was left out; a \
                deterministic brain's plan is re-derived from its initial state, folding the logged feedback round by \
                round, and must give the recorded state digests, K, preferred clients and the whole assignment; every \
                round's market is re-cleared from its recorded plan over the logged asks; every merged update was \
                assigned and logged with its digest; every privacy statement's ε is the accountant's for its mechanism \
                and within its budget. A language model's decisions are re-derived from its recorded answers, fed back \
                through the same guardrails; the model is not called.
                Exit status: 0 every decision replays; 1 the log does not verify, or a finding (the first is named); \
                2 an input cannot be read.
                """
        )

        @Argument(help: "The audit log (JSON Lines).")
        var path: String

        @Option(help: "The run's configuration (`agentfl run` writes OUT/config.json); default: config.json next to the log.")
        var config: String?

        @Option(help: "Signed tree heads; default: audit-roots.json next to the log.")
        var roots: String?

        @Option(help: "The run's keyring (OUT/keys/keyring.json): senders' keys must be the ones it lists.")
        var keyring: String?

        func run() async throws {
            let logURL = URL(fileURLWithPath: path)
            let configURL = config.map { URL(fileURLWithPath: $0) }
                ?? logURL.deletingLastPathComponent().appendingPathComponent("config.json")
            let inputs: AuditInputs
            let configuration: ExperimentConfiguration
            do {
                inputs = try AuditInputs.load(log: logURL, roots: roots, keyring: keyring)
                configuration = try ExperimentConfiguration.load(from: configURL)
            } catch {
                standardError("error: \(error)")
                throw ExitCode(2)
            }
            do {
                let verified = try AuditVerifier.verify(logURL, heads: inputs.heads, keyring: inputs.keyring)
                print("log: \(verified.entryCount) entries verified")
                if case .covered = verified.anchoring {} else {
                    print("warning: the log is not wholly anchored by signed tree heads (see agentfl audit verify): entries could have been cut from its end")
                }
            } catch {
                if case .unreadable = error.kind {
                    standardError("error: \(error)")
                    throw ExitCode(2)
                }
                standardError("DAMAGED (\(error.kind.name)): \(error); a log that does not verify is not replayed")
                throw ExitCode(1)
            }
            let report: ReplayReport
            do {
                let entries = try AuditQuery().entries(in: logURL)
                report = try await DecisionReplay(configuration: configuration).replay(entries)
            } catch {
                standardError("error: \(error)")
                throw ExitCode(2)
            }
            print(report)
            if let first = report.findings.first {
                standardError("DOES NOT REPLAY: \(first)")
                throw ExitCode(1)
            }
            print("REPLAYS: every decision follows from what the log recorded")
        }
    }
}
