/// 2-D convolution, stride 1, zero padding, NHWC, computed as im2col then one sgemm per batch.
///
/// Weights are stored `outputChannels × (kernel · kernel · inputChannels)` with the inner index
/// ordered (ky, kx, input channel), then the biases. The im2col matrix has one row per output
/// pixel of the batch, so forward is `Y[B·H'·W' × C_out] = cols · Wᵀ` and each sample's rows are
/// contiguous (the per-example gradient path relies on that).
struct Conv2DLayer: Layer {
    let inputShape: ActivationShape
    let outputChannels: Int
    let kernel: Int
    let padding: Int

    var columns: Int { kernel * kernel * inputShape.channels }
    var outputShape: ActivationShape {
        ActivationShape(
            height: inputShape.height + 2 * padding - kernel + 1,
            width: inputShape.width + 2 * padding - kernel + 1,
            channels: outputChannels
        )
    }
    var pixels: Int { outputShape.height * outputShape.width }
    var parameterCount: Int { outputChannels * columns + outputChannels }
    var scratchPerSample: Int { pixels * columns }
    var multiplyAddsPerSample: Int { pixels * columns * outputChannels }

    func initialize(_ parameters: UnsafeMutableBufferPointer<Float>, using rng: inout SplitMix64) {
        Self.uniformFill(parameters, fanIn: columns, rng: &rng)
    }

    func forward(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int,
        parameters: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) {
        imageToColumns(input: input, columns: scratch, batch: batch)
        let rows = batch * pixels
        let bias = parameters + outputChannels * columns
        for r in 0..<rows {
            (output + r * outputChannels).update(from: bias, count: outputChannels)
        }
        BLAS.gemm(
            transposeA: false, transposeB: true, m: rows, n: outputChannels, k: columns,
            a: scratch, lda: columns, b: parameters, ldb: columns, beta: 1, c: output, ldc: outputChannels
        )
    }

    func backward(
        input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, batch: Int,
        parameters: UnsafePointer<Float>, parameterGradient: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>
    ) {
        let rows = batch * pixels
        // dW = dYᵀ · cols (the columns are still in scratch from forward)
        BLAS.gemm(
            transposeA: true, transposeB: false, m: outputChannels, n: columns, k: rows,
            a: outputGradient, lda: outputChannels, b: scratch, ldb: columns, beta: 0, c: parameterGradient, ldc: columns
        )
        let biasGradient = parameterGradient + outputChannels * columns
        biasGradient.update(repeating: 0, count: outputChannels)
        for r in 0..<rows {
            let row = outputGradient + r * outputChannels
            for o in 0..<outputChannels { biasGradient[o] += row[o] }
        }
        guard let inputGradient else { return }
        // dcols = dY · W, written over the columns (no longer needed), then scattered back.
        BLAS.gemm(
            transposeA: false, transposeB: false, m: rows, n: columns, k: outputChannels,
            a: outputGradient, lda: outputChannels, b: parameters, ldb: columns, beta: 0, c: scratch, ldc: columns
        )
        columnsToImage(columns: scratch, inputGradient: inputGradient, batch: batch)
    }

    private func imageToColumns(input: UnsafePointer<Float>, columns cols: UnsafeMutablePointer<Float>, batch: Int) {
        let (h, w, c) = (inputShape.height, inputShape.width, inputShape.channels)
        let out = outputShape
        for b in 0..<batch {
            let image = input + b * inputShape.size
            for oy in 0..<out.height {
                for ox in 0..<out.width {
                    var dst = cols + ((b * out.height + oy) * out.width + ox) * columns
                    for ky in 0..<kernel {
                        let iy = oy + ky - padding
                        if iy < 0 || iy >= h {
                            dst.update(repeating: 0, count: kernel * c)
                            dst += kernel * c
                            continue
                        }
                        for kx in 0..<kernel {
                            let ix = ox + kx - padding
                            if ix < 0 || ix >= w {
                                for ch in 0..<c { dst[ch] = 0 }
                            } else {
                                // A plain loop: for one or a few channels a memmove call costs more than the copy.
                                let src = image + (iy * w + ix) * c
                                for ch in 0..<c { dst[ch] = src[ch] }
                            }
                            dst += c
                        }
                    }
                }
            }
        }
    }

    private func columnsToImage(columns cols: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>, batch: Int) {
        let (h, w, c) = (inputShape.height, inputShape.width, inputShape.channels)
        let out = outputShape
        inputGradient.update(repeating: 0, count: batch * inputShape.size)
        for b in 0..<batch {
            let image = inputGradient + b * inputShape.size
            for oy in 0..<out.height {
                for ox in 0..<out.width {
                    var src = cols + ((b * out.height + oy) * out.width + ox) * columns
                    for ky in 0..<kernel {
                        let iy = oy + ky - padding
                        if iy < 0 || iy >= h {
                            src += kernel * c
                            continue
                        }
                        for kx in 0..<kernel {
                            let ix = ox + kx - padding
                            if ix >= 0 && ix < w {
                                let dst = image + (iy * w + ix) * c
                                for ch in 0..<c { dst[ch] += src[ch] }
                            }
                            src += c
                        }
                    }
                }
            }
        }
    }
}
