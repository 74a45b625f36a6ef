/// Test accuracy and mean cross-entropy loss of a parameter vector on a dataset.
public struct Evaluator: Sendable {
    public let model: Model
    /// Samples per forward pass; large enough for efficient sgemm, small enough for the im2col buffers.
    public let batchSize: Int
    /// Cores one evaluation may use (batches run side by side when OpenBLAS is single-threaded);
    /// the result is the same whatever the value.
    public let threads: Int

    public init(model: Model, batchSize: Int? = nil, threads: Int = 1) {
        self.model = model
        self.batchSize = max(1, batchSize ?? (model.architecture == .mlp ? 1000 : 100))
        self.threads = max(1, threads)
    }

    public func evaluate(parameters: [Float], on data: Dataset) throws(TrainingError) -> (accuracy: Double, loss: Double) {
        try LocalTrainer.check(model: model, parameters: parameters, data: data, indices: [])
        guard data.count > 0 else { return (0, 0) }
        let runner = ShardRunner(threads: threads)
        let capacity = min(batchSize, data.count)
        let batches = (data.count + capacity - 1) / capacity
        let workspaces = (0..<runner.lanes(for: batches)).map { _ in Workspace(model: model, capacity: capacity) }
        // Each batch's loss and count land in its own slot and are summed in batch order, so
        // the figures do not depend on which lane evaluated which batch.
        var lossSums = [Double](repeating: 0, count: batches)
        var corrects = [Int](repeating: 0, count: batches)
        // One channel: the stored (C, H, W) layout is already the layers' (H, W, C), so the
        // forward pass reads the features in place instead of copying each batch.
        let inPlace = data.sampleShape[0] == 1
        parameters.withUnsafeBufferPointer { params in
            data.features.withUnsafeBufferPointer { features in
                lossSums.withUnsafeMutableBufferPointer { lossSums in
                    corrects.withUnsafeMutableBufferPointer { corrects in
                        runner.forEach(batches) { lane, index in
                            let workspace = workspaces[lane]
                            let start = index * capacity
                            let batch = min(capacity, data.count - start)
                            if inPlace, let base = features.baseAddress {
                                workspace.loadLabels(data, range: start..<(start + batch))
                                workspace.infer(parameters: params.baseAddress!, input: base + start * data.sampleSize, batch: batch)
                            } else {
                                workspace.load(data, indices: start..<(start + batch))
                                workspace.forward(parameters: params.baseAddress!, batch: batch)
                            }
                            let result = workspace.loss(batch: batch, withGradient: false, gradientScale: 0)
                            lossSums[index] = result.lossSum
                            corrects[index] = result.correct
                        }
                    }
                }
            }
        }
        let lossSum = lossSums.reduce(0, +)
        let correct = corrects.reduce(0, +)
        return (Double(correct) / Double(data.count), lossSum / Double(data.count))
    }
}
