import Foundation

/// Everything that defines one federated experiment. `agentfl run` writes it to `config.json` in
/// the output folder and hands that file to every role, so all processes agree on the data split,
/// the model, the seed and the round protocol's timings; `agentfl simulate` reads the same fields.
public struct ExperimentConfiguration: Codable, Sendable, Equatable {
    public var runID: String = "run"
    // Data
    public var dataset: String = "fashion-mnist"
    public var dataDirectory: String?
    public var trainLimit: Int?
    public var testLimit: Int?
    public var partition: String = "dirichlet"
    public var alpha: Double = 0.5
    public var shardsPerClient: Int = 2
    // Federation
    public var clients: Int = 100
    public var k: Int = 10
    public var rounds: Int = 30
    public var seed: UInt64 = 1
    // Local training
    public var localEpochs: Int = 1
    public var batchSize: Int = 32
    public var learningRate: Double = 0.05
    public var optimizer: String = "sgd"
    public var momentum: Double = 0
    public var weightDecay: Double = 0
    public var proximalMu: Double = 0
    // Model and aggregation
    public var model: String = "mlp"
    public var width: Double = 1.0
    /// Weight initialization: `he` or `pytorch`.
    public var initialization: String = "he"
    public var aggregation: String = "fedavg"
    public var trimFraction: Double = 0.1
    public var krumByzantine: Int = 1
    // Agents and market
    public var policy: String = "random"
    /// Money the server may pay out per round (reverse auction budget).
    public var budget: Double = 1000
    /// How long the server waits for bids after announcing a round (it closes early once every client answered).
    public var bidWindowSeconds: Double = 2
    /// How long the server waits for every guardian to report ready before round 1.
    public var startupTimeoutSeconds: Double = 60
    /// How long after assignment the aggregator waits for updates before settling for a quorum.
    public var roundTimeoutSeconds: Double = 30
    /// Fraction of the assigned clients whose updates make a round valid once the deadline passed.
    public var quorum: Double = 0.5

    public init() {}

    public static func load(from url: URL) throws -> ExperimentConfiguration {
        do {
            return try JSONDecoder().decode(ExperimentConfiguration.self, from: Data(contentsOf: url))
        } catch {
            throw AgentError.invalidFile(url.path, reason: "not an experiment configuration: \(error)")
        }
    }

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: url, options: .atomic)
    }

    /// Checks the values a run cannot work with, naming the first bad one.
    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws {
            if !ok { throw AgentError.invalidConfiguration(message) }
        }
        try check(clients >= 1, "clients must be at least 1 (got \(clients))")
        try check(k >= 1 && k <= clients, "k must be between 1 and clients=\(clients) (got \(k))")
        try check(rounds >= 1, "rounds must be at least 1 (got \(rounds))")
        try check(localEpochs >= 1 && batchSize >= 1, "local epochs and batch size must be positive")
        try check(learningRate > 0 && learningRate.isFinite, "learning rate must be positive")
        try check(budget >= 0 && budget.isFinite, "budget must be a non-negative number")
        try check(quorum > 0 && quorum <= 1, "quorum must be in (0, 1] (got \(quorum))")
        try check(width > 0 && width <= 1, "width must be in (0, 1] (got \(width))")
    }
}

extension ExperimentConfiguration {
    private enum CodingKeys: String, CodingKey {
        case runID, dataset, dataDirectory, trainLimit, testLimit, partition, alpha, shardsPerClient, clients, k, rounds, seed, localEpochs, batchSize, learningRate, optimizer, momentum, weightDecay, proximalMu, model, width, initialization, aggregation, trimFraction, krumByzantine, policy, budget, bidWindowSeconds, startupTimeoutSeconds, roundTimeoutSeconds, quorum
    }

    /// Every field is optional in a file: what it leaves out keeps its default, so a configuration
    /// written by hand (or by an older version) needs only the fields it changes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ExperimentConfiguration()
        runID = try container.decodeIfPresent(String.self, forKey: .runID) ?? defaults.runID
        dataset = try container.decodeIfPresent(String.self, forKey: .dataset) ?? defaults.dataset
        dataDirectory = try container.decodeIfPresent(String.self, forKey: .dataDirectory)
        trainLimit = try container.decodeIfPresent(Int.self, forKey: .trainLimit)
        testLimit = try container.decodeIfPresent(Int.self, forKey: .testLimit)
        partition = try container.decodeIfPresent(String.self, forKey: .partition) ?? defaults.partition
        alpha = try container.decodeIfPresent(Double.self, forKey: .alpha) ?? defaults.alpha
        shardsPerClient = try container.decodeIfPresent(Int.self, forKey: .shardsPerClient) ?? defaults.shardsPerClient
        clients = try container.decodeIfPresent(Int.self, forKey: .clients) ?? defaults.clients
        k = try container.decodeIfPresent(Int.self, forKey: .k) ?? defaults.k
        rounds = try container.decodeIfPresent(Int.self, forKey: .rounds) ?? defaults.rounds
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? defaults.seed
        localEpochs = try container.decodeIfPresent(Int.self, forKey: .localEpochs) ?? defaults.localEpochs
        batchSize = try container.decodeIfPresent(Int.self, forKey: .batchSize) ?? defaults.batchSize
        learningRate = try container.decodeIfPresent(Double.self, forKey: .learningRate) ?? defaults.learningRate
        optimizer = try container.decodeIfPresent(String.self, forKey: .optimizer) ?? defaults.optimizer
        momentum = try container.decodeIfPresent(Double.self, forKey: .momentum) ?? defaults.momentum
        weightDecay = try container.decodeIfPresent(Double.self, forKey: .weightDecay) ?? defaults.weightDecay
        proximalMu = try container.decodeIfPresent(Double.self, forKey: .proximalMu) ?? defaults.proximalMu
        model = try container.decodeIfPresent(String.self, forKey: .model) ?? defaults.model
        width = try container.decodeIfPresent(Double.self, forKey: .width) ?? defaults.width
        initialization = try container.decodeIfPresent(String.self, forKey: .initialization) ?? defaults.initialization
        aggregation = try container.decodeIfPresent(String.self, forKey: .aggregation) ?? defaults.aggregation
        trimFraction = try container.decodeIfPresent(Double.self, forKey: .trimFraction) ?? defaults.trimFraction
        krumByzantine = try container.decodeIfPresent(Int.self, forKey: .krumByzantine) ?? defaults.krumByzantine
        policy = try container.decodeIfPresent(String.self, forKey: .policy) ?? defaults.policy
        budget = try container.decodeIfPresent(Double.self, forKey: .budget) ?? defaults.budget
        bidWindowSeconds = try container.decodeIfPresent(Double.self, forKey: .bidWindowSeconds) ?? defaults.bidWindowSeconds
        startupTimeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .startupTimeoutSeconds) ?? defaults.startupTimeoutSeconds
        roundTimeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .roundTimeoutSeconds) ?? defaults.roundTimeoutSeconds
        quorum = try container.decodeIfPresent(Double.self, forKey: .quorum) ?? defaults.quorum
    }
}
