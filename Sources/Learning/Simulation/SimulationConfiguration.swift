import Foundation

/// Everything that defines an in-process federated run; the same values and seed give the same numbers.
public struct SimulationConfiguration: Sendable {
    public var dataset: DatasetName
    /// nil: the dataset's default location.
    public var dataDirectory: URL?
    public var partition: PartitionScheme
    public var clients: Int
    /// K, clients trained per round.
    public var clientsPerRound: Int
    public var rounds: Int
    public var training: TrainingConfiguration
    public var architecture: ModelArchitecture
    public var initialization: WeightInitialization
    /// Widths assigned to clients round-robin by id (HeteroFL); `[1]` trains the full model everywhere.
    public var clientWidths: [Double]
    public var aggregation: AggregationChoice
    public var seed: UInt64
    /// Use only the first N training / test samples (quick runs and tests).
    public var trainLimit: Int?
    public var testLimit: Int?
    /// Clients given mislabeled or tiny shards on purpose.
    public var population = ClientPopulation()

    public init(
        dataset: DatasetName = .fashionMNIST, dataDirectory: URL? = nil, partition: PartitionScheme = .dirichlet(alpha: 0.5),
        clients: Int = 100, clientsPerRound: Int = 10, rounds: Int = 30, training: TrainingConfiguration = TrainingConfiguration(),
        architecture: ModelArchitecture = .mlp, initialization: WeightInitialization = .he, clientWidths: [Double] = [1],
        aggregation: AggregationChoice = .fedAvg, seed: UInt64 = 1, trainLimit: Int? = nil, testLimit: Int? = nil
    ) {
        self.dataset = dataset
        self.dataDirectory = dataDirectory
        self.partition = partition
        self.clients = clients
        self.clientsPerRound = clientsPerRound
        self.rounds = rounds
        self.training = training
        self.architecture = architecture
        self.initialization = initialization
        self.clientWidths = clientWidths
        self.aggregation = aggregation
        self.seed = seed
        self.trainLimit = trainLimit
        self.testLimit = testLimit
    }

    /// Whether clients train sub-models of different widths (then aggregation is HeteroFL's).
    public var isWidthMixed: Bool { clientWidths.contains { $0 != 1 } }

    /// Checks what would make the run fail or its numbers meaningless, naming the bad value:
    /// sizes and limits, widths, and the aggregation rule's needs for K updates per round (every
    /// selected client's update is merged in one process).
    public func validate() throws(SimulationError) {
        guard clients > 0 else { throw .invalidConfiguration("clients must be positive, got \(clients)") }
        guard clientsPerRound > 0, clientsPerRound <= clients else {
            throw .invalidConfiguration("K must be in 1...\(clients), got \(clientsPerRound)")
        }
        guard rounds >= 1 else { throw .invalidConfiguration("rounds must be at least 1, got \(rounds)") }
        guard training.localEpochs >= 1 else {
            throw .invalidConfiguration("local epochs must be at least 1, got \(training.localEpochs)")
        }
        if let trainLimit, trainLimit < 1 { throw .invalidConfiguration("train limit must be at least 1, got \(trainLimit)") }
        if let testLimit, testLimit < 1 { throw .invalidConfiguration("test limit must be at least 1, got \(testLimit)") }
        if let problem = aggregation.problem(mergingAtLeast: clientsPerRound, atMost: clientsPerRound) {
            throw .invalidConfiguration(problem)
        }
        guard !clientWidths.isEmpty, clientWidths.allSatisfy({ $0 > 0 && $0 <= 1 }) else {
            throw .invalidConfiguration("client widths must be in (0, 1], got \(clientWidths)")
        }
        if isWidthMixed && aggregation != .fedAvg {
            throw .invalidConfiguration("mixed widths aggregate with HeteroFL averaging; robust rules need equal widths")
        }
        do {
            try training.validate()
        } catch {
            throw .training(error)
        }
    }
}

/// A simulation that cannot start or continue.
public enum SimulationError: Error, Sendable, CustomStringConvertible {
    case invalidConfiguration(String)
    case dataset(DatasetError)
    case partition(PartitionError)
    case model(ModelError)
    case training(TrainingError)
    case aggregation(round: Int, AggregationError)
    case output(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let reason): "invalid simulation configuration: \(reason)"
        case .dataset(let error): error.description
        case .partition(let error): error.description
        case .model(let error): error.description
        case .training(let error): error.description
        case .aggregation(let round, let error): "round \(round): \(error)"
        case .output(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}
