/// The reusable steps of a federated round — select, train one client, aggregate, evaluate —
/// bound to one configuration, its data and its partition.
///
/// ``FederatedSimulation`` runs them in one process; the multi-process roles call the same
/// methods with the same seeds, so both give the same numbers.
public struct FederatedTask: Sendable {
    public let configuration: SimulationConfiguration
    /// What of the data this task holds (every client and the test set, one process's clients, or
    /// the test set alone).
    public let scope: DataScope
    /// Every training sample's label (after the population's mislabeling), in file order.
    public let trainLabels: [Int32]
    public let sampleShape: [Int]
    public let classCount: Int
    /// Training-sample indices per client, into the whole training set (every client, whatever
    /// the scope).
    public let partition: [[Int]]
    /// The test set, when the scope holds it.
    public let test: Dataset?
    /// The full-width global model.
    public let model: Model
    private let subModels: [Double: Model]
    /// The training samples this task holds, and where each held client's shard lies in them.
    private let held: Dataset
    private let heldIndices: [Int: [Int]]

    /// A task over data already in memory: every client and the test set.
    public init(configuration: SimulationConfiguration, train: Dataset, test: Dataset) throws(SimulationError) {
        guard train.count > 0 else { throw .invalidConfiguration("the training set holds no samples") }
        try self.init(
            configuration: configuration, scope: .everything, trainLabels: train.labels, sampleShape: train.sampleShape,
            classCount: train.classCount, test: test
        ) { _ throws(DatasetError) in train }
    }

