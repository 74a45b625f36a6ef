import Foundation

/// What a client sends back after local training.
public struct LocalTrainingResult: Sendable {
    public let parameters: [Float]
    public let sampleCount: Int
    /// Mean training loss over all examples seen in all local epochs (before each step).
    public let meanLoss: Double
    public let steps: Int
    public let seconds: Double
}

/// Trains a model locally on a client's samples: shuffled mini-batches, softmax cross-entropy,
/// optional FedProx proximal term and per-example clipping.
public struct LocalTrainer: Sendable {
    public let model: Model
    /// Cores one training run may use: the batch's shards (``TrainingConfiguration/batchShards``)
    /// run side by side, up to this many at once, when OpenBLAS is single-threaded. The numbers
    /// are the same whatever the value.
    public let threads: Int

    public init(model: Model, threads: Int = 1) {
        self.model = model
        self.threads = max(1, threads)
    }

    /// Starts from `global`, runs `configuration.localEpochs` epochs over `indices` (reshuffled
    /// each epoch with a generator seeded by `seed`) and returns the new parameters.
    public func train(
        global: [Float], data: Dataset, indices: [Int], configuration: TrainingConfiguration, seed: UInt64
    ) throws(TrainingError) -> LocalTrainingResult {
        let start = ContinuousClock.now
        try configuration.validate()
        try Self.check(model: model, parameters: global, data: data, indices: indices)
        var parameters = global
        guard !indices.isEmpty, configuration.localEpochs > 0 else {
            return LocalTrainingResult(parameters: parameters, sampleCount: indices.count, meanLoss: 0, steps: 0, seconds: 0)
        }
        let batchSize = min(configuration.batchSize, indices.count)
        let shardCount = min(configuration.batchShards, batchSize)
        let lanes = (0..<shardCount).map { _ in
            TrainingLane(
                model: model, capacity: (batchSize + shardCount - 1) / shardCount, perExample: configuration.clipping != nil
            )
        }
        let runner = ShardRunner(threads: threads)
        var optimizer = OptimizerState(optimizer: configuration.optimizer, parameterCount: model.parameterCount)
        var rng = SplitMix64(seed: seed)
        var noiseRNG = SplitMix64(seed: SplitMix64.mix(seed ^ 0xD1B5_4A32_D192_ED03))
        var order = indices
        var lossSum = 0.0
        var seen = 0
        var steps = 0
        let mu = configuration.proximalMu
        let gradient = lanes[0].gradient
        for _ in 0..<configuration.localEpochs {
            rng.shuffle(&order)
            var batchStart = 0
            while batchStart < order.count {
                let batch = min(batchSize, order.count - batchStart)
                let shards = ShardRunner.ranges(count: batch, parts: shardCount)
                parameters.withUnsafeBufferPointer { params in
                    let p = params.baseAddress!
                    runner.forEach(shards.count) { _, s in
                        let range = shards[s]
                        lanes[s].computeGradient(
                            data: data, indices: order[(batchStart + range.lowerBound)..<(batchStart + range.upperBound)],
                            parameters: p, batchSize: batch, clipping: configuration.clipping
                        )
                    }
                }
                // Sum the shards' losses and gradients in shard order.
                for s in shards.indices {
                    lossSum += lanes[s].lossSum
                    if s > 0 { BLAS.axpy(count: gradient.count, alpha: 1, x: lanes[s].gradient.baseAddress!, y: gradient.baseAddress!) }
                }
                if let clipping = configuration.clipping {
                    clipping.hook?.hook.adjust(summedGradient: gradient, batchSize: batch, step: steps, rng: &noiseRNG)
                    let scale = 1 / Float(batch)
                    for i in 0..<gradient.count { gradient[i] *= scale }
                }
                parameters.withUnsafeMutableBufferPointer { params in
                    if mu > 0 {
                        global.withUnsafeBufferPointer { anchor in
                            for i in 0..<gradient.count { gradient[i] += mu * (params[i] - anchor[i]) }
                        }
                    }
                    optimizer.step(parameters: params, gradient: gradient, learningRate: configuration.learningRate)
                }
                seen += batch
                steps += 1
                batchStart += batch
            }
        }
        let meanLoss = lossSum / Double(max(seen, 1))
        guard meanLoss.isFinite else { throw .diverged(loss: meanLoss) }
        let elapsed = start.duration(to: .now)
        return LocalTrainingResult(
            parameters: parameters, sampleCount: indices.count, meanLoss: meanLoss, steps: steps,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        )
    }

    /// Σ_b clip(g_b): back-propagates each example alone and scales its gradient to at most `maxNorm`.
    static func clippedSum(
        workspace: Workspace, parameters: UnsafePointer<Float>, batch: Int, maxNorm: Float,
        sum: UnsafeMutableBufferPointer<Float>, example: UnsafeMutableBufferPointer<Float>
    ) {
        sum.update(repeating: 0)
        let n = sum.count
        for b in 0..<batch {
            workspace.backward(parameters: parameters, gradient: example.baseAddress!, first: b, count: 1)
            let norm = BLAS.dot(count: n, x: example.baseAddress!, y: example.baseAddress!).squareRoot()
            let scale = norm > maxNorm ? maxNorm / norm : 1
            BLAS.axpy(count: n, alpha: scale, x: example.baseAddress!, y: sum.baseAddress!)
        }
    }

    static func check(model: Model, parameters: [Float], data: Dataset, indices: [Int]) throws(TrainingError) {
        guard parameters.count == model.parameterCount else {
            throw .parameterCountMismatch(expected: model.parameterCount, actual: parameters.count)
        }
        guard data.sampleShape == model.sampleShape else {
            throw .datasetMismatch("samples are \(data.sampleShape), the model expects \(model.sampleShape)")
        }
        guard data.classCount <= model.classCount else {
            throw .datasetMismatch("\(data.classCount) classes, the model has \(model.classCount) outputs")
        }
        if let bad = indices.first(where: { $0 < 0 || $0 >= data.count }) {
            throw .indexOutOfRange(index: bad, count: data.count)
        }
    }
}
