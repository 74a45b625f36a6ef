import Foundation
import Learning
import LLMClient
import Strategies

extension ExperimentConfiguration {
    /// The learning engine's view of this experiment. Every role builds its `FederatedTask` from
    /// it, exactly as `agentfl simulate` does, so all processes share the data split, the model,
    /// the seeds and the aggregation rule. Throws ``ConfigurationError`` for a value it cannot
    /// map (an unknown name never falls back to a default).
    public func simulationConfiguration() throws -> SimulationConfiguration {
        func bad(_ key: Key, _ names: [String], _ value: String) -> ConfigurationError {
            ConfigurationError(issues: [ConfigurationIssue(
                key: key, message: "\(key.flag) must be one of \(names.joined(separator: ", ")) (got \"\(value)\")")])
        }
        guard let name = DatasetName(rawValue: dataset) else { throw bad(.dataset, Known.datasets, dataset) }
        guard let architecture = ModelArchitecture(rawValue: model) else { throw bad(.model, Known.models, model) }
        guard let scheme = WeightInitialization(rawValue: initialization) else {
            throw bad(.initialization, Known.initializations, initialization)
        }
        let optimizer: Optimizer
        switch self.optimizer {
        case "sgd": optimizer = .sgd(momentum: Float(momentum), weightDecay: Float(weightDecay))
        case "adam": optimizer = .adam(weightDecay: Float(weightDecay))
        default: throw bad(.optimizer, Known.optimizers, self.optimizer)
        }
        let partitionScheme: PartitionScheme
        let rule: AggregationChoice
        do {
            partitionScheme = try PartitionScheme.parse(partition, alpha: alpha, shardsPerClient: shardsPerClient)
        } catch {
            throw ConfigurationError(issues: [ConfigurationIssue(key: .partition, message: "\(Key.partition.flag): \(error)")])
        }
        do {
            rule = try AggregationChoice.parse(aggregation, trim: trimFraction, krumF: krumByzantine, krumM: krumSelected)
        } catch {
            throw ConfigurationError(issues: [ConfigurationIssue(key: .aggregation, message: "\(Key.aggregation.flag): \(error)")])
        }
        var configuration = SimulationConfiguration(
            dataset: name, dataDirectory: dataDirectory.map { URL(fileURLWithPath: $0) },
            partition: partitionScheme,
            clients: clients, clientsPerRound: k, rounds: rounds,
            training: TrainingConfiguration(
                localEpochs: localEpochs, batchSize: batchSize, learningRate: Float(learningRate),
                optimizer: optimizer, proximalMu: Float(proximalMu),
                clipping: clipNorm.map { PerExampleClipping(maxNorm: Float($0)) }),
            architecture: architecture, initialization: scheme, clientWidths: widths,
            aggregation: rule, seed: seed, trainLimit: trainLimit, testLimit: testLimit)
        // The flags' useless clients and the population file's.
        configuration.population = ClientPopulation(
            mislabeled: Set(mislabeledClients).union(populationClients(with: .mislabeled)),
            tiny: Set(tinyClients).union(populationClients(with: .tiny)), tinySamples: tinySamples)
        return configuration
    }

    /// Loads what `scope` needs of the data and builds the task (each role process does this
    /// once at start: a guardian its clients' samples, the aggregator the test set).
    public func federatedTask(scope: DataScope = .everything) throws -> FederatedTask {
        try FederatedTask.load(simulationConfiguration(), scope: scope)
    }

    /// The task of one client that trains on its own files in `directory` (the run's dataset
    /// format: IDX `train-images-idx3-ubyte[.gz]` and `train-labels-idx1-ubyte[.gz]` for the
    /// MNIST kinds, `data_batch_1.bin`…`data_batch_5.bin` for CIFAR-10): every sample in them
    /// and nothing of the run's shared set.
    public func federatedTask(ownData directory: URL, client: Int) throws -> FederatedTask {
        var configuration = try simulationConfiguration()
        configuration.dataDirectory = directory
        return try FederatedTask.load(configuration, scope: .ownData(client: client))
    }

    /// Parameters of the full-width global model (built without data, from the dataset's sample shape).
    public func parameterCount() throws -> Int {
        let configuration = try simulationConfiguration()
        let shape = configuration.dataset == .cifar10 ? [3, 32, 32] : [1, 28, 28]
        return try makeModel(configuration.architecture, inputShape: shape, classes: 10).parameterCount
    }

    /// The agents' settings as `results.json` records them.
    public var agentSettings: ResultsDocument.AgentSettings {
        ResultsDocument.AgentSettings(
            runID: runID, policy: policy, budget: budget, bidWindowSeconds: bidWindowSeconds,
            startupTimeoutSeconds: startupTimeoutSeconds, roundTimeoutSeconds: roundTimeoutSeconds, quorum: quorum)
    }
}

extension ExperimentConfiguration {
    /// The delayed-client scenario, if `delay` names one (validated: it parses).
    public var delaySchedule: DelaySchedule? { delay.flatMap(DelaySchedule.init(parsing:)) }

    /// How many times as long each client takes in `round` (1 for clients not delayed).
    public func slowdowns(round: Int) -> [Int: Double] {
        guard let schedule = delaySchedule, schedule.rounds.contains(round) else { return [:] }
        return Dictionary(uniqueKeysWithValues: schedule.delayedClients(clients: clients, seed: seed).map { ($0, schedule.factor) })
    }

    /// Whether the strategy calls a language model.
    public var needsLLM: Bool { StrategyCatalog.needsLLM(policy: policy, kAgent: kAgent) }

    /// The LLM brains' settings from the `llm…` fields.
    public var llmSettings: LLMSettings {
        var settings = LLMSettings()
        settings.url = llmURL
        settings.model = llmModel
        settings.apiKeyVariable = llmAPIKeyVariable
        settings.timeoutSeconds = llmTimeoutSeconds
        settings.maxTokens = llmMaxTokens
        settings.temperature = llmTemperature
        settings.seed = llmSeed
        return settings
    }

    /// The strategy `policy` and `kAgent` name, in its initial state; `llm` is the model server an
    /// LLM brain calls (see ``withLLM(_:)``).
    public func strategy(llm: LLMBinding? = nil) throws -> StrategyRunner {
        try StrategyCatalog.make(policy: policy, kAgent: kAgent, configuredK: k, parameters: strategyParameters, llm: llm)
    }

    /// Runs `body` with the model an LLM brain calls: the server at `llmURL`, or, without one, the
    /// cached local llama-server started for the call and stopped after it. Nil when the strategy
    /// calls no model.
    public func withLLM<T: Sendable>(_ body: (LLMBinding?) async throws -> T) async throws -> T {
        guard needsLLM else { return try await body(nil) }
        if let llmURL, let url = URL(string: llmURL) {
            return try await body(LLMBinding.http(baseURL: url, settings: llmSettings))
        }
        return try await LocalModelServer.withRunning { local in
            try await body(LLMBinding.http(baseURL: local.baseURL, settings: llmSettings))
        }
    }
}
