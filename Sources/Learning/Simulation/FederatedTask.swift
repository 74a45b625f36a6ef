/// The reusable steps of a federated round — select, train one client, aggregate, evaluate —
/// bound to one configuration, its data and its partition.
///
/// ``FederatedSimulation`` runs them in one process; the multi-process roles call the same
/// methods with the same seeds, so both give the same numbers.
public struct FederatedTask: Sendable {
    public let configuration: SimulationConfiguration
    public let train: Dataset
    public let test: Dataset
    /// Training-sample indices per client.
    public let partition: [[Int]]
    /// The full-width global model.
    public let model: Model
    private let subModels: [Double: Model]

    public init(configuration: SimulationConfiguration, train: Dataset, test: Dataset) throws(SimulationError) {
        try configuration.validate()
        self.configuration = configuration
        self.test = test
        guard train.count > 0 else { throw .invalidConfiguration("the training set holds no samples") }
        guard test.count > 0 else { throw .invalidConfiguration("the test set holds no samples") }
        let split: [[Int]]
        do {
            split = try Self.partition(configuration, labels: train.labels, classCount: train.classCount)
        } catch {
            throw .partition(error)
        }
        // The population is applied after the split, so the other clients' shards are unchanged.
        let population = configuration.population
        partition = population.apply(to: split)
        if population.mislabeled.isEmpty {
            self.train = train
        } else {
            do {
                self.train = try Dataset(
                    sampleShape: train.sampleShape, classCount: train.classCount, features: train.features,
                    labels: population.apply(to: train.labels, partition: partition, classCount: train.classCount, seed: configuration.seed))
            } catch {
                throw .invalidConfiguration("mislabeling clients \(population.mislabeled.sorted()): \(error)")
            }
        }
        do {
            model = try makeModel(configuration.architecture, inputShape: train.sampleShape, classes: train.classCount)
            var subs: [Double: Model] = [:]
            for width in Set(configuration.clientWidths) where width != 1 {
                subs[width] = try makeModel(configuration.architecture, inputShape: train.sampleShape, classes: train.classCount, width: width)
            }
            subModels = subs
        } catch {
            throw .model(error)
        }
    }

    /// The configuration's partition of these training labels: what ``partition`` holds, and
    /// what a launcher can compute from the labels alone to check a run before it starts.
    public static func partition(_ configuration: SimulationConfiguration, labels: [Int32], classCount: Int) throws(PartitionError) -> [[Int]] {
        try Partitioner.partition(
            labels: labels, classCount: classCount, clients: configuration.clients, scheme: configuration.partition,
            seed: SeedDerivation.seed(run: configuration.seed, round: -1, client: -1, purpose: .partition)
        )
    }

    /// Loads the configured dataset (and slices) and builds the task.
    public static func load(_ configuration: SimulationConfiguration) throws(SimulationError) -> FederatedTask {
        let splits: (train: Dataset, test: Dataset)
        do {
            splits = try DatasetLoader.load(configuration.dataset, directory: configuration.dataDirectory)
        } catch {
            throw .dataset(error)
        }
        return try FederatedTask(
            configuration: configuration, train: splits.train.prefix(configuration.trainLimit), test: splits.test.prefix(configuration.testLimit)
        )
    }

    public var partitionReport: PartitionReport {
        Partitioner.report(partition, labels: train.labels, classCount: train.classCount)
    }

    public func initialParameters() -> [Float] {
        model.initialParameters(
            seed: SeedDerivation.seed(run: configuration.seed, round: -1, client: -1, purpose: .initialization),
            scheme: configuration.initialization)
    }

    /// The FedAvg baseline's draw of K clients for a round.
    public func selectClients(round: Int) -> [Int] {
        RandomSelection.choose(
            configuration.clientsPerRound, from: Array(0..<configuration.clients),
            seed: SeedDerivation.seed(run: configuration.seed, round: round, client: -1, purpose: .selection)
        )
    }

    public func width(ofClient client: Int) -> Double {
        configuration.clientWidths[((client % configuration.clientWidths.count) + configuration.clientWidths.count) % configuration.clientWidths.count]
    }

    /// The model a client trains (a slice of the global one for widths below 1).
    public func model(forClient client: Int) -> Model {
        subModels[width(ofClient: client)] ?? model
    }

    /// Floats the server sends to a client (and gets back) per round.
    public func parameterCount(forClient client: Int) -> Int {
        model(forClient: client).parameterCount
    }

    /// Trains one client from the global model, with the round's local-shuffle seed, on up to
    /// `threads` cores (the result does not depend on it). `training` replaces the task's own
    /// (DP-SGD's sampling and noise); `privateSeed` seeds the private draws (Poisson batches,
    /// gradient noise and `updateNoise`, client-level DP on the finished update).
    public func trainClient(
        _ client: Int, round: Int, global: [Float], threads: Int = 1, training: TrainingConfiguration? = nil,
        privateSeed: UInt64? = nil, updateNoise: UpdateNoise? = nil
    ) throws(SimulationError) -> (contribution: ClientContribution, result: LocalTrainingResult) {
        guard client >= 0, client < partition.count else {
            throw .invalidConfiguration("client \(client) does not exist (there are \(partition.count))")
        }
        let clientModel = model(forClient: client)
        var start = global
        if clientModel.width != 1 {
            do {
                start = try ParameterSlicing(full: model, sub: clientModel).extract(from: global)
            } catch {
                throw .model(error)
            }
        }
        var result: LocalTrainingResult
        do {
            result = try LocalTrainer(model: clientModel, threads: threads).train(
                global: start, data: train, indices: partition[client], configuration: training ?? configuration.training,
                seed: SeedDerivation.seed(run: configuration.seed, round: round, client: client, purpose: .localShuffle),
                privateSeed: privateSeed
            )
        } catch {
            throw .training(error)
        }
        if let updateNoise {
            guard let privateSeed else { throw .invalidConfiguration("client-level DP noise needs a private seed") }
            var rng = SplitMix64(seed: SplitMix64.mix(privateSeed ^ 0x5550_4441_5445_4E4F))
            result = result.with(parameters: updateNoise.apply(trained: result.parameters, global: start, rng: &rng).parameters)
        }
        let contribution = ClientContribution(
            clientID: client, parameters: result.parameters, sampleCount: result.sampleCount, width: clientModel.width
        )
        return (contribution, result)
    }

    public var aggregationRule: any AggregationRule {
        configuration.isWidthMixed ? WidthMixedAveraging(fullModel: model) : configuration.aggregation.makeRule()
    }

    public func aggregate(_ contributions: [ClientContribution], global: [Float], round: Int) throws(SimulationError) -> [Float] {
        do {
            return try aggregationRule.aggregate(contributions, global: global)
        } catch {
            throw .aggregation(round: round, error)
        }
    }

    /// Test accuracy and loss of the global model, on up to `threads` cores (the result does not depend on it).
    public func evaluate(_ parameters: [Float], threads: Int = 1) throws(SimulationError) -> (accuracy: Double, loss: Double) {
        do {
            return try Evaluator(model: model, threads: threads).evaluate(parameters: parameters, on: test)
        } catch {
            throw .training(error)
        }
    }
}
