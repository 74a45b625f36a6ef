import Agents
import ArgumentParser
import Audit
import Foundation
import Logging
import WireProtocol

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
            guard FileManager.default.isReadableFile(atPath: logURL.path) else {
                standardError("error: cannot read the audit log \(logURL.path)")
                throw ExitCode(2)
            }
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
                throw AuditInputs.exit(for: error, "a log that does not verify is not replayed")
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

extension AuditCommand {
    /// `agentfl audit follow`: verify a running system live from its topics.
    struct Follow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a running system live from its topics: every message against the run's keyring, each round's decisions replayed as they arrive.",
            discussion: """
                Reads every protocol topic of the run from the beginning, as the auditor does, but keeps nothing on \
                disk and needs no key of its own: a user who does not control the run watches it. A message that does \
                not check out (forged, unsigned, signed by a key the keyring does not give that sender, speaking for a \
                client its key may not, unusable content) ends the watch at once. A second after a round's metrics \
                arrive, everything heard so far is replayed as `audit replay` does (bids used and left out, the plan, \
                the market, the merge, ε); the first finding ends the watch. The signed tree heads are not checked \
                here: they cover the auditor's log, which `audit verify` checks.
                Exit status: 0 every round up to the configuration's last replayed; 1 a refused message or a finding \
                (named); 2 an input cannot be read or the broker fails; 3 --timeout passed first.
                """
        )

        @Option(help: "Kafka bootstrap servers, host:port[,host:port...].")
        var brokers: String = "127.0.0.1:9092"
        @Option(help: "The run's configuration (`agentfl run` writes OUT/config.json): its run id, rounds and rules.")
        var config: String
        @Option(help: "The run's keyring (OUT/keys/keyring.json): every message is verified against it.")
        var keyring: String
        @Option(name: .customLong("kafka-config"), help: "librdkafka client properties (TLS, SASL) for a secured cluster.")
        var kafkaConfig: String?
        @Option(help: "Topic definitions folder (default: topics/ found upward from here or from the executable).")
        var topics: String?
        @Option(help: "Give up after this many seconds.")
        var timeout: Double = 3600

        func run() async throws {
            var logger = Logger(label: "agentfl.follow")
            logger.logLevel = .warning
            let watch: LiveAudit
            do {
                let configuration = try ExperimentConfiguration.load(from: URL(fileURLWithPath: config))
                let ring = try Keyring.load(from: URL(fileURLWithPath: keyring))
                let bus = try RoleBus.observer(
                    brokers: ConnectionOptions.brokerList(brokers), topicsDirectory: topics, keyring: ring,
                    clientPropertiesFile: kafkaConfig, runID: configuration.runID, logger: logger)
                watch = LiveAudit(configuration: configuration, bus: bus, keyring: ring, logger: logger)
                print("following run \(configuration.runID) on \(brokers): \(configuration.rounds) rounds")
            } catch {
                standardError("error: \(error)")
                throw ExitCode(2)
            }
            let seconds = timeout
            let outcome: LiveAudit.Outcome?
            do {
                outcome = try await withThrowingTaskGroup(of: LiveAudit.Outcome?.self) { group in
                    group.addTask { try await watch.run { print($0) } }
                    group.addTask {
                        try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                        return nil
                    }
                    defer { group.cancelAll() }
                    return try await group.next() ?? nil
                }
            } catch {
                standardError("error: \(error)")
                throw ExitCode(2)
            }
            switch outcome {
            case .clean(let report)?:
                print(report)
                print("VERIFIED: every message checked out and every decision replays")
            case .refused(let record)?:
                let sender = record.envelope.map { " from \($0.sender)" } ?? ""
                standardError("REFUSED: a \(record.envelope?.type.rawValue ?? "record")\(sender) at \(record.topic)[\(record.partition)]@\(record.offset): \(record.reason): \(record.detail)")
                throw ExitCode(1)
            case .finding(let finding, _)?:
                standardError("DOES NOT REPLAY: \(finding)")
                throw ExitCode(1)
            case nil:
                standardError("timeout: the run did not finish within \(seconds) s")
                throw ExitCode(3)
            }
        }
    }
}
