/// How a client trains locally in one round.
public struct TrainingConfiguration: Sendable, Hashable {
    public var localEpochs: Int
    public var batchSize: Int
    public var learningRate: Float
    public var optimizer: Optimizer
    /// FedProx proximal coefficient μ: adds μ(w − w_global) to every gradient. 0 is FedAvg.
    public var proximalMu: Float
    /// Per-example gradient clipping (and a hook for noise), e.g. for DP-SGD. nil: batch gradients.
    public var clipping: PerExampleClipping?
    /// Each mini-batch's gradient is the sum of this many contiguous parts of the batch, added in
    /// order; the parts may run on separate cores (see ``LocalTrainer/threads``).
    ///
    /// The split fixes the order of the floating-point sums, so it belongs to the configuration,
    /// not to the machine: the same value gives the same numbers on one core or on many.
    public var batchShards: Int
    /// How each epoch's batches are drawn; Poisson sampling needs per-example clipping (DP-SGD).
    public var sampling: BatchSampling

    public init(
        localEpochs: Int = 1, batchSize: Int = 32, learningRate: Float = 0.05,
        optimizer: Optimizer = .plainSGD, proximalMu: Float = 0, clipping: PerExampleClipping? = nil,
        batchShards: Int = 2, sampling: BatchSampling = .shuffled
    ) {
        self.localEpochs = localEpochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.optimizer = optimizer
        self.proximalMu = proximalMu
        self.clipping = clipping
        self.batchShards = batchShards
        self.sampling = sampling
    }

    /// Checks the values that would make training meaningless.
    public func validate() throws(TrainingError) {
        guard localEpochs >= 0 else { throw .invalidConfiguration("local epochs must not be negative, got \(localEpochs)") }
        guard batchSize > 0 else { throw .invalidConfiguration("batch size must be positive, got \(batchSize)") }
        guard learningRate.isFinite, learningRate > 0 else {
            throw .invalidConfiguration("learning rate must be a positive number, got \(learningRate)")
        }
        guard proximalMu.isFinite, proximalMu >= 0 else {
            throw .invalidConfiguration("proximal μ must not be negative, got \(proximalMu)")
        }
        guard batchShards > 0 else { throw .invalidConfiguration("batch shards must be positive, got \(batchShards)") }
        if let clipping, !(clipping.maxNorm > 0) {
            throw .invalidConfiguration("clipping norm must be positive, got \(clipping.maxNorm)")
        }
        if case .poisson(let rate) = sampling {
            guard rate > 0, rate <= 1 else { throw .invalidConfiguration("Poisson sampling rate must be in (0, 1], got \(rate)") }
            guard clipping != nil else {
                throw .invalidConfiguration("Poisson sampling is for DP-SGD: it needs per-example clipping (its sum is divided by the expected batch size)")
            }
        }
    }
}

/// Clips each example's gradient to an L2 norm of at most `maxNorm` before they are summed; the
/// optional hook then sees the sum (before division by the batch size), e.g. to add Gaussian noise.
public struct PerExampleClipping: Sendable, Hashable {
    public var maxNorm: Float
    public var hook: GradientHookBox?

    public init(maxNorm: Float, hook: (any GradientHook)? = nil) {
        self.maxNorm = maxNorm
        self.hook = hook.map(GradientHookBox.init)
    }
}

/// Sees each batch's sum of clipped per-example gradients (differential privacy adds noise here).
public protocol GradientHook: Sendable {
    /// An identifier for equality and logs, e.g. "gaussian(σ=1.1)".
    var name: String { get }
    func adjust(summedGradient: UnsafeMutableBufferPointer<Float>, batchSize: Int, step: Int, rng: inout SplitMix64)
}

/// Makes a hook usable inside a Hashable configuration (compared by name).
public struct GradientHookBox: Sendable, Hashable {
    public let hook: any GradientHook

    public init(_ hook: any GradientHook) {
        self.hook = hook
    }

    public static func == (lhs: GradientHookBox, rhs: GradientHookBox) -> Bool { lhs.hook.name == rhs.hook.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(hook.name) }
}

/// Training or evaluation that cannot run.
public enum TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidConfiguration(String)
    case parameterCountMismatch(expected: Int, actual: Int)
    case datasetMismatch(String)
    case indexOutOfRange(index: Int, count: Int)
    case diverged(loss: Double)

    public var description: String {
        switch self {
        case .invalidConfiguration(let reason): "invalid training configuration: \(reason)"
        case .parameterCountMismatch(let expected, let actual): "the model has \(expected) parameters, the vector has \(actual)"
        case .datasetMismatch(let reason): "the dataset does not fit the model: \(reason)"
        case .indexOutOfRange(let index, let count): "sample index \(index) is outside the dataset of \(count) samples"
        case .diverged(let loss): "training diverged (loss \(loss))"
        }
    }
}
