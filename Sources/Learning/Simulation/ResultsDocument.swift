import Foundation

/// `results.json` and `results.csv`, one schema for `agentfl run` and `agentfl simulate`.
///
/// `results.json` (every key always present; a value the command cannot know is `null`):
/// ```
/// {
///   "command": "run" | "simulate",
///   "config": {
///     "dataset", "partition", "alpha" (null unless dirichlet/quantity), "shards_per_client" (null unless shards),
///     "clients", "k", "rounds", "seed", "train_limit", "test_limit",
///     "local_epochs", "batch", "lr", "optimizer", "momentum", "weight_decay", "mu", "clip_norm",
///     "batch_shards" (the fixed split of each batch's gradient sum), "model", "init", "widths",
///     "aggregation" (the rule as it names itself, e.g. "krum(f=1)", or "heterofl" for mixed widths),
///     "parameter_count",
///     "run_id", "policy", "budget", "bid_window_seconds", "startup_timeout_seconds",
///     "round_timeout_seconds", "quorum"   (the agents' settings: null for simulate)
///   },
///   "rounds": [{
///     "round", "k" (clients selected), "selected" (client ids), "merged" (client ids whose update
///     went into the model; simulate merges every selected one), "test_accuracy", "test_loss",
///     "train_loss" (mean local loss weighted by samples; null for run, whose aggregator does not
///     see it), "bytes_up", "bytes_down", "seconds",
///     "clearing_price", "payments" ({"client id": amount}) (the market's outcome; null for simulate),
///     "strategy", "strategy_state", "llm_calls", "prompt_tokens", "completion_tokens", "llm_cost",
///     "guardrails" (the decision's record), and, only when not empty, "declined" ({"client id":
///     reason} for bids that were no candidate), "missed" ({"client id": "missing" | "excluded: …"})
///     and "epsilon" ({"client id": ε spent once the round is counted}, DP runs), "widths"
///     ({"client id": width} when any is below 1), "samples" ({"client id": samples its merged
///     update was weighted by})
///   }],
///   "clients": [{"client", "selected", "merged", "payments", "samplesMerged", "paymentPerSample",
///     "epsilon" (DP runs), "missed" and "declined" ({reason: rounds})}] (see ``ClientSummary``),
///   "fairness": {"participationGini", "paymentGini", "paymentPerSampleGini", "neverMerged"}
///     (see ``FairnessSummary``),
///   "startup_seconds" (broker up and every role launched; null for simulate),
///   "ready_seconds" (until round 1 was announced; null for simulate),
///   "total_seconds"
/// }
/// ```
/// `results.csv` has one line per round with the columns ``csvHeader`` names, ids separated by
/// spaces, an empty cell for null.
public struct ResultsDocument: Codable, Sendable, Equatable {
    public var command: String
    public var config: ConfigRecord
    public var rounds: [Round]
    public var startupSeconds: Double?
    public var readySeconds: Double?
    public var totalSeconds: Double

    public init(command: String, config: ConfigRecord, rounds: [Round], startupSeconds: Double?, readySeconds: Double?, totalSeconds: Double) {
        self.command = command
        self.config = config
        self.rounds = rounds
        self.startupSeconds = startupSeconds
        self.readySeconds = readySeconds
        self.totalSeconds = totalSeconds
    }

    enum CodingKeys: String, CodingKey {
        case command, config, rounds
        case startupSeconds = "startup_seconds", readySeconds = "ready_seconds", totalSeconds = "total_seconds"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(command, forKey: .command)
        try c.encode(config, forKey: .config)
        try c.encode(rounds, forKey: .rounds)
        try c.encode(startupSeconds, forKey: .startupSeconds)
        try c.encode(readySeconds, forKey: .readySeconds)
        try c.encode(totalSeconds, forKey: .totalSeconds)
        // Derived from the rounds, so written but never read back.
        let clients = ClientSummary.summaries(of: rounds, clients: config.clients)
        var summary = encoder.container(keyedBy: SummaryKeys.self)
        try summary.encode(clients, forKey: .clients)
        try summary.encode(FairnessSummary(clients), forKey: .fairness)
    }

    enum SummaryKeys: String, CodingKey {
        case clients, fairness
    }

