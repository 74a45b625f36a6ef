/// Activation, gradient and scratch memory for running a ``Model`` on batches of up to
/// `capacity` samples. One workspace serves one task at a time (it is deliberately not Sendable).
final class Workspace {
    let model: Model
    let capacity: Int
    /// `activations[0]` is the input batch, `activations[i + 1]` the output of layer `i`.
    private let activations: [UnsafeMutablePointer<Float>]
    private let scratch: [UnsafeMutablePointer<Float>]
    private let gradientA: UnsafeMutablePointer<Float>
    private let gradientB: UnsafeMutablePointer<Float>
    private let gradientC: UnsafeMutablePointer<Float>
    private let labels: UnsafeMutablePointer<Int32>

    init(model: Model, capacity: Int) {
        self.model = model
        let capacity = max(1, capacity)
        self.capacity = capacity
        var activations = [UnsafeMutablePointer<Float>]()
        let inputSize = model.layers.first?.inputShape.size ?? model.inputSize
        activations.append(.allocate(capacity: capacity * inputSize))
        var largest = inputSize
        for layer in model.layers {
            activations.append(.allocate(capacity: capacity * layer.outputShape.size))
            largest = max(largest, layer.outputShape.size)
        }
        self.activations = activations
        scratch = model.layers.map { .allocate(capacity: max(1, capacity * $0.scratchPerSample)) }
        gradientA = .allocate(capacity: capacity * model.classCount)
        gradientB = .allocate(capacity: capacity * largest)
        gradientC = .allocate(capacity: capacity * largest)
        labels = .allocate(capacity: self.capacity)
    }

    deinit {
        activations.forEach { $0.deallocate() }
        scratch.forEach { $0.deallocate() }
        gradientA.deallocate()
        gradientB.deallocate()
        gradientC.deallocate()
        labels.deallocate()
    }

    var logits: UnsafeMutablePointer<Float> { activations[activations.count - 1] }

    /// Copies the given samples into the input buffer, converting (C, H, W) to the layers' (H, W, C).
    func load<Indices: Collection<Int>>(_ data: Dataset, indices: Indices) {
        let sampleSize = data.sampleSize
        let channels = data.sampleShape[0]
        let plane = data.sampleShape[1] * data.sampleShape[2]
        let input = activations[0]
        data.features.withUnsafeBufferPointer { features in
            guard let base = features.baseAddress else { return }
            for (row, index) in indices.enumerated() {
                let src = base + index * sampleSize
                let dst = input + row * sampleSize
                if channels == 1 {
                    dst.update(from: src, count: sampleSize)
                } else {
                    for c in 0..<channels {
                        for p in 0..<plane { dst[p * channels + c] = src[c * plane + p] }
                    }
                }
                labels[row] = data.labels[index]
            }
        }
    }

    /// Loads raw NHWC inputs and labels directly (tests and benchmarks).
    func load(inputs: [Float], labels newLabels: [Int32]) {
        let inputCount = min(inputs.count, capacity * (model.layers.first?.inputShape.size ?? 0))
        for i in 0..<inputCount { activations[0][i] = inputs[i] }
        for i in 0..<min(newLabels.count, capacity) { labels[i] = newLabels[i] }
    }

    /// Copies only the labels of `data[range]` (for ``infer(parameters:input:batch:)``).
    func loadLabels(_ data: Dataset, range: Range<Int>) {
        data.labels.withUnsafeBufferPointer { all in
            guard let base = all.baseAddress else { return }
            labels.update(from: base + range.lowerBound, count: range.count)
        }
    }

    func forward(parameters: UnsafePointer<Float>, batch: Int) {
        infer(parameters: parameters, input: activations[0], batch: batch)
    }

    /// Forward pass reading the first layer's input from `input` (NHWC, e.g. straight from a
    /// single-channel dataset) instead of the loaded batch: saves the copy when only the
    /// outputs are needed. A ``backward(parameters:gradient:first:count:)`` after it is only
    /// valid when `input` is the loaded batch.
    func infer(parameters: UnsafePointer<Float>, input: UnsafePointer<Float>, batch: Int) {
        for (i, layer) in model.layers.enumerated() {
            layer.forward(
                input: i == 0 ? input : UnsafePointer(activations[i]), output: activations[i + 1], batch: batch,
                parameters: parameters + model.parameterOffsets[i], scratch: scratch[i]
            )
        }
    }

    /// Summed loss and correct count of the last forward pass; writes dLoss/dlogits · scale into
    /// the gradient buffer when `withGradient`.
    func loss(batch: Int, withGradient: Bool, gradientScale: Float) -> (lossSum: Double, lossSquaredSum: Double, correct: Int) {
        SoftmaxCrossEntropy.evaluate(
            logits: logits, labels: labels, batch: batch, classes: model.classCount,
            gradient: withGradient ? gradientA : nil, gradientScale: gradientScale
        )
    }

    /// Back-propagates the logits gradient of samples `first ..< first + count` (computed by
    /// ``loss(batch:withGradient:gradientScale:)``) and writes the parameter gradient.
    func backward(parameters: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>, first: Int = 0, count: Int) {
        // Input gradients ping-pong between buffers B and C; buffer A keeps the logits gradient
        // of the whole batch, which a per-example pass needs for the other samples.
        var outputGradient = gradientA + first * model.classCount
        var next = gradientB
        var after = gradientC
        for i in stride(from: model.layers.count - 1, through: 0, by: -1) {
            let layer = model.layers[i]
            let inputGradient: UnsafeMutablePointer<Float>? = i == 0 ? nil : next
            layer.backward(
                input: activations[i] + first * layer.inputShape.size,
                output: activations[i + 1] + first * layer.outputShape.size,
                outputGradient: outputGradient, inputGradient: inputGradient, batch: count,
                parameters: parameters + model.parameterOffsets[i],
                parameterGradient: gradient + model.parameterOffsets[i],
                scratch: scratch[i] + first * layer.scratchPerSample
            )
            outputGradient = next
            swap(&next, &after)
        }
    }
}
