/// One differentiable step of a ``Network``, working on whole batches through raw pointers.
///
/// Layers are stateless values: parameters, activations and scratch memory belong to the caller
/// (a ``Workspace``). Activations are laid out sample after sample, each `outputShape.size` long.
protocol Layer: Sendable {
    var inputShape: ActivationShape { get }
    var outputShape: ActivationShape { get }
    var parameterCount: Int { get }
    /// Floats of scratch memory per sample kept from forward to backward (e.g. im2col columns).
    var scratchPerSample: Int { get }
    /// Multiply-adds per sample in the forward pass (for FLOP figures).
    var multiplyAddsPerSample: Int { get }

    func initialize(_ parameters: UnsafeMutableBufferPointer<Float>, scheme: WeightInitialization, using rng: inout SplitMix64)

    func forward(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int,
        parameters: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>
    )

    /// Writes (not adds) the parameter gradient, and the input gradient when asked for.
    func backward(
        input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, batch: Int,
        parameters: UnsafePointer<Float>, parameterGradient: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>
    )
}

extension Layer {
    var scratchPerSample: Int { 0 }
    var parameterCount: Int { 0 }
    var multiplyAddsPerSample: Int { 0 }
    func initialize(_ parameters: UnsafeMutableBufferPointer<Float>, scheme: WeightInitialization, using rng: inout SplitMix64) {}
}