    /// The agents' settings of a multi-process run (absent for `simulate`).
    public struct AgentSettings: Sendable, Equatable {
        public var runID: String
        public var policy: String
        public var budget: Double
        public var bidWindowSeconds: Double
        public var startupTimeoutSeconds: Double
        public var roundTimeoutSeconds: Double
        public var quorum: Double

        public init(runID: String, policy: String, budget: Double, bidWindowSeconds: Double, startupTimeoutSeconds: Double, roundTimeoutSeconds: Double, quorum: Double) {
            self.runID = runID
            self.policy = policy
            self.budget = budget
            self.bidWindowSeconds = bidWindowSeconds
            self.startupTimeoutSeconds = startupTimeoutSeconds
            self.roundTimeoutSeconds = roundTimeoutSeconds
            self.quorum = quorum
        }
    }

    /// The configuration as recorded in results.json.
    public struct ConfigRecord: Codable, Sendable, Equatable {
        public var dataset: String
        public var partition: String
        public var alpha: Double?
        public var shardsPerClient: Int?
        public var clients: Int
        public var k: Int
        public var rounds: Int
        public var localEpochs: Int
        public var batch: Int
        public var lr: Double
        public var optimizer: String
        public var momentum: Double
        public var weightDecay: Double
        public var model: String
        /// Weight initialization scheme (`he` or `pytorch`).
        public var initialization: String
        public var batchShards: Int
        public var widths: [Double]
        public var aggregation: String
        public var mu: Double
        public var clipNorm: Double?
        public var seed: UInt64
        public var trainLimit: Int?
        public var testLimit: Int?
        public var parameterCount: Int
        public var runID: String?
        public var policy: String?
        public var budget: Double?
        public var bidWindowSeconds: Double?
        public var startupTimeoutSeconds: Double?
        public var roundTimeoutSeconds: Double?
        public var quorum: Double?

        enum CodingKeys: String, CodingKey {
            case dataset, partition, alpha, clients, k, rounds, batch, lr, optimizer, momentum, model, widths, aggregation, mu, seed, policy, budget, quorum
            case shardsPerClient = "shards_per_client"
            case localEpochs = "local_epochs"
            case weightDecay = "weight_decay"
            case initialization = "init"
            case batchShards = "batch_shards"
            case clipNorm = "clip_norm"
            case trainLimit = "train_limit"
            case testLimit = "test_limit"
            case parameterCount = "parameter_count"
            case runID = "run_id"
            case bidWindowSeconds = "bid_window_seconds"
            case startupTimeoutSeconds = "startup_timeout_seconds"
            case roundTimeoutSeconds = "round_timeout_seconds"
        }

        public init(_ c: SimulationConfiguration, parameterCount: Int, agents: AgentSettings? = nil) {
            dataset = c.dataset.rawValue
            partition = c.partition.name
            switch c.partition {
            case .dirichlet(let a, _), .quantity(let a):
                alpha = a
                shardsPerClient = nil
            case .shards(let n):
                alpha = nil
                shardsPerClient = n
            case .iid:
                alpha = nil
                shardsPerClient = nil
            }
            clients = c.clients
            k = c.clientsPerRound
            rounds = c.rounds
            localEpochs = c.training.localEpochs
            batch = c.training.batchSize
            // Through the shortest decimal spelling, so 0.05 is recorded as 0.05.
            lr = Self.decimal(c.training.learningRate)
            optimizer = c.training.optimizer.name
            switch c.training.optimizer {
            case .sgd(let m, let wd):
                momentum = Self.decimal(m)
                weightDecay = Self.decimal(wd)
            case .adam(_, _, _, let wd):
                momentum = 0
                weightDecay = Self.decimal(wd)
            }
            model = c.architecture.rawValue
            initialization = c.initialization.rawValue
            batchShards = c.training.batchShards
            widths = c.clientWidths
            aggregation = c.isWidthMixed ? "heterofl" : c.aggregation.description
            mu = Self.decimal(c.training.proximalMu)
            clipNorm = c.training.clipping.map { Self.decimal($0.maxNorm) }
            seed = c.seed
            trainLimit = c.trainLimit
            testLimit = c.testLimit
            self.parameterCount = parameterCount
            runID = agents?.runID
            policy = agents?.policy
            budget = agents?.budget
            bidWindowSeconds = agents?.bidWindowSeconds
            startupTimeoutSeconds = agents?.startupTimeoutSeconds
            roundTimeoutSeconds = agents?.roundTimeoutSeconds
            quorum = agents?.quorum
        }

