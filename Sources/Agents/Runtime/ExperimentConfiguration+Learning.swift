import Foundation
import Learning

extension ExperimentConfiguration {
    /// The learning engine's view of this experiment. Every role builds its `FederatedTask` from
    /// it, exactly as `agentfl simulate` does, so all processes share the data split, the model,
    /// the seeds and the aggregation rule.
    public func simulationConfiguration() throws -> SimulationConfiguration {
        guard let name = DatasetName(rawValue: dataset) else {
            throw AgentError.invalidConfiguration("unknown dataset \(dataset); known: \(DatasetName.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let architecture = ModelArchitecture(rawValue: model) else {
            throw AgentError.invalidConfiguration("unknown model \(model); known: \(ModelArchitecture.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let scheme = WeightInitialization(rawValue: initialization) else {
            throw AgentError.invalidConfiguration("unknown initialization \(initialization); known: \(WeightInitialization.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let optimizer: Optimizer = self.optimizer == "adam"
            ? .adam(weightDecay: Float(weightDecay))
            : .sgd(momentum: Float(momentum), weightDecay: Float(weightDecay))
        return SimulationConfiguration(
            dataset: name, dataDirectory: dataDirectory.map { URL(fileURLWithPath: $0) },
            partition: try PartitionScheme.parse(partition, alpha: alpha, shardsPerClient: shardsPerClient),
            clients: clients, clientsPerRound: k, rounds: rounds,
            training: TrainingConfiguration(
                localEpochs: localEpochs, batchSize: batchSize, learningRate: Float(learningRate),
                optimizer: optimizer, proximalMu: Float(proximalMu)),
            architecture: architecture, initialization: scheme, clientWidths: [width],
            aggregation: try AggregationChoice.parse(aggregation, trim: trimFraction, krumF: krumByzantine),
            seed: seed, trainLimit: trainLimit, testLimit: testLimit)
    }

    /// Loads the data and builds the task (each role process does this once at start).
    public func federatedTask() throws -> FederatedTask {
        try FederatedTask.load(simulationConfiguration())
    }
}
