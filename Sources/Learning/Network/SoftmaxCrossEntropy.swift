import Foundation

/// Softmax followed by cross-entropy against integer labels, fused for numerical stability.
enum SoftmaxCrossEntropy {
    /// Returns the summed loss over the batch (and the sum of each example's loss squared, Oort's
    /// statistical utility) and, if `gradient` is given, writes `(softmax − onehot) · gradientScale`
    /// into it. Counts correct arg-max predictions too.
    static func evaluate(
        logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batch: Int, classes: Int,
        gradient: UnsafeMutablePointer<Float>?, gradientScale: Float
    ) -> (lossSum: Double, lossSquaredSum: Double, correct: Int) {
        var lossSum = 0.0
        var lossSquaredSum = 0.0
        var correct = 0
        for b in 0..<batch {
            let row = logits + b * classes
            var maxValue = row[0]
            var argmax = 0
            for j in 1..<classes where row[j] > maxValue {
                maxValue = row[j]
                argmax = j
            }
            var sum: Float = 0
            for j in 0..<classes { sum += Foundation.exp(row[j] - maxValue) }
            let label = Int(labels[b])
            if argmax == label { correct += 1 }
            let logSum = Foundation.log(sum)
            let loss = Double(logSum - (row[label] - maxValue))
            lossSum += loss
            lossSquaredSum += loss * loss
            if let gradient {
                let g = gradient + b * classes
                let inverse = 1 / sum
                for j in 0..<classes {
                    g[j] = Foundation.exp(row[j] - maxValue) * inverse * gradientScale
                }
                g[label] -= gradientScale
            }
        }
        return (lossSum, lossSquaredSum, correct)
    }
}
