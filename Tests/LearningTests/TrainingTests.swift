import Foundation
import Testing
@testable import Learning

@Suite struct TrainingTests {
    /// Four classes of 1×6×6 images, each a bright quadrant plus noise.
    static func quadrants(count: Int, seed: UInt64) throws -> Dataset {
        var rng = SplitMix64(seed: seed)
        var features = [Float]()
        var labels = [Int32]()
        for _ in 0..<count {
            let label = rng.nextInt(below: 4)
            labels.append(Int32(label))
            for y in 0..<6 {
                for x in 0..<6 {
                    let quadrant = (y / 3) * 2 + x / 3
                    features.append((quadrant == label ? 1 : 0) + Float(rng.nextNormal() * 0.3))
                }
            }
        }
        return try Dataset(sampleShape: [1, 6, 6], classCount: 4, features: features, labels: labels)
    }

    @Test(arguments: [ModelArchitecture.mlp, .cnn])
    func localTrainingLearnsAndIsReproducible(architecture: ModelArchitecture) throws {
        let data = try Self.quadrants(count: 256, seed: 1)
        let model = try makeModel(architecture, inputShape: [1, 6, 6], classes: 4, width: 0.25)
        let initial = model.initialParameters(seed: 3)
        let before = try Evaluator(model: model).evaluate(parameters: initial, on: data)
        let configuration = TrainingConfiguration(localEpochs: 3, batchSize: 16, learningRate: 0.05, optimizer: .sgd(momentum: 0.9, weightDecay: 1e-4))
        let trainer = LocalTrainer(model: model)
        let a = try trainer.train(global: initial, data: data, indices: Array(0..<256), configuration: configuration, seed: 9)
        let b = try trainer.train(global: initial, data: data, indices: Array(0..<256), configuration: configuration, seed: 9)
        #expect(a.parameters == b.parameters)
        #expect(a.sampleCount == 256)
        #expect(a.steps == 48)
        // The last epoch's per-example losses: every sample once, below the all-epoch mean (it
        // learns), and squares at least the square of the mean (Jensen).
        #expect(a.lastEpoch.count == 256)
        #expect(a.lastEpoch.mean < a.meanLoss)
        #expect(a.lastEpoch.squaredSum >= a.lastEpoch.sum * a.lastEpoch.sum / 256 - 1e-9)
        #expect(a.lastEpoch == b.lastEpoch)
        let after = try Evaluator(model: model).evaluate(parameters: a.parameters, on: data)
        #expect(after.accuracy > 0.9)
        #expect(after.loss < before.loss)
    }

    @Test(arguments: [ModelArchitecture.mlp, .cnn])
    func shardsGiveTheSameNumbersOnOneThreadOrSeveral(architecture: ModelArchitecture) throws {
        BLASThreads.set(1) // as a simulation leaves it; otherwise the shards run one after another
        let data = try Self.quadrants(count: 100, seed: 4)
        let model = try makeModel(architecture, inputShape: [1, 6, 6], classes: 4, width: 0.25)
        let initial = model.initialParameters(seed: 5)
        // 100 samples in batches of 16 (the last one 4), each split into 3 shards.
        let configuration = TrainingConfiguration(localEpochs: 2, batchSize: 16, learningRate: 0.05, batchShards: 3)
        let serial = try LocalTrainer(model: model, threads: 1).train(
            global: initial, data: data, indices: Array(0..<100), configuration: configuration, seed: 2)
        let parallel = try LocalTrainer(model: model, threads: 3).train(
            global: initial, data: data, indices: Array(0..<100), configuration: configuration, seed: 2)
        #expect(serial.parameters == parallel.parameters)
        #expect(serial.meanLoss == parallel.meanLoss)
        #expect(serial.steps == 14)
        // Unsharded differs only by float rounding.
        var whole = configuration
        whole.batchShards = 1
        let unsharded = try LocalTrainer(model: model).train(
            global: initial, data: data, indices: Array(0..<100), configuration: whole, seed: 2)
        #expect(zip(unsharded.parameters, serial.parameters).allSatisfy { abs($0 - $1) < 1e-4 })
        #expect(abs(unsharded.meanLoss - serial.meanLoss) < 1e-5)

        let one = try Evaluator(model: model, batchSize: 7, threads: 1).evaluate(parameters: serial.parameters, on: data)
        let three = try Evaluator(model: model, batchSize: 7, threads: 3).evaluate(parameters: serial.parameters, on: data)
        #expect(one == three)
    }

