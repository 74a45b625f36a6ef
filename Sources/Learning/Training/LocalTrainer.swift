import Foundation

/// What a client sends back after local training.
public struct LocalTrainingResult: Sendable {
    public let parameters: [Float]
    public let sampleCount: Int
    /// Mean training loss over all examples seen in all local epochs (before each step).
    public let meanLoss: Double
    /// The loss of each example in the last local epoch (before its step): count, sum and sum of
    /// squares. Oort's statistical utility is count · sqrt(squares / count).
    public let lastEpoch: LossStatistics
    public let steps: Int
    public let seconds: Double
}

extension LocalTrainingResult {
    /// The same result with other parameters (the update after client-level DP noise).
    public func with(parameters: [Float]) -> LocalTrainingResult {
        LocalTrainingResult(
            parameters: parameters, sampleCount: sampleCount, meanLoss: meanLoss, lastEpoch: lastEpoch, steps: steps, seconds: seconds)
    }
}

/// Count, sum and sum of squares of per-example losses.
public struct LossStatistics: Sendable, Hashable, Codable {
    public var count: Int
    public var sum: Double
    public var squaredSum: Double

    public init(count: Int = 0, sum: Double = 0, squaredSum: Double = 0) {
        self.count = count
        self.sum = sum
        self.squaredSum = squaredSum
    }

    public var mean: Double { count == 0 ? 0 : sum / Double(count) }
    /// Root mean square of the losses: Oort's per-sample utility.
    public var rootMeanSquare: Double { count == 0 ? 0 : (squaredSum / Double(count)).squareRoot() }
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

    /// Starts from `global`, runs `configuration.localEpochs` epochs over `indices` and returns the
    /// new parameters. Batches are drawn as `configuration.sampling` says: reshuffled each epoch
    /// with a generator seeded by `seed`, or Poisson-sampled with a generator seeded by
    /// `privateSeed`. The gradient hook (DP noise) also draws from `privateSeed`'s generator:
    /// give a secret one whenever the batches or the noise must stay private; without it both
    /// derive from `seed`, fine for tests and for clipping without noise only.
    public func train(
        global: [Float], data: Dataset, indices: [Int], configuration: TrainingConfiguration, seed: UInt64,
        privateSeed: UInt64? = nil
    ) throws(TrainingError) -> LocalTrainingResult {
        let start = ContinuousClock.now
        try configuration.validate()
        try Self.check(model: model, parameters: global, data: data, indices: indices)
        var parameters = global
        guard !indices.isEmpty, configuration.localEpochs > 0 else {
            return LocalTrainingResult(parameters: parameters, sampleCount: indices.count, meanLoss: 0, lastEpoch: LossStatistics(), steps: 0, seconds: 0)
        }
        let batchSize = min(configuration.batchSize, indices.count)
        let shardCount = min(configuration.batchShards, batchSize)
        let lanes = (0..<shardCount).map { _ in
            TrainingLane(
                model: model, capacity: (batchSize + shardCount - 1) / shardCount, perExample: configuration.clipping != nil
            )
        }
        // The most samples one pass over the lanes takes; a larger Poisson batch goes in passes.
        let passCapacity = lanes.count * ((batchSize + shardCount - 1) / shardCount)
        let runner = ShardRunner(threads: threads)
        var optimizer = OptimizerState(optimizer: configuration.optimizer, parameterCount: model.parameterCount)
        var rng = SplitMix64(seed: seed)
        var privateRNG = SplitMix64(seed: SplitMix64.mix((privateSeed ?? seed) ^ 0xD1B5_4A32_D192_ED03))
        var order = indices
        var lossSum = 0.0
        var seen = 0
        var steps = 0
        let mu = configuration.proximalMu
        let gradient = lanes[0].gradient
        // The batch's sum when it takes more than one pass (Poisson batches above the batch size).
        let total = UnsafeMutableBufferPointer<Float>.allocate(capacity: model.parameterCount)
        defer { total.deallocate() }
        var lastEpoch = LossStatistics()
        let stepsPerEpoch = configuration.sampling.stepsPerEpoch(sampleCount: indices.count, batchSize: batchSize)

        /// One optimizer step on `batch`, whose gradient is divided by `normalizer`.
        func step(on batch: ArraySlice<Int>, normalizer: Double) {
            let passes = stride(from: batch.startIndex, to: batch.endIndex, by: passCapacity).map {
                $0..<min($0 + passCapacity, batch.endIndex)
            }
            if passes.count != 1 { total.update(repeating: 0) }
            for pass in passes {
                let shards = ShardRunner.ranges(count: pass.count, parts: min(shardCount, pass.count))
                parameters.withUnsafeBufferPointer { params in
                    let p = params.baseAddress!
                    runner.forEach(shards.count) { _, s in
                        let range = shards[s]
                        lanes[s].computeGradient(
                            data: data, indices: batch[(pass.lowerBound + range.lowerBound)..<(pass.lowerBound + range.upperBound)],
                            parameters: p, batchSize: batch.count, clipping: configuration.clipping
                        )
                    }
                }
                // Sum the shards' losses and gradients in shard order.
                for s in shards.indices {
                    lossSum += lanes[s].lossSum
                    lastEpoch.sum += lanes[s].lossSum
                    lastEpoch.squaredSum += lanes[s].lossSquaredSum
                    if s > 0 { BLAS.axpy(count: gradient.count, alpha: 1, x: lanes[s].gradient.baseAddress!, y: gradient.baseAddress!) }
                }
                if passes.count != 1 { BLAS.axpy(count: gradient.count, alpha: 1, x: gradient.baseAddress!, y: total.baseAddress!) }
            }
            // An empty Poisson batch still takes its step: the gradient is the noise alone.
            if passes.isEmpty { gradient.update(repeating: 0) } else if passes.count > 1 { _ = gradient.update(fromContentsOf: total) }
            if let clipping = configuration.clipping {
                clipping.hook?.hook.adjust(summedGradient: gradient, batchSize: batch.count, step: steps, rng: &privateRNG)
                let scale = Float(1 / normalizer)
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
            seen += batch.count
            lastEpoch.count += batch.count
            steps += 1
        }

        for _ in 0..<configuration.localEpochs {
            lastEpoch = LossStatistics()
            switch configuration.sampling {
            case .shuffled:
                rng.shuffle(&order)
                var batchStart = 0
                while batchStart < order.count {
                    let batch = min(batchSize, order.count - batchStart)
                    step(on: order[batchStart..<(batchStart + batch)], normalizer: Double(batch))
                    batchStart += batch
                }
            case .poisson(let rate):
                for _ in 0..<stepsPerEpoch {
                    let batch = indices.filter { _ in privateRNG.nextUnit() < rate }
                    step(on: batch[...], normalizer: rate * Double(indices.count))
                }
            }
        }
        let meanLoss = lossSum / Double(max(seen, 1))
        guard meanLoss.isFinite else { throw .diverged(loss: meanLoss) }
        let elapsed = start.duration(to: .now)
        return LocalTrainingResult(
            parameters: parameters, sampleCount: indices.count, meanLoss: meanLoss, lastEpoch: lastEpoch, steps: steps,
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