        static func decimal(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(dataset, forKey: .dataset)
            try c.encode(partition, forKey: .partition)
            try c.encode(alpha, forKey: .alpha)
            try c.encode(shardsPerClient, forKey: .shardsPerClient)
            try c.encode(clients, forKey: .clients)
            try c.encode(k, forKey: .k)
            try c.encode(rounds, forKey: .rounds)
            try c.encode(localEpochs, forKey: .localEpochs)
            try c.encode(batch, forKey: .batch)
            try c.encode(lr, forKey: .lr)
            try c.encode(optimizer, forKey: .optimizer)
            try c.encode(momentum, forKey: .momentum)
            try c.encode(weightDecay, forKey: .weightDecay)
            try c.encode(model, forKey: .model)
            try c.encode(initialization, forKey: .initialization)
            try c.encode(batchShards, forKey: .batchShards)
            try c.encode(widths, forKey: .widths)
            try c.encode(aggregation, forKey: .aggregation)
            try c.encode(mu, forKey: .mu)
            try c.encode(clipNorm, forKey: .clipNorm)
            try c.encode(seed, forKey: .seed)
            try c.encode(trainLimit, forKey: .trainLimit)
            try c.encode(testLimit, forKey: .testLimit)
            try c.encode(parameterCount, forKey: .parameterCount)
            try c.encode(runID, forKey: .runID)
            try c.encode(policy, forKey: .policy)
            try c.encode(budget, forKey: .budget)
            try c.encode(bidWindowSeconds, forKey: .bidWindowSeconds)
            try c.encode(startupTimeoutSeconds, forKey: .startupTimeoutSeconds)
            try c.encode(roundTimeoutSeconds, forKey: .roundTimeoutSeconds)
            try c.encode(quorum, forKey: .quorum)
        }
    }

    /// One round.
    public struct Round: Codable, Sendable, Equatable {
        public var round: Int
        public var k: Int
        public var selected: [Int]
        public var merged: [Int]
        public var testAccuracy: Double
        public var testLoss: Double
        public var trainLoss: Double?
        public var bytesUp: Int
        public var bytesDown: Int
        public var seconds: Double
        public var clearingPrice: Double?
        public var payments: [String: Double]?
        /// The strategy that planned the round and the digest of its state right after planning
        /// (nil for the learning engine's own simulation, which has no strategy).
        public var strategy: String?
        public var strategyState: String?
        /// The round's token ledger: calls to a language model, their tokens and estimated cost,
        /// and the guardrails' findings by kind (zero without an LLM brain).
        public var llmCalls: Int?
        public var promptTokens: Int?
        public var completionTokens: Int?
        public var llmCost: Double?
        public var guardrails: [String: Int]?
        /// Per client id: why it was not a candidate (declined, e.g. "privacy budget"); why its
        /// assigned update was not merged ("missing", or "excluded: …"); its ε spent once this
        /// round is counted (DP runs). nil when empty.
        public var declined: [String: String]?
        public var missed: [String: String]?
        public var epsilon: [String: Double]?
        /// Per client id: the model width it was assigned (nil when every assigned width is 1).
        public var widths: [String: Double]?
        /// Per merged client id: the samples its merged update was weighted by (nil when none).
        public var samples: [String: Int]?

        public init(
            round: Int, k: Int, selected: [Int], merged: [Int], testAccuracy: Double, testLoss: Double, trainLoss: Double?,
            bytesUp: Int, bytesDown: Int, seconds: Double, clearingPrice: Double?, payments: [String: Double]?,
            strategy: String? = nil, strategyState: String? = nil, llmCalls: Int? = nil, promptTokens: Int? = nil,
            completionTokens: Int? = nil, llmCost: Double? = nil, guardrails: [String: Int]? = nil,
            declined: [String: String]? = nil, missed: [String: String]? = nil, epsilon: [String: Double]? = nil,
            widths: [String: Double]? = nil, samples: [String: Int]? = nil
        ) {
            self.round = round
            self.k = k
            self.selected = selected
            self.merged = merged
            self.testAccuracy = testAccuracy
            self.testLoss = testLoss
            self.trainLoss = trainLoss
            self.bytesUp = bytesUp
            self.bytesDown = bytesDown
            self.seconds = seconds
            self.clearingPrice = clearingPrice
            self.payments = payments
            self.strategy = strategy
            self.strategyState = strategyState
            self.llmCalls = llmCalls
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
            self.llmCost = llmCost
            self.guardrails = guardrails
            self.declined = declined
            self.missed = missed
            self.epsilon = epsilon
            self.widths = widths
            self.samples = samples
        }