    @Test func initializationSchemesDifferOnlyInScale() throws {
        let model = try makeModel(.cnn, inputShape: [1, 8, 8], classes: 3, width: 0.25)
        let he = model.initialParameters(seed: 4)
        let torch = model.initialParameters(seed: 4, scheme: .pytorch)
        #expect(he.count == model.parameterCount && torch.count == model.parameterCount)
        for (layer, offset) in zip(model.layers, model.parameterOffsets) where layer.parameterCount > 0 {
            let fanIn: Int
            switch layer {
            case let conv as Conv2DLayer: fanIn = conv.columns
            case let dense as DenseLayer: fanIn = dense.inputs
            default: continue
            }
            let weights = offset..<(offset + layer.parameterCount - layer.outputShape.channels)
            let biases = weights.upperBound..<(offset + layer.parameterCount)
            let bound = 1 / Float(fanIn).squareRoot()
            #expect(torch[offset..<biases.upperBound].allSatisfy { abs($0) <= bound })
            #expect(biases.allSatisfy { he[$0] == 0 })
            #expect(weights.allSatisfy { abs(he[$0] - torch[$0] * Float(6).squareRoot()) <= 1e-6 })
            #expect(weights.contains { abs(he[$0]) > bound }, "He weights reach beyond PyTorch's bound")
        }
    }

    @Test func shardRangesCoverTheBatchInOrder() {
        #expect(ShardRunner.ranges(count: 32, parts: 2) == [0..<16, 16..<32])
        #expect(ShardRunner.ranges(count: 7, parts: 3) == [0..<3, 3..<5, 5..<7])
        #expect(ShardRunner.ranges(count: 2, parts: 4) == [0..<1, 1..<2])
    }

