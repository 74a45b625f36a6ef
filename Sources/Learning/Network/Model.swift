/// A feed-forward classifier whose parameters are one flat Float32 vector.
///
/// The model itself holds only the layer geometry; parameters travel as `[Float]` (for transport
/// and aggregation) and activations live in a ``Workspace``. Layer `i`'s parameters start at
/// `parameterOffsets[i]`: weights first, then biases.
public struct Model: Sendable {
    public let architecture: ModelArchitecture
    /// The dataset's sample shape (channels, height, width).
    public let sampleShape: [Int]
    public let classCount: Int
    /// Width multiplier (HeteroFL): hidden units and channels are scaled by it, inputs and outputs are not.
    public let width: Double
    let layers: [any Layer]
    let parameterOffsets: [Int]
    public let parameterCount: Int

    init(architecture: ModelArchitecture, sampleShape: [Int], classCount: Int, width: Double, layers: [any Layer]) {
        self.architecture = architecture
        self.sampleShape = sampleShape
        self.classCount = classCount
        self.width = width
        self.layers = layers
        var offsets = [Int]()
        var total = 0
        for layer in layers {
            offsets.append(total)
            total += layer.parameterCount
        }
        parameterOffsets = offsets
        parameterCount = total
    }

    /// Floats per sample of the input.
    public var inputSize: Int { sampleShape.reduce(1, *) }

    /// Bytes of one parameter vector as little-endian Float32.
    public var parameterBytes: Int { parameterCount * MemoryLayout<Float>.size }

    /// Multiply-adds of one forward pass of one sample (a training step costs about three times this).
    public var multiplyAddsPerSample: Int { layers.reduce(0) { $0 + $1.multiplyAddsPerSample } }

    /// Bytes local training holds at once, estimated: parameters, their gradient and
    /// `optimizerSlots` more copies (momentum 1, Adam 2), and for a batch of `batchSize` every
    /// layer's output and its gradient plus the scratch kept from forward to backward. What a
    /// guardian compares with the memory its device grants to training.
    public func trainingMemoryBytes(batchSize: Int, optimizerSlots: Int) -> Int {
        let perSample = inputSize + layers.reduce(0) { $0 + 2 * $1.outputShape.size + $1.scratchPerSample }
        return (parameterCount * (2 + optimizerSlots) + batchSize * perSample) * MemoryLayout<Float>.size
    }

    /// Fresh parameters drawn by `scheme`, reproducible from the seed.
    public func initialParameters(seed: UInt64, scheme: WeightInitialization = .he) -> [Float] {
        var parameters = [Float](repeating: 0, count: parameterCount)
        var rng = SplitMix64(seed: seed)
        parameters.withUnsafeMutableBufferPointer { buffer in
            for (layer, offset) in zip(layers, parameterOffsets) where layer.parameterCount > 0 {
                let slice = UnsafeMutableBufferPointer(rebasing: buffer[offset..<(offset + layer.parameterCount)])
                layer.initialize(slice, scheme: scheme, using: &rng)
            }
        }
        return parameters
    }

    /// A short description of the layers, e.g. for logs.
    public var summary: String {
        layers.map { "\(type(of: $0))(\($0.inputShape) → \($0.outputShape))" }.joined(separator: ", ")
    }
}

/// Builds one of the known architectures for a dataset's sample shape `[channels, height, width]`.
public func makeModel(_ architecture: ModelArchitecture, inputShape: [Int], classes: Int, width: Double = 1.0) throws(ModelError) -> Model {
    guard width > 0, width <= 1, width.isFinite else { throw .invalidWidth(width) }
    guard classes >= 2 else { throw .invalidClassCount(classes) }
    guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
        throw .invalidInputShape(inputShape, reason: "expected [channels, height, width] with positive sizes")
    }
    let input = ActivationShape(height: inputShape[1], width: inputShape[2], channels: inputShape[0])
    func scaled(_ units: Int) -> Int { max(1, Int((Double(units) * width).rounded(.up))) }
    var builder = LayerStack(input: input)
    switch architecture {
    case .mlp:
        builder.dense(scaled(200)); builder.relu()
        builder.dense(scaled(200)); builder.relu()
        builder.dense(classes)
    case .cnn:
        guard input.height >= 4, input.width >= 4 else {
            throw .invalidInputShape(inputShape, reason: "the CNN needs images of at least 4×4")
        }
        builder.conv(scaled(32), kernel: 5, padding: 2); builder.maxPool(2); builder.relu()
        builder.conv(scaled(64), kernel: 5, padding: 2); builder.maxPool(2); builder.relu()
        builder.dense(scaled(512)); builder.relu()
        builder.dense(classes)
    case .cifarCNN:
        guard input.height >= 8, input.width >= 8 else {
            throw .invalidInputShape(inputShape, reason: "the CIFAR CNN needs images of at least 8×8")
        }
        builder.conv(scaled(32), kernel: 3, padding: 1); builder.maxPool(2); builder.relu()
        builder.conv(scaled(64), kernel: 3, padding: 1); builder.maxPool(2); builder.relu()
        builder.conv(scaled(64), kernel: 3, padding: 1); builder.maxPool(2); builder.relu()
        builder.dense(scaled(256)); builder.relu()
        builder.dense(classes)
    case .paperCNN:
        guard input.height >= 4, input.width >= 4 else {
            throw .invalidInputShape(inputShape, reason: "the paper's CNN needs images of at least 4×4")
        }
        builder.conv(scaled(32), kernel: 3, padding: 1); builder.maxPool(2); builder.relu()
        builder.conv(scaled(64), kernel: 3, padding: 1); builder.maxPool(2); builder.relu()
        builder.dense(scaled(128)); builder.relu()
        builder.dense(classes)
    case .lenet:
        guard input.height >= 16, input.width >= 16 else {
            throw .invalidInputShape(inputShape, reason: "LeNet-5 needs images of at least 16×16")
        }
        builder.conv(scaled(6), kernel: 5, padding: 0); builder.maxPool(2); builder.relu()
        builder.conv(scaled(16), kernel: 5, padding: 0); builder.maxPool(2); builder.relu()
        builder.dense(scaled(120)); builder.relu()
        builder.dense(scaled(84)); builder.relu()
        builder.dense(classes)
    }
    return Model(architecture: architecture, sampleShape: inputShape, classCount: classes, width: width, layers: builder.layers)
}

/// Appends layers, threading each one's output shape into the next one's input.
/// (Max-pool before ReLU: the two commute, and ReLU on the pooled map is 4× cheaper.)
struct LayerStack {
    private(set) var layers: [any Layer] = []
    private var shape: ActivationShape

    init(input: ActivationShape) {
        shape = input
    }

    mutating func dense(_ outputs: Int) { append(DenseLayer(inputShape: shape, outputs: outputs)) }
    mutating func relu() { append(ReLULayer(inputShape: shape)) }
    mutating func maxPool(_ window: Int) { append(MaxPoolLayer(inputShape: shape, window: window)) }
    mutating func conv(_ channels: Int, kernel: Int, padding: Int, rowsPerStep: Int = 512) {
        append(Conv2DLayer(inputShape: shape, outputChannels: channels, kernel: kernel, padding: padding, rowsPerStep: rowsPerStep))
    }

    private mutating func append(_ layer: any Layer) {
        layers.append(layer)
        shape = layer.outputShape
    }
}
