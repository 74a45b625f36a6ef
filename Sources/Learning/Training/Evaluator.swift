/// Test accuracy and mean cross-entropy loss of a parameter vector on a dataset.
public struct Evaluator: Sendable {
    public let model: Model
    /// Samples per forward pass; large enough for efficient sgemm, small enough for the im2col buffers.
    public let batchSize: Int

    public init(model: Model, batchSize: Int? = nil) {
        self.model = model
        self.batchSize = max(1, batchSize ?? (model.architecture == .mlp ? 1000 : 100))
    }

    public func evaluate(parameters: [Float], on data: Dataset) throws(TrainingError) -> (accuracy: Double, loss: Double) {
        try LocalTrainer.check(model: model, parameters: parameters, data: data, indices: [])
        guard data.count > 0 else { return (0, 0) }
        let workspace = Workspace(model: model, capacity: min(batchSize, data.count))
        var lossSum = 0.0
        var correct = 0
        let all = Array(0..<data.count)
        var start = 0
        // One channel: the stored (C, H, W) layout is already the layers' (H, W, C), so the
        // forward pass reads the features in place instead of copying each batch.
        let inPlace = data.sampleShape[0] == 1
        parameters.withUnsafeBufferPointer { params in
            data.features.withUnsafeBufferPointer { features in
                while start < data.count {
                    let batch = min(workspace.capacity, data.count - start)
                    if inPlace, let base = features.baseAddress {
                        workspace.loadLabels(data, range: start..<(start + batch))
                        workspace.infer(parameters: params.baseAddress!, input: base + start * data.sampleSize, batch: batch)
                    } else {
                        workspace.load(data, indices: all[start..<(start + batch)])
                        workspace.forward(parameters: params.baseAddress!, batch: batch)
                    }
                    let result = workspace.loss(batch: batch, withGradient: false, gradientScale: 0)
                    lossSum += result.lossSum
                    correct += result.correct
                    start += batch
                }
            }
        }
        return (Double(correct) / Double(data.count), lossSum / Double(data.count))
    }
}