    @Test func shardCountMustBePositive() {
        let model = try! makeModel(.mlp, inputShape: [1, 6, 6], classes: 4, width: 0.1)
        #expect(throws: TrainingError.invalidConfiguration("batch shards must be positive, got 0")) {
            try LocalTrainer(model: model).train(
                global: model.initialParameters(seed: 1), data: try Self.quadrants(count: 8, seed: 1), indices: Array(0..<8),
                configuration: TrainingConfiguration(batchShards: 0), seed: 1)
        }
    }

    @Test func adamLearns() throws {
        let data = try Self.quadrants(count: 256, seed: 2)
        let model = try makeModel(.mlp, inputShape: [1, 6, 6], classes: 4, width: 0.1)
        let result = try LocalTrainer(model: model).train(
            global: model.initialParameters(seed: 1), data: data, indices: Array(0..<256),
            configuration: TrainingConfiguration(localEpochs: 3, batchSize: 32, learningRate: 0.01, optimizer: .defaultAdam), seed: 1
        )
        #expect(try Evaluator(model: model).evaluate(parameters: result.parameters, on: data).accuracy > 0.9)
    }

    @Test func proximalTermKeepsTheUpdateCloserToTheGlobalModel() throws {
        let data = try Self.quadrants(count: 128, seed: 3)
        let model = try makeModel(.mlp, inputShape: [1, 6, 6], classes: 4, width: 0.1)
        let global = model.initialParameters(seed: 2)
        func drift(_ mu: Float) throws -> Float {
            let result = try LocalTrainer(model: model).train(
                global: global, data: data, indices: Array(0..<128),
                configuration: TrainingConfiguration(localEpochs: 5, batchSize: 8, learningRate: 0.1, proximalMu: mu), seed: 4
            )
            return zip(result.parameters, global).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
        }
        #expect(try drift(1.0) < 0.8 * drift(0))
    }

    @Test func clippingWithAHighNormMatchesBatchGradientsAndALowNormSlowsTraining() throws {
        let data = try Self.quadrants(count: 64, seed: 4)
        let model = try makeModel(.cnn, inputShape: [1, 6, 6], classes: 4, width: 0.25)
        let global = model.initialParameters(seed: 5)
        func train(_ clipping: PerExampleClipping?) throws -> [Float] {
            try LocalTrainer(model: model).train(
                global: global, data: data, indices: Array(0..<64),
                configuration: TrainingConfiguration(localEpochs: 1, batchSize: 16, learningRate: 0.05, clipping: clipping), seed: 6
            ).parameters
        }
        let plain = try train(nil)
        let loose = try train(PerExampleClipping(maxNorm: 1e6))
        let tight = try train(PerExampleClipping(maxNorm: 1e-3))
        let looseError = zip(plain, loose).map { abs($0 - $1) }.max() ?? 0
        #expect(looseError < 1e-4)
        let tightMove = zip(tight, global).map { abs($0 - $1) }.max() ?? 0
        // 4 steps of lr 0.05 with each averaged gradient's norm ≤ 1e-3.
        #expect(tightMove <= 4 * 0.05 * 1e-3 + 1e-6)
    }

    @Test func subModelIsTheLeadingSliceOfTheFullModel() throws {
        // Zero every full-model parameter outside the slice: the full model must then compute
        // exactly what the sub-model computes.
        for architecture in [ModelArchitecture.mlp, .cnn] {
            let full = try makeModel(architecture, inputShape: [1, 6, 6], classes: 4)
            let sub = try makeModel(architecture, inputShape: [1, 6, 6], classes: 4, width: 0.5)
            let slicing = try ParameterSlicing(full: full, sub: sub)
            let subParameters = sub.initialParameters(seed: 8)
            var fullParameters = [Float](repeating: 0, count: full.parameterCount)
            for (value, index) in zip(subParameters, slicing.fullIndices) { fullParameters[index] = value }
            #expect(slicing.extract(from: fullParameters) == subParameters)
            let data = try Self.quadrants(count: 20, seed: 9)
            let a = try Evaluator(model: full).evaluate(parameters: fullParameters, on: data)
            let b = try Evaluator(model: sub).evaluate(parameters: subParameters, on: data)
            #expect(abs(a.loss - b.loss) < 1e-5)
            #expect(a.accuracy == b.accuracy)
        }
    }

    @Test func mcMahanCNNHasThePublishedParameterCount() throws {
        #expect(try makeModel(.cnn, inputShape: [1, 28, 28], classes: 10).parameterCount == 1_663_370)
        #expect(try makeModel(.mlp, inputShape: [1, 28, 28], classes: 10).parameterCount == 199_210)
        #expect(try makeModel(.cifarCNN, inputShape: [3, 32, 32], classes: 10).parameterCount > 100_000)
        // The source paper's two models, with the parameter counts its PyTorch code has.
        #expect(try makeModel(.paperCNN, inputShape: [1, 28, 28], classes: 10).parameterCount == 421_642)
        #expect(try makeModel(.lenet, inputShape: [3, 32, 32], classes: 10).parameterCount == 62_006)
    }

    @Test func badInputsAreTypedErrors() throws {
        let model = try makeModel(.mlp, inputShape: [1, 6, 6], classes: 4)
        let data = try Self.quadrants(count: 8, seed: 1)
        let trainer = LocalTrainer(model: model)
        #expect(throws: TrainingError.parameterCountMismatch(expected: model.parameterCount, actual: 3)) {
            try trainer.train(global: [1, 2, 3], data: data, indices: [0], configuration: TrainingConfiguration(), seed: 1)
        }
        #expect(throws: TrainingError.indexOutOfRange(index: 8, count: 8)) {
            try trainer.train(global: model.initialParameters(seed: 1), data: data, indices: [8], configuration: TrainingConfiguration(), seed: 1)
        }
        #expect(throws: ModelError.invalidWidth(0)) { try makeModel(.mlp, inputShape: [1, 6, 6], classes: 4, width: 0) }
        #expect(throws: (any Error).self) { try makeModel(.cnn, inputShape: [1, 2, 2], classes: 4) }
    }
}
