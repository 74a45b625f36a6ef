/// 2-D convolution, stride 1, zero padding, NHWC, computed as im2col then sgemm, a few samples at a time.
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

    func initialize(_ parameters: UnsafeMutableBufferPointer<Float>, scheme: WeightInitialization, using rng: inout SplitMix64) {
        scheme.fill(parameters, fanIn: columns, rng: &rng)
    }

    /// Output pixels (im2col rows) per im2col + sgemm step; at least one sample is taken.
    ///
    /// Working through the batch a few samples at a time keeps each step's columns in cache
    /// between the copy that writes them and the sgemm that reads them: a whole batch of 32 is
    /// 20 MB of columns for the 28×28 CNN's second layer. About 400–500 rows per step was
    /// fastest on the benchmark machine (single-thread sgemm), and still feeds sgemm full panels.
    var rowsPerStep = 512

    var samplesPerStep: Int { max(1, rowsPerStep / pixels) }

    func forward(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int,
        parameters: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) {
        let bias = parameters + outputChannels * columns
        for r in 0..<(batch * pixels) {
            (output + r * outputChannels).update(from: bias, count: outputChannels)
        }
        forEachStep(batch: batch) { first, count in
            let cols = scratch + first * scratchPerSample
            imageToColumns(input: input + first * inputShape.size, columns: cols, batch: count)
            BLAS.gemm(
                transposeA: false, transposeB: true, m: count * pixels, n: outputChannels, k: columns,
                a: cols, lda: columns, b: parameters, ldb: columns, beta: 1,
                c: output + first * pixels * outputChannels, ldc: outputChannels
            )
        }
    }

    func backward(
        input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, batch: Int,
        parameters: UnsafePointer<Float>, parameterGradient: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>
    ) {
        let biasGradient = parameterGradient + outputChannels * columns
        biasGradient.update(repeating: 0, count: outputChannels)
        for r in 0..<(batch * pixels) {
            let row = outputGradient + r * outputChannels
            for o in 0..<outputChannels { biasGradient[o] += row[o] }
        }
        forEachStep(batch: batch) { first, count in
            let rows = count * pixels
            let cols = scratch + first * scratchPerSample
            let dY = outputGradient + first * pixels * outputChannels
            // dW (+)= dYᵀ · cols, the columns still in scratch from forward
            BLAS.gemm(
                transposeA: true, transposeB: false, m: outputChannels, n: columns, k: rows,
                a: dY, lda: outputChannels, b: cols, ldb: columns, beta: first == 0 ? 0 : 1,
                c: parameterGradient, ldc: columns
            )
            guard let inputGradient else { return }
            // dcols = dY · W, written over this step's columns (no longer needed), then scattered back.
            BLAS.gemm(
                transposeA: false, transposeB: false, m: rows, n: columns, k: outputChannels,
                a: dY, lda: outputChannels, b: parameters, ldb: columns, beta: 0, c: cols, ldc: columns
            )
            columnsToImage(columns: cols, inputGradient: inputGradient + first * inputShape.size, batch: count)
        }
    }

    private func forEachStep(batch: Int, _ body: (_ first: Int, _ count: Int) -> Void) {
        let step = samplesPerStep
        var first = 0
        while first < batch {
            let count = min(step, batch - first)
            body(first, count)
            first += count
        }
    }

    private func imageToColumns(input: UnsafePointer<Float>, columns cols: UnsafeMutablePointer<Float>, batch: Int) {
        let (h, w, c) = (inputShape.height, inputShape.width, inputShape.channels)
        let out = outputShape
        let span = kernel * c
        for b in 0..<batch {
            let image = input + b * inputShape.size
            for oy in 0..<out.height {
                for ox in 0..<out.width {
                    var dst = cols + ((b * out.height + oy) * out.width + ox) * columns
                    // The kernel's columns that fall inside the image, the same for every kernel row.
                    let left = max(0, padding - ox)
                    let right = min(kernel, w + padding - ox)
                    for ky in 0..<kernel {
                        let iy = oy + ky - padding
                        if iy < 0 || iy >= h || left >= right {
                            dst.update(repeating: 0, count: span)
                        } else {
                            for i in 0..<(left * c) { dst[i] = 0 }
                            // One contiguous run: the inputs (iy, ox + left − padding ..< ox + right − padding), all channels.
                            let src = image + (iy * w + ox + left - padding) * c
                            let run = (right - left) * c
                            for i in 0..<run { dst[left * c + i] = src[i] }
                            for i in (right * c)..<span { dst[i] = 0 }
                        }
                        dst += span
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
