import Agents
import ArgumentParser
import Dispatch
import Foundation
import Logging

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a complete federated experiment: broker, server agent, guardians, aggregator and auditor as processes.")
    @OptionGroup var experiment: ExperimentOptions
    @Option(help: "Kafka bootstrap servers of an existing cluster; without it the embedded broker starts.")
    var brokers: String?
    @Option(help: "Output folder: results.json, results.csv, audit.log, logs/, keys/, state/.")
    var out = "out"
    @Option(name: .customLong("guardian-processes"), parsing: .unconditional, help: "Processes the clients are spread over.")
    var guardianProcesses = 2
    @Option(help: "Topic definitions folder.") var topics: String?
    @Option(name: .customLong("kafka-config"), help: "librdkafka client properties (security.protocol, ssl.*, sasl.*) for a secured cluster given with --brokers; handed to every role.")
    var kafkaConfig: String?

    func run() async throws {
        if kafkaConfig != nil, brokers == nil {
            throw ExperimentOptions.usageFailure("--kafka-config is for a secured cluster given with --brokers; the embedded broker takes no client properties")
        }
        guard guardianProcesses >= 1 else {
            throw ExperimentOptions.usageFailure("--guardian-processes must be at least 1 (got \(guardianProcesses))")
        }
        // Everything is checked, the data and the partition included, before any broker or role starts.
        // Every run gets its own id unless --run-id names one: a config file written by an earlier
        // run carries that run's id, and reusing it would resume that run's offsets and state.
        let freshID = experiment.runID == nil
        let configuration = try experiment.prepared(for: .processes) { configuration in
            if freshID { configuration.runID = "run-\(UInt32.random(in: 0...UInt32.max))" }
        }
        var logger = Logger(label: "agentfl.run")
        logger.logLevel = .warning
        let outURL = URL(fileURLWithPath: out)
        if FileManager.default.fileExists(atPath: outURL.appendingPathComponent("state").path) {
            // A new run must not resume an earlier run's checkpoints.
            try FileManager.default.removeItem(at: outURL.appendingPathComponent("state"))
            try? FileManager.default.removeItem(at: outURL.appendingPathComponent("audit.log"))
            try? FileManager.default.removeItem(at: outURL.appendingPathComponent("audit-roots.json"))
        }
        let launcher = ExperimentLauncher(
            configuration: configuration, brokers: brokers.map { $0.split(separator: ",").map(String.init) },
            outDirectory: outURL, guardianProcesses: guardianProcesses,
            executable: URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath(),
            topicsDirectory: try TopicsLocation.resolve(topics), logger: logger,
            clientPropertiesFile: kafkaConfig.map { URL(fileURLWithPath: $0) })
        print("agentfl run \(configuration.runID): \(configuration.dataset), \(configuration.model), \(configuration.partition) α=\(configuration.alpha), \(configuration.clients) clients, K=\(configuration.k), \(configuration.rounds) rounds, policy \(configuration.policy)")
        let experiment = Task { try await launcher.run { progress in
            switch progress {
            case let .started(bootstrap, seconds):
                print(String(format: "broker %@ and roles started in %.2f s", bootstrap, seconds))
            case let .round(r, total):
                print(String(
                    format: "round %3d/%d  K=%d  selected %@  acc %.4f  loss %.4f  up %.1f MB  down %.1f MB  price %.3f  %.2f s",
                    r.round, total, r.k, r.selected.map(String.init).joined(separator: ","), r.testAccuracy, r.testLoss,
                    Double(r.bytesUp) / 1e6, Double(r.bytesDown) / 1e6, r.clearingPrice, r.seconds))
            case let .restarted(restart):
                print(String(
                    format: "restarted %@ (restart %d): it ended with %@; back as pid %d after %.2f s",
                    restart.role, restart.count, "\(restart.termination)", restart.newPID,
                    restart.downSeconds))
            }
        } }
        // Ctrl-C or SIGTERM: cancel the run; the launcher then stops every role and the broker.
        let signals = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler {
                print("stopping: asking every role to drain and exit")
                experiment.cancel()
            }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        let results: RunResults
        do {
            results = try await experiment.value
        } catch is CancellationError {
            print("stopped before the last round; partial logs and the audit log are in \(out)")
            throw ExitCode(130)
        }
        let final = results.rounds.last?.testAccuracy ?? 0
        print(String(format: "done: accuracy %.4f after %d rounds; ready in %.2f s, %.1f s in all; results in %@/results.json, audit log in %@/audit.log",
                     final, results.rounds.count, results.readySeconds ?? 0, results.totalSeconds, out, out))
    }
}