    /// Builds the task from the training labels alone, then asks `samples` for the training
    /// samples the scope holds (nil: all of them, in file order; else these indices, in order).
    init(
        configuration: SimulationConfiguration, scope: DataScope, trainLabels labels: [Int32], sampleShape: [Int],
        classCount: Int, test: Dataset?, samples: ([Int]?) throws(DatasetError) -> Dataset
    ) throws(SimulationError) {
        try configuration.validate()
        self.configuration = configuration
        self.scope = scope
        self.sampleShape = sampleShape
        self.classCount = classCount
        guard !labels.isEmpty else { throw .invalidConfiguration("the training set holds no samples") }
        if scope.holdsTestSet {
            guard let test, test.count > 0 else { throw .invalidConfiguration("the test set holds no samples") }
        }
        self.test = scope.holdsTestSet ? test : nil
        let split: [[Int]]
        // A client's own files are its shard, whole; the population's useless clients are a
        // simulation of a shared set, and a client's own data is what it is.
        let population = scope.isOwnData ? ClientPopulation() : configuration.population
        if case .ownData(let client) = scope {
            guard (0..<configuration.clients).contains(client) else {
                throw .invalidConfiguration("client \(client) does not exist (there are \(configuration.clients))")
            }
            split = (0..<configuration.clients).map { $0 == client ? Array(labels.indices) : [] }
        } else {
            do {
                split = try Self.partition(configuration, labels: labels, classCount: classCount)
            } catch {
                throw .partition(error)
            }
        }
        // The population is applied after the split, so the other clients' shards are unchanged.
        partition = population.apply(to: split)
        let finalLabels = population.mislabeled.isEmpty
            ? labels : population.apply(to: labels, partition: partition, classCount: classCount, seed: configuration.seed)
        trainLabels = finalLabels
        // The held samples: the scope's clients' shards one after another (or the whole set).
        var order: [Int]?
        var indices: [Int: [Int]] = [:]
        switch scope {
        case .everything:
            order = nil
            for (client, shard) in partition.enumerated() { indices[client] = shard }
        case .ownData(let client):
            order = nil
            indices[client] = partition[client]
        case .clients(let clients), .clientsAndTestSet(let clients):
            var concatenated: [Int] = []
            for client in clients.sorted() where partition.indices.contains(client) {
                indices[client] = Array(concatenated.count..<(concatenated.count + partition[client].count))
                concatenated += partition[client]
            }
            order = concatenated
        case .testSetOnly:
            order = []
        }
        heldIndices = indices
        do {
            let data = try samples(order)
            let expected = order?.count ?? labels.count
            guard data.count == expected, data.sampleShape == sampleShape else {
                throw SimulationError.invalidConfiguration(
                    "the training samples read (\(data.count) of shape \(data.sampleShape)) are not the \(expected) of shape \(sampleShape) asked for")
            }
            let relabelled = order.map { $0.map { finalLabels[$0] } } ?? finalLabels
            held = data.labels == relabelled
                ? data
                : try Dataset(sampleShape: sampleShape, classCount: classCount, features: data.features, labels: relabelled)
        } catch let error as SimulationError {
            throw error
        } catch let error as DatasetError {
            throw population.mislabeled.isEmpty ? .dataset(error) : .invalidConfiguration("mislabeling clients \(population.mislabeled.sorted()): \(error)")
        } catch {
            throw .invalidConfiguration("\(error)")
        }
        do {
            model = try makeModel(configuration.architecture, inputShape: sampleShape, classes: classCount)
            var subs: [Double: Model] = [:]
            for width in Set(configuration.clientWidths) where width != 1 {
                subs[width] = try makeModel(configuration.architecture, inputShape: sampleShape, classes: classCount, width: width)
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

    /// Loads what `scope` needs of the configured dataset and builds the task: the training
    /// labels always (the partition is computed from them), the training samples of the scope's
    /// clients only, and the test set only when the scope evaluates. For ``DataScope/ownData(client:)``
    /// the configured directory holds that client's own training files, every sample of which
    /// it trains on (the training limit does not apply).
    public static func load(_ configuration: SimulationConfiguration, scope: DataScope = .everything) throws(SimulationError) -> FederatedTask {
        let name = configuration.dataset, directory = configuration.dataDirectory
        do {
            let summary = try DatasetLoader.inspect(name, directory: directory, includingTest: scope.holdsTestSet)
            var labels = try DatasetLoader.trainingLabels(name, directory: directory)
            if !scope.isOwnData, let limit = configuration.trainLimit, limit >= 0, limit < labels.count {
                labels = Array(labels.prefix(limit))
            }
            let test = scope.holdsTestSet
                ? try DatasetLoader.load(name, split: .test, directory: directory).prefix(configuration.testLimit) : nil
            let limited = labels.count
            return try FederatedTask(
                configuration: configuration, scope: scope, trainLabels: labels, sampleShape: summary.sampleShape,
                classCount: summary.classCount, test: test
            ) { samples throws(DatasetError) in
                try DatasetLoader.load(name, split: .train, directory: directory, samples: samples ?? Array(0..<limited))
            }
        } catch let error as DatasetError {
            throw .dataset(error)
        } catch let error as SimulationError {
            throw error
        } catch {
            throw .invalidConfiguration("\(error)")
        }
    }

    public var partitionReport: PartitionReport {
        Partitioner.report(partition, labels: trainLabels, classCount: classCount)
    }

    /// Training samples in the whole set (not only those this task holds).
    public var trainCount: Int { trainLabels.count }

    /// Training samples this task holds in memory (the scope's clients' shards).
    public var heldSampleCount: Int { held.count }

    /// How many samples of each class client `client`'s shard holds.
    public func labelHistogram(ofClient client: Int) -> [Int] {
        var histogram = Array(repeating: 0, count: classCount)
        guard partition.indices.contains(client) else { return histogram }
        for i in partition[client] { histogram[Int(trainLabels[i])] += 1 }
        return histogram
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

    /// The widths this run's clients may train (the configuration's, widest first).
    public var widths: [Double] { Set(configuration.clientWidths).sorted(by: >) }

    /// The model of width `width`, or nil when the run does not train that width.
    public func model(forWidth width: Double) -> Model? {
        width == 1 ? (configuration.clientWidths.contains(1) ? model : nil) : subModels[width]
    }

    /// Trains one client from the global model, with the round's local-shuffle seed, on up to
    /// `threads` cores (the result does not depend on it). `training` replaces the task's own
    /// (DP-SGD's sampling and noise); `privateSeed` seeds the private draws (Poisson batches,
    /// gradient noise and `updateNoise`, client-level DP on the finished update).
    public func trainClient(
        _ client: Int, round: Int, global: [Float], threads: Int = 1, training: TrainingConfiguration? = nil,
        privateSeed: UInt64? = nil, updateNoise: UpdateNoise? = nil, width: Double? = nil
    ) throws(SimulationError) -> (contribution: ClientContribution, result: LocalTrainingResult) {
        guard client >= 0, client < partition.count else {
            throw .invalidConfiguration("client \(client) does not exist (there are \(partition.count))")
        }
        guard let indices = heldIndices[client] else {
            throw .invalidConfiguration("client \(client)'s samples are not held by this task (\(scope))")
        }
        let clientModel: Model
        if let width {
            guard let chosen = model(forWidth: width) else {
                throw .invalidConfiguration("width \(width) is not one this run trains (\(widths))")
            }
            clientModel = chosen
        } else {
            clientModel = model(forClient: client)
        }
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
                global: start, data: held, indices: indices, configuration: training ?? configuration.training,
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
        guard let test else { throw .invalidConfiguration("this task holds no test set (\(scope))") }
        do {
            return try Evaluator(model: model, threads: threads).evaluate(parameters: parameters, on: test)
        } catch {
            throw .training(error)
        }
    }
}
