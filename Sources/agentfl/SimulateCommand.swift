import ArgumentParser
import Foundation
import Learning

/// `agentfl simulate`: a federated run in one process, no Kafka, for fast experiments.
struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run federated learning in one process (no Kafka): per round select K clients, train, aggregate, evaluate.",
        discussion: "Writes DIR/results.json and DIR/results.csv. The same seed gives the same numbers."
    )

    @Option(help: "Dataset: fashion-mnist, mnist or cifar10.")
    var dataset: String = "fashion-mnist"
    @Option(help: "Directory with the dataset files (default: Debian's location for Fashion-MNIST).")
    var dataDir: String?
    @Option(help: "Partition: iid, dirichlet (NIID-Bench's, balanced sizes), dirichlet-unbalanced (Flower's default), shards or quantity.")
    var partition: String = "dirichlet"
    @Option(help: "Dirichlet concentration α (dirichlet and quantity partitions).")
    var alpha: Double = 0.5
    @Option(help: "Shards per client (shards partition).")
    var shardsPerClient: Int = 2
    @Option(help: "Number of clients N.")
    var clients: Int = 100
    @Option(help: "Clients per round K.")
    var k: Int = 10
    @Option(help: "Rounds.")
    var rounds: Int = 30
    @Option(help: "Local epochs per round.")
    var localEpochs: Int = 1
    @Option(help: "Local mini-batch size.")
    var batch: Int = 32
    @Option(help: "Learning rate.")
    var lr: Float = 0.05
    @Option(help: "Optimizer: sgd or adam.")
    var optimizer: String = "sgd"
    @Option(help: "SGD momentum.")
    var momentum: Float = 0
    @Option(help: "L2 weight decay.")
    var weightDecay: Float = 0
    @Option(help: "Model: mlp, cnn or cifar-cnn.")
    var model: String = "mlp"
    @Option(name: .customLong("init"), help: "Weight initialization: he or pytorch (PyTorch's default for Linear and Conv2d).")
    var initialization: String = "he"
    @Option(help: "Width multiplier(s), comma-separated, assigned to clients round-robin (HeteroFL), e.g. 1,0.5,0.25.")
    var width: String = "1"
    @Option(help: "Aggregation: fedavg, median, trimmed-mean or krum.")
    var aggregation: String = "fedavg"
    @Option(help: "FedProx proximal coefficient μ (0: FedAvg).")
    var mu: Float = 0
    @Option(help: "Trimmed mean: fraction trimmed from each side.")
    var trim: Double = 0.1
    @Option(help: "Krum: number of Byzantine clients tolerated.")
    var krumF: Int = 1
    @Option(help: "Multi-Krum: number of updates averaged (1: Krum).")
    var krumM: Int = 1
    @Option(help: "Per-example gradient clipping norm (off by default).")
    var clipNorm: Float?
    @Option(help: "Run seed.")
    var seed: UInt64 = 1
    @Option(help: "Use only the first N training samples.")
    var trainLimit: Int?
    @Option(help: "Use only the first N test samples.")
    var testLimit: Int?
    @Option(help: "Clients trained concurrently (each with single-threaded BLAS); default: 2 for the MLP, 1 otherwise.")
    var concurrentClients: Int?
    @Option(help: "Output directory for results.json and results.csv.")
    var out: String = "out/simulate"
    @Flag(help: "Also write DIR/partition.json: each client's training-sample indices, to replay the same split elsewhere.")
    var savePartition = false
    @Flag(help: "Print only the final line.")
    var quiet = false

    func run() throws {
        let configuration = try makeConfiguration()
        let task = try FederatedTask.load(configuration)
        let concurrency = concurrentClients ?? (configuration.architecture == .mlp ? 2 : 1)
        if !quiet {
            Self.write("simulate: \(configuration.dataset.rawValue) train \(task.train.count) test \(task.test.count), " +
                  "\(configuration.architecture.rawValue) \(task.model.parameterCount) parameters, " +
                  "\(configuration.partition): \(task.partitionReport), K=\(configuration.clientsPerRound), " +
                  "aggregation \(task.aggregationRule.name), seed \(configuration.seed)\n")
        }
        let simulation = FederatedSimulation(task: task, concurrentClients: concurrency)
        let rounds = configuration.rounds
        let quiet = self.quiet
        let result = try simulation.run { r in
            guard !quiet else { return }
            let line = String(
                format: "round %3d/%d  acc %.4f  loss %.4f  train loss %.4f  up %.1f MiB  %.2f s\n",
                r.round, rounds, r.testAccuracy, r.testLoss, r.trainLoss, Double(r.bytesUp) / 1_048_576, r.seconds
            )
            Self.write(line)
        }
        let directory = URL(fileURLWithPath: out)
        try SimulationReport.write(result, configuration: configuration, to: directory)
        if savePartition { try SimulationReport.writePartition(task.partition, to: directory) }
        let meanSeconds = result.rounds.isEmpty ? 0 : result.rounds.map(\.seconds).reduce(0, +) / Double(result.rounds.count)
        print(String(
            format: "final test accuracy %.4f after %d rounds, %.3f s per round, %.1f s in all; wrote %@",
            result.finalAccuracy ?? 0, result.rounds.count, meanSeconds, result.seconds, directory.appendingPathComponent("results.json").path
        ))
    }

    /// Unbuffered, so progress shows at once even when stdout is a pipe.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    func makeConfiguration() throws -> SimulationConfiguration {
        guard let datasetName = DatasetName(rawValue: dataset.lowercased()) else {
            throw ValidationError("unknown dataset '\(dataset)' (expected \(DatasetName.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let architecture = ModelArchitecture(rawValue: model.lowercased()) else {
            throw ValidationError("unknown model '\(model)' (expected \(ModelArchitecture.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let weights = WeightInitialization(rawValue: initialization.lowercased()) else {
            throw ValidationError("unknown initialization '\(initialization)' (expected \(WeightInitialization.allCases.map(\.rawValue).joined(separator: " or ")))")
        }
        let parts = width.split(separator: ",")
        let clientWidths = parts.compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, clientWidths.count == parts.count else {
            throw ValidationError("--width must be comma-separated numbers in (0, 1], got '\(width)'")
        }
        let optimizerKind: Optimizer
        switch optimizer.lowercased() {
        case "sgd": optimizerKind = .sgd(momentum: momentum, weightDecay: weightDecay)
        case "adam": optimizerKind = .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: weightDecay)
        default: throw ValidationError("unknown optimizer '\(optimizer)' (expected sgd or adam)")
        }
        let scheme: PartitionScheme
        let rule: AggregationChoice
        do {
            scheme = try PartitionScheme.parse(partition, alpha: alpha, shardsPerClient: shardsPerClient)
            rule = try AggregationChoice.parse(aggregation, trim: trim, krumF: krumF, krumM: krumM)
        } catch {
            throw ValidationError("\(error)")
        }
        let configuration = SimulationConfiguration(
            dataset: datasetName, dataDirectory: dataDir.map { URL(fileURLWithPath: $0) }, partition: scheme,
            clients: clients, clientsPerRound: k, rounds: rounds,
            training: TrainingConfiguration(
                localEpochs: localEpochs, batchSize: batch, learningRate: lr, optimizer: optimizerKind, proximalMu: mu,
                clipping: clipNorm.map { PerExampleClipping(maxNorm: $0) }
            ),
            architecture: architecture, initialization: weights, clientWidths: clientWidths, aggregation: rule, seed: seed,
            trainLimit: trainLimit, testLimit: testLimit
        )
        do {
            try configuration.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        return configuration
    }
}
