/// Rectified linear unit, elementwise.
struct ReLULayer: Layer {
    let inputShape: ActivationShape
    var outputShape: ActivationShape { inputShape }

    func forward(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int,
        parameters: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<(batch * inputShape.size) {
            output[i] = max(input[i], 0)
        }
    }

    func backward(
        input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, batch: Int,
        parameters: UnsafePointer<Float>, parameterGradient: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>
    ) {
        guard let inputGradient else { return }
        for i in 0..<(batch * inputShape.size) {
            inputGradient[i] = input[i] > 0 ? outputGradient[i] : 0
        }
    }
}
