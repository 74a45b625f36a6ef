/// Where each parameter of a narrower model (HeteroFL width < 1) lives in the full model.
///
/// A sub-model keeps the first `⌈w·C⌉` channels or hidden units of every hidden layer, so its
/// tensors are the leading blocks of the full model's tensors, and sub-models of smaller widths
/// nest inside larger ones. `fullIndices[i]` is the full-model index of sub-model parameter `i`.
public struct ParameterSlicing: Sendable {
    public let fullIndices: [Int]
    public let fullParameterCount: Int

    public init(full: Model, sub: Model) throws(ModelError) {
        guard full.architecture == sub.architecture, full.sampleShape == sub.sampleShape,
              full.classCount == sub.classCount, full.layers.count == sub.layers.count else {
            throw .invalidInputShape(sub.sampleShape, reason: "the sub-model is not a slice of the full model")
        }
        var indices = [Int]()
        indices.reserveCapacity(sub.parameterCount)
        for (i, (f, s)) in zip(full.layers, sub.layers).enumerated() {
            let base = full.parameterOffsets[i]
            // Sub activation (pos, c) sits at (pos, c) of the full activation.
            let subIn = s.inputShape.channels
            let fullIn = f.inputShape.channels
            func inputIndex(_ j: Int) -> Int { (j / subIn) * fullIn + j % subIn }
            if let fd = f as? DenseLayer, let sd = s as? DenseLayer {
                for o in 0..<sd.outputs {
                    for j in 0..<sd.inputs { indices.append(base + o * fd.inputs + inputIndex(j)) }
                }
                for o in 0..<sd.outputs { indices.append(base + fd.outputs * fd.inputs + o) }
            } else if let fc = f as? Conv2DLayer, let sc = s as? Conv2DLayer {
                for o in 0..<sc.outputChannels {
                    for j in 0..<sc.columns { indices.append(base + o * fc.columns + inputIndex(j)) }
                }
                for o in 0..<sc.outputChannels { indices.append(base + fc.outputChannels * fc.columns + o) }
            } else if f.parameterCount != 0 || s.parameterCount != 0 {
                throw .invalidInputShape(sub.sampleShape, reason: "layer \(i) differs between the models")
            }
        }
        fullIndices = indices
        fullParameterCount = full.parameterCount
    }

    /// Cuts the sub-model's parameters out of the full model's.
    public func extract(from full: [Float]) -> [Float] {
        fullIndices.map { $0 < full.count ? full[$0] : 0 }
    }
}