        /// A round of the in-process simulation: every selected update is merged, no market.
        public init(_ r: RoundResult) {
            self.init(
                round: r.round, k: r.k, selected: r.selected, merged: r.selected, testAccuracy: r.testAccuracy, testLoss: r.testLoss,
                trainLoss: r.trainLoss, bytesUp: r.bytesUp, bytesDown: r.bytesDown, seconds: r.seconds, clearingPrice: nil, payments: nil)
        }

        enum CodingKeys: String, CodingKey {
            case round, k, selected, merged, seconds, payments, strategy
            case testAccuracy = "test_accuracy", testLoss = "test_loss", trainLoss = "train_loss"
            case bytesUp = "bytes_up", bytesDown = "bytes_down", clearingPrice = "clearing_price"
            case strategyState = "strategy_state", llmCalls = "llm_calls", promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens", llmCost = "llm_cost", guardrails, declined, missed, epsilon, widths, samples
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(round, forKey: .round)
            try c.encode(k, forKey: .k)
            try c.encode(selected, forKey: .selected)
            try c.encode(merged, forKey: .merged)
            try c.encode(testAccuracy, forKey: .testAccuracy)
            try c.encode(testLoss, forKey: .testLoss)
            try c.encode(trainLoss, forKey: .trainLoss)
            try c.encode(bytesUp, forKey: .bytesUp)
            try c.encode(bytesDown, forKey: .bytesDown)
            try c.encode(seconds, forKey: .seconds)
            try c.encode(clearingPrice, forKey: .clearingPrice)
            try c.encode(payments, forKey: .payments)
            try c.encode(strategy, forKey: .strategy)
            try c.encode(strategyState, forKey: .strategyState)
            try c.encode(llmCalls, forKey: .llmCalls)
            try c.encode(promptTokens, forKey: .promptTokens)
            try c.encode(completionTokens, forKey: .completionTokens)
            try c.encode(llmCost, forKey: .llmCost)
            try c.encode(guardrails, forKey: .guardrails)
            try c.encodeIfPresent(declined, forKey: .declined)
            try c.encodeIfPresent(missed, forKey: .missed)
            try c.encodeIfPresent(epsilon, forKey: .epsilon)
            try c.encodeIfPresent(widths, forKey: .widths)
            try c.encodeIfPresent(samples, forKey: .samples)
        }
    }

    /// `results.csv`'s columns, in order.
    public static let csvHeader = "round,k,selected,merged,test_accuracy,test_loss,train_loss,bytes_up,bytes_down,seconds,clearing_price"

    public var csv: String {
        var lines = [Self.csvHeader]
        func ids(_ list: [Int]) -> String { list.map(String.init).joined(separator: " ") }
        func cell<T>(_ value: T?) -> String { value.map { "\($0)" } ?? "" }
        for r in rounds {
            lines.append([
                "\(r.round)", "\(r.k)", ids(r.selected), ids(r.merged), "\(r.testAccuracy)", "\(r.testLoss)", cell(r.trainLoss),
                "\(r.bytesUp)", "\(r.bytesDown)", "\(r.seconds)", cell(r.clearingPrice),
            ].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `results.json` and `results.csv` into `directory` (created if needed), each atomically.
    public func write(to directory: URL) throws(SimulationError) {
        let jsonURL = directory.appendingPathComponent("results.json")
        let csvURL = directory.appendingPathComponent("results.csv")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(self).write(to: jsonURL, options: .atomic)
        } catch {
            throw .output(path: jsonURL.path, reason: "\(error)")
        }
        do {
            try Data(csv.utf8).write(to: csvURL, options: .atomic)
        } catch {
            throw .output(path: csvURL.path, reason: "\(error)")
        }
    }
}
