/// Non-overlapping max pooling (window = stride), NHWC. Odd trailing rows/columns are dropped.
///
/// Backward recomputes which input won each window (the first maximum) instead of storing
/// indices, so the layer needs no scratch memory. (A NaN window, which no input equals, sends
/// its gradient to the last input.)
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
        let out = outputShape
        let c = inputShape.channels
        let inW = inputShape.width
        // Rows and columns a window never covers get no gradient.
        if out.height * window != inputShape.height || out.width * window != inputShape.width {
            inputGradient.update(repeating: 0, count: batch * inputShape.size)
        }
        // Each input of a window gets the output's gradient if it is the window's first maximum,
        // else zero: every covered input is written once, so no clearing pass is needed, and the
        // channel loop (innermost, contiguous) vectorizes.
        let positions = window * window
        for b in 0..<batch {
            let src = input + b * inputShape.size
            let dSrc = inputGradient + b * inputShape.size
            for oy in 0..<out.height {
                for ox in 0..<out.width {
                    let o = (b * out.height * out.width + oy * out.width + ox) * c
                    let maxima = output + o
                    let dOut = outputGradient + o
                    let corner = ((oy * window) * inW + ox * window) * c
                    if window == 2 {
                        let (p0, p1, p2, p3) = (src + corner, src + corner + c, src + corner + inW * c, src + corner + inW * c + c)
                        let (d0, d1, d2, d3) = (dSrc + corner, dSrc + corner + c, dSrc + corner + inW * c, dSrc + corner + inW * c + c)
                        for ch in 0..<c {
                            let m = maxima[ch], g = dOut[ch]
                            let w0 = p0[ch] == m
                            let w1 = !w0 && p1[ch] == m
                            let w2 = !w0 && !w1 && p2[ch] == m
                            let w3 = !w0 && !w1 && !w2
                            d0[ch] = w0 ? g : 0
                            d1[ch] = w1 ? g : 0
                            d2[ch] = w2 ? g : 0
                            d3[ch] = w3 ? g : 0
                        }
                    } else {
                        for ch in 0..<c {
                            var winner = positions - 1
                            for k in 0..<positions where src[corner + ((k / window) * inW + k % window) * c + ch] == maxima[ch] {
                                winner = k
                                break
                            }
                            for k in 0..<positions {
                                dSrc[corner + ((k / window) * inW + k % window) * c + ch] = k == winner ? dOut[ch] : 0
                            }
                        }
                    }
                }
            }
        }
    }
}
