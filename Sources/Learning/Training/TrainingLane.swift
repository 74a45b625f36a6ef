/// The memory one shard of a mini-batch needs: a workspace and its own gradient buffers, so
/// shards can run on separate threads and be summed afterwards in a fixed order.
final class TrainingLane {
    let workspace: Workspace
    /// This shard's gradient: Σ over its samples of dLoss/dθ · (1 / batch size), or with clipping
    /// the plain sum of clipped per-example gradients.
    let gradient: UnsafeMutableBufferPointer<Float>
    /// One example's gradient (per-example clipping only).
    private let example: UnsafeMutableBufferPointer<Float>
    /// Summed loss of the shard's samples in the last ``computeGradient``, and of their squares.
    private(set) var lossSum = 0.0
    private(set) var lossSquaredSum = 0.0

    init(model: Model, capacity: Int, perExample: Bool) {
        workspace = Workspace(model: model, capacity: capacity)
        gradient = .allocate(capacity: model.parameterCount)
        gradient.initialize(repeating: 0)
        example = .allocate(capacity: perExample ? model.parameterCount : 0)
        example.initialize(repeating: 0)
    }

    deinit {
        gradient.deallocate()
        example.deallocate()
    }

    /// Forward and backward over `indices`, a shard of a batch of `batchSize` samples.
    func computeGradient(
        data: Dataset, indices: ArraySlice<Int>, parameters: UnsafePointer<Float>, batchSize: Int,
        clipping: PerExampleClipping?
    ) {
        let count = indices.count
        workspace.load(data, indices: indices)
        workspace.forward(parameters: parameters, batch: count)
        if let clipping {
            (lossSum, lossSquaredSum, _) = workspace.loss(batch: count, withGradient: true, gradientScale: 1)
            LocalTrainer.clippedSum(
                workspace: workspace, parameters: parameters, batch: count, maxNorm: clipping.maxNorm,
                sum: gradient, example: example
            )
        } else {
            (lossSum, lossSquaredSum, _) = workspace.loss(batch: count, withGradient: true, gradientScale: 1 / Float(batchSize))
            workspace.backward(parameters: parameters, gradient: gradient.baseAddress!, count: count)
        }
    }
}
