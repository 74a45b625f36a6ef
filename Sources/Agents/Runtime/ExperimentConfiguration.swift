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
    public var clients: Int = 20
    public var k: Int = 5
    public var rounds: Int = 5
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
    public var aggregation: String = "fedavg"
    public var trimFraction: Double = 0.1
    public var krumByzantine: Int = 1
    // Agents and market
    public var policy: String = "random"
    /// Money the server may pay out per round (reverse auction budget).
    public var budget: Double = 100
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
