/// Non-overlapping max pooling (window = stride), NHWC. Odd trailing rows/columns are dropped.
///
/// Backward recomputes which input won each window (the first maximum) instead of storing
/// indices, so the layer needs no scratch memory.
struct MaxPoolLayer: Layer {
    let inputShape: ActivationShape
    let window: Int

    var outputShape: ActivationShape {
        ActivationShape(height: inputShape.height / window, width: inputShape.width / window, channels: inputShape.channels)
    }

    func forward(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int,
        parameters: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) {
        let out = outputShape
        let c = inputShape.channels
        let inW = inputShape.width
        for b in 0..<batch {
            let src = input + b * inputShape.size
            let dst = output + b * out.size
            for oy in 0..<out.height {
                for ox in 0..<out.width {
                    let o = dst + (oy * out.width + ox) * c
                    let first = src + ((oy * window) * inW + ox * window) * c
                    for ch in 0..<c { o[ch] = first[ch] }
                    for dy in 0..<window {
                        for dx in 0..<window {
                            let p = src + ((oy * window + dy) * inW + ox * window + dx) * c
                            for ch in 0..<c { o[ch] = Swift.max(o[ch], p[ch]) }
                        }
                    }
                }
            }
        }
    }

    func backward(
        input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, batch: Int,
        parameters: UnsafePointer<Float>, parameterGradient: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>
    ) {
        guard let inputGradient else { return }
        inputGradient.update(repeating: 0, count: batch * inputShape.size)
        let out = outputShape
        let c = inputShape.channels
        let inW = inputShape.width
        for b in 0..<batch {
            let src = input + b * inputShape.size
            let dSrc = inputGradient + b * inputShape.size
            let maxima = output + b * out.size
            let dOut = outputGradient + b * out.size
            for oy in 0..<out.height {
                for ox in 0..<out.width {
                    let o = (oy * out.width + ox) * c
                    for ch in 0..<c {
                        let target = maxima[o + ch]
                        var found = false
                        for dy in 0..<window where !found {
                            for dx in 0..<window where !found {
                                let i = ((oy * window + dy) * inW + ox * window + dx) * c + ch
                                if src[i] == target {
                                    dSrc[i] += dOut[o + ch]
                                    found = true
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
