/// Fully connected layer: y = x · Wᵀ + b with W stored `outputs × inputs`, then b.
struct DenseLayer: Layer {
    let inputShape: ActivationShape
    let outputs: Int

    var inputs: Int { inputShape.size }
    var outputShape: ActivationShape { ActivationShape(features: outputs) }
    var parameterCount: Int { outputs * inputs + outputs }
    var multiplyAddsPerSample: Int { outputs * inputs }

    func initialize(_ parameters: UnsafeMutableBufferPointer<Float>, scheme: WeightInitialization, using rng: inout SplitMix64) {
        scheme.fill(parameters, fanIn: inputs, rng: &rng)
    }

    func forward(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int,
        parameters: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) {
        let bias = parameters + outputs * inputs
        for b in 0..<batch {
            (output + b * outputs).update(from: bias, count: outputs)
        }
        BLAS.gemm(
            transposeA: false, transposeB: true, m: batch, n: outputs, k: inputs,
            a: input, lda: inputs, b: parameters, ldb: inputs, beta: 1, c: output, ldc: outputs
        )
    }

    func backward(
        input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, batch: Int,
        parameters: UnsafePointer<Float>, parameterGradient: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>
    ) {
        // dW = dYᵀ · X
        BLAS.gemm(
            transposeA: true, transposeB: false, m: outputs, n: inputs, k: batch,
            a: outputGradient, lda: outputs, b: input, ldb: inputs, beta: 0, c: parameterGradient, ldc: inputs
        )
        // db = Σ_batch dY
        let biasGradient = parameterGradient + outputs * inputs
        biasGradient.update(repeating: 0, count: outputs)
        for b in 0..<batch {
            let row = outputGradient + b * outputs
            for o in 0..<outputs { biasGradient[o] += row[o] }
        }
        // dX = dY · W
        if let inputGradient {
            BLAS.gemm(
                transposeA: false, transposeB: false, m: batch, n: inputs, k: outputs,
                a: outputGradient, lda: outputs, b: parameters, ldb: inputs, beta: 0, c: inputGradient, ldc: inputs
            )
        }
    }
}
