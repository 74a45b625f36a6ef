/// What a guardian trains in a round: the local optimisation recipe announced with the round.
public struct TrainingTask: Sendable, Hashable, Codable {
    public var localEpochs: Int
    public var batchSize: Int
    public var learningRate: Double
    /// e.g. "sgd"; guardians refuse optimisers they do not implement.
    public var optimizer: String
    public var momentum: Double
    public var weightDecay: Double
    /// FedProx proximal term; 0 means plain FedAvg local training.
    public var proximalMu: Double

    public init(
        localEpochs: Int, batchSize: Int, learningRate: Double, optimizer: String = "sgd",
        momentum: Double = 0, weightDecay: Double = 0, proximalMu: Double = 0
    ) {
        self.localEpochs = localEpochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.optimizer = optimizer
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.proximalMu = proximalMu
    }
}
