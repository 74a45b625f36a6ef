import Foundation
import Testing
@testable import Learning

/// Finite-difference checks of every layer type's backward pass (softmax cross-entropy included).
@Suite struct GradientCheckTests {
    /// Loss (mean over the batch) and its analytic gradient for the given inputs (NHWC).
    static func lossAndGradient(_ model: Model, _ parameters: [Float], inputs: [Float], labels: [Int32]) -> (Double, [Float]) {
        let batch = labels.count
        let workspace = Workspace(model: model, capacity: batch)
        workspace.load(inputs: inputs, labels: labels)
        var gradient = [Float](repeating: 0, count: model.parameterCount)
        var loss = 0.0
        parameters.withUnsafeBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                workspace.forward(parameters: p.baseAddress!, batch: batch)
                loss = workspace.loss(batch: batch, withGradient: true, gradientScale: 1 / Float(batch)).lossSum / Double(batch)
                workspace.backward(parameters: p.baseAddress!, gradient: g.baseAddress!, count: batch)
            }
        }
        return (loss, gradient)
    }

    /// Compares every parameter's analytic gradient with a central difference.
    static func check(_ layers: (inout LayerStack) -> Void, input: ActivationShape, classes: Int = 4, batch: Int = 3, seed: UInt64 = 7) {
        var stack = LayerStack(input: input)
        layers(&stack)
        stack.dense(classes)
        let model = Model(
            architecture: .mlp, sampleShape: [input.channels, input.height, input.width], classCount: classes, width: 1, layers: stack.layers
        )
        var rng = SplitMix64(seed: seed)
        let parameters = model.initialParameters(seed: seed, scheme: .pytorch).map { $0 * 3 }
        let inputs = (0..<(batch * input.size)).map { _ in Float(rng.nextNormal()) }
        let labels = (0..<batch).map { _ in Int32(rng.nextInt(below: classes)) }
        let (_, analytic) = lossAndGradient(model, parameters, inputs: inputs, labels: labels)
        let epsilon: Float = 1e-2
        var worst = 0.0
        for i in 0..<model.parameterCount {
            var plus = parameters
            plus[i] += epsilon
            var minus = parameters
            minus[i] -= epsilon
            let numeric = (lossAndGradient(model, plus, inputs: inputs, labels: labels).0
                - lossAndGradient(model, minus, inputs: inputs, labels: labels).0) / Double(2 * epsilon)
            let error = abs(numeric - Double(analytic[i])) / max(1e-2, abs(numeric) + abs(Double(analytic[i])))
            worst = max(worst, error)
        }
        #expect(worst < 0.02, "worst relative gradient error \(worst) for \(model.summary)")
    }

    @Test func dense() {
        Self.check({ $0.dense(5) }, input: ActivationShape(features: 6))
    }

    @Test func denseReLU() {
        Self.check({ $0.dense(7); $0.relu(); $0.dense(5); $0.relu() }, input: ActivationShape(features: 6))
    }

    @Test func convolutionWithPadding() {
        Self.check({ $0.conv(3, kernel: 3, padding: 1) }, input: ActivationShape(height: 5, width: 5, channels: 2))
    }

    @Test func stackedConvolutionsCheckInputGradient() {
        // The second convolution's input gradient flows into the first one's weights (col2im).
        Self.check(
            { $0.conv(3, kernel: 3, padding: 1); $0.relu(); $0.conv(2, kernel: 3, padding: 0) },
            input: ActivationShape(height: 6, width: 6, channels: 2)
        )
    }

    @Test func convolutionsWorkingOneSampleAtATime() {
        // 36 rows per step on a 6×6 map: each im2col + sgemm step takes one sample of the batch,
        // so the weight gradient accumulates across steps.
        Self.check(
            { $0.conv(3, kernel: 3, padding: 1, rowsPerStep: 36); $0.relu(); $0.conv(2, kernel: 3, padding: 0, rowsPerStep: 16) },
            input: ActivationShape(height: 6, width: 6, channels: 2), batch: 3
        )
    }

    @Test func stepSizeDoesNotChangeTheResult() {
        let input = ActivationShape(height: 6, width: 6, channels: 2)
        func model(rows: Int) -> Model {
            var stack = LayerStack(input: input)
            stack.conv(3, kernel: 3, padding: 1, rowsPerStep: rows); stack.maxPool(2); stack.relu(); stack.dense(4)
            return Model(architecture: .mlp, sampleShape: [2, 6, 6], classCount: 4, width: 1, layers: stack.layers)
        }
        let (whole, stepped) = (model(rows: 10_000), model(rows: 72))
        let parameters = whole.initialParameters(seed: 3)
        var rng = SplitMix64(seed: 5)
        let inputs = (0..<(5 * input.size)).map { _ in Float(rng.nextNormal()) }
        let labels: [Int32] = [0, 1, 2, 3, 1]
        let (lossA, gradientA) = Self.lossAndGradient(whole, parameters, inputs: inputs, labels: labels)
        let (lossB, gradientB) = Self.lossAndGradient(stepped, parameters, inputs: inputs, labels: labels)
        #expect(abs(lossA - lossB) < 1e-6)
        #expect(zip(gradientA, gradientB).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func maxPoolWithAWindowOfThreeAndUncoveredEdges() {
        // 7×7 → 2×2 windows of 3: the last row and column get no gradient.
        Self.check(
            { $0.conv(2, kernel: 3, padding: 1); $0.maxPool(3); $0.relu() },
            input: ActivationShape(height: 7, width: 7, channels: 1)
        )
    }

    @Test func maxPool() {
        Self.check(
            { $0.conv(3, kernel: 3, padding: 1); $0.maxPool(2); $0.relu() },
            input: ActivationShape(height: 6, width: 6, channels: 1)
        )
    }

    @Test func softmaxCrossEntropyGradientIsSoftmaxMinusOneHot() {
        let logits: [Float] = [1, 2, 0.5, -1]
        var gradient = [Float](repeating: 0, count: 4)
        let labels: [Int32] = [1]
        let (loss, squared, correct) = gradient.withUnsafeMutableBufferPointer { g in
            SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels, batch: 1, classes: 4, gradient: g.baseAddress!, gradientScale: 1)
        }
        let exps = logits.map { Foundation.exp(Double($0)) }
        let sum = exps.reduce(0, +)
        #expect(abs(loss - (log(sum) - 2)) < 1e-5)
        #expect(abs(squared - loss * loss) < 1e-9)
        #expect(correct == 1)
        for j in 0..<4 {
            let expected = exps[j] / sum - (j == 1 ? 1 : 0)
            #expect(abs(Double(gradient[j]) - expected) < 1e-5)
        }
    }

    @Test func largeLogitsStayFinite() {
        let logits: [Float] = [1000, -1000, 0]
        let (loss, _, _) = SoftmaxCrossEntropy.evaluate(logits: logits, labels: [Int32(1)], batch: 1, classes: 3, gradient: nil, gradientScale: 1)
        #expect(loss.isFinite)
        #expect(abs(loss - 2000) < 1e-2)
    }
}
