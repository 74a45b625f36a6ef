import Agents
import ArgumentParser
import Foundation
import Learning
import Strategies

/// `agentfl simulate`: a federated run in one process, no Kafka, for fast experiments. It takes
/// the same experiment flags and `--config` files as `agentfl run`, runs the same round code (the
/// guardians' bids, the server's strategy and market, the aggregator's merge and feedback; see
/// ``InProcessExperiment``) and writes the same `results.json` and `results.csv`.
struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run federated learning in one process (no Kafka): the run's own round code, without processes or deadlines.",
        discussion: "Writes DIR/results.json and DIR/results.csv (the same schema as agentfl run). The same seed gives the same numbers, and for every deterministic strategy the same selections as agentfl run. The flags marked run: are recorded in the configuration but used by agentfl run only."
    )

    @OptionGroup var experiment: ExperimentOptions
    @Option(name: .customLong("concurrent-clients"), parsing: .unconditional, help: "Clients trained concurrently (each with single-threaded BLAS); default: 2 for the MLP, 1 otherwise.")
    var concurrentClients: Int?
    @Option(help: "Output directory for results.json and results.csv.")
    var out: String = "out/simulate"
    @Flag(name: .customLong("save-partition"), help: "Also write DIR/partition.json: each client's training-sample indices, to replay the same split elsewhere.")
    var savePartition = false
    @Flag(help: "Print only the final line.")
    var quiet = false
    @Option(name: .customLong("dp-seed-file"), help: "The guardians' private DP noise seed (e.g. OUT/keys/dp-noise.seed of an agentfl run, to repeat its noise); default: a fresh secret.")
    var noiseSeedFile: String?

    func run() async throws {
        if let concurrentClients, concurrentClients < 1 {
            throw ExperimentOptions.usageFailure("--concurrent-clients must be at least 1 (got \(concurrentClients))")
        }
        let experimentConfiguration = try experiment.prepared(for: .inProcess)
        let configuration = try experimentConfiguration.simulationConfiguration()
        let task = try FederatedTask.load(configuration)
        let concurrency = concurrentClients ?? (configuration.architecture == .mlp ? 2 : 1)
        if !quiet {
            Self.write("simulate: \(configuration.dataset.rawValue) train \(task.trainCount) test \(task.test?.count ?? 0), " +
                  "\(configuration.architecture.rawValue) \(task.model.parameterCount) parameters, " +
                  "\(configuration.partition): \(task.partitionReport), policy \(experimentConfiguration.policy), K-Agent \(experimentConfiguration.kAgent) (K \(configuration.clientsPerRound)), " +
                  "aggregation \(task.aggregationRule.name), seed \(configuration.seed)\n")
        }
        let rounds = configuration.rounds
        let quiet = self.quiet
        let noise = try noiseSeedFile.map { try NoiseSeed.load(from: URL(fileURLWithPath: $0)) }
        let outcome = try await experimentConfiguration.withLLM { llm in
            try await InProcessExperiment(configuration: experimentConfiguration, concurrentClients: concurrency, noiseSeed: noise).run(task: task, llm: llm) { r in
                guard !quiet else { return }
                Self.write(String(
                    format: "round %3d/%d  K=%d  acc %.4f  loss %.4f  train loss %.4f  up %.1f MiB  price %.3f  %.2f s\n",
                    r.round, rounds, r.k, r.testAccuracy, r.testLoss, r.trainLoss ?? 0, Double(r.bytesUp) / 1_048_576, r.clearingPrice, r.seconds))
            }
        }
        let directory = URL(fileURLWithPath: out)
        try outcome.results.write(to: directory)
        if savePartition { try SimulationReport.writePartition(outcome.partition, to: directory) }
        let done = outcome.results.rounds
        let meanSeconds = done.isEmpty ? 0 : done.map(\.seconds).reduce(0, +) / Double(done.count)
        print(String(
            format: "final test accuracy %.4f after %d rounds, %.3f s per round, %.1f s in all; wrote %@",
            done.last?.testAccuracy ?? 0, done.count, meanSeconds, outcome.results.totalSeconds,
            directory.appendingPathComponent("results.json").path
        ))
    }

    /// Unbuffered, so progress shows at once even when stdout is a pipe.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
