import Agents
import ArgumentParser
import Foundation

/// The experiment's flags, shared by `run`, `simulate` and the roles. Each flag overrides the
/// configuration file (`--config`), which overrides the defaults.
struct ExperimentOptions: ParsableArguments {
    @Option(help: "A configuration file (JSON, as `agentfl run` writes to OUT/config.json).")
    var config: String?
    @Option(help: "fashion-mnist | mnist | cifar10") var dataset: String?
    @Option(name: .customLong("data-dir"), help: "Folder with the dataset's files (default: the system's Fashion-MNIST).")
    var dataDirectory: String?
    @Option(name: .customLong("train-limit"), help: "Use only the first N training samples.") var trainLimit: Int?
    @Option(name: .customLong("test-limit"), help: "Use only the first N test samples.") var testLimit: Int?
    @Option(help: "iid | dirichlet | dirichlet-unbalanced | shards | quantity") var partition: String?
    @Option(help: "Dirichlet concentration α.") var alpha: Double?
    @Option(help: "Number of clients.") var clients: Int?
    @Option(name: .customLong("k"), help: "Clients per round.") var k: Int?
    @Option(help: "Rounds.") var rounds: Int?
    @Option(name: .customLong("local-epochs")) var localEpochs: Int?
    @Option(name: .customLong("batch")) var batchSize: Int?
    @Option(name: .customLong("lr")) var learningRate: Double?
    @Option(help: "sgd | adam") var optimizer: String?
    @Option var momentum: Double?
    @Option(name: .customLong("mu"), help: "FedProx proximal term μ.") var proximalMu: Double?
    @Option(help: "mlp | cnn | cifar-cnn") var model: String?
    @Option(help: "Model width multiplier (HeteroFL), in (0, 1].") var width: Double?
    @Option(name: .customLong("init"), help: "Weight initialization: he | pytorch") var initialization: String?
    @Option(help: "fedavg | median | trimmed-mean | krum") var aggregation: String?
    @Option var seed: UInt64?
    @Option(help: "Selection policy: random.") var policy: String?
    @Option(help: "Money the server may pay per round.") var budget: Double?
    @Option(name: .customLong("bid-window"), help: "Seconds the server waits for bids.") var bidWindow: Double?
    @Option(name: .customLong("round-timeout"), help: "Seconds the aggregator waits for updates before settling for a quorum.")
    var roundTimeout: Double?
    @Option(help: "Fraction of assigned updates that makes a round valid after its deadline.") var quorum: Double?
    @Option(name: .customLong("run-id")) var runID: String?

    func resolve() throws -> ExperimentConfiguration {
        var c = try config.map { try ExperimentConfiguration.load(from: URL(fileURLWithPath: $0)) } ?? ExperimentConfiguration()
        func set<T>(_ value: T?, _ path: WritableKeyPath<ExperimentConfiguration, T>) {
            if let value { c[keyPath: path] = value }
        }
        set(dataset, \.dataset)
        if let dataDirectory { c.dataDirectory = dataDirectory }
        if let trainLimit { c.trainLimit = trainLimit }
        if let testLimit { c.testLimit = testLimit }
        set(partition, \.partition)
        set(alpha, \.alpha)
        set(clients, \.clients)
        set(k, \.k)
        set(rounds, \.rounds)
        set(localEpochs, \.localEpochs)
        set(batchSize, \.batchSize)
        set(learningRate, \.learningRate)
        set(optimizer, \.optimizer)
        set(momentum, \.momentum)
        set(proximalMu, \.proximalMu)
        set(model, \.model)
        set(width, \.width)
        set(initialization, \.initialization)
        set(aggregation, \.aggregation)
        set(seed, \.seed)
        set(policy, \.policy)
        set(budget, \.budget)
        set(bidWindow, \.bidWindowSeconds)
        set(roundTimeout, \.roundTimeoutSeconds)
        set(quorum, \.quorum)
        set(runID, \.runID)
        try c.validate()
        return c
    }
}

/// Where the roles find Kafka and how they sign.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers, host:port[,host:port...].")
    var brokers: String = "127.0.0.1:9092"
    @Option(help: "This role's Ed25519 private key (base64 file); a fresh key when absent.")
    var key: String?
    @Option(help: "Topic definitions folder (default: topics/ found upward from here or from the executable).")
    var topics: String?

    var brokerList: [String] { brokers.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces)) } }
}
