import Foundation
import Testing
@testable import Learning

@Suite struct DifferentialPrivacyTrainingTests {
    let data: Dataset
    let model: Model
    let global: [Float]

    init() throws {
        data = try TrainingTests.quadrants(count: 200, seed: 11)
        model = try makeModel(.mlp, inputShape: [1, 6, 6], classes: 4, width: 0.25)
        global = model.initialParameters(seed: 12)
    }

    func dpSGD(rate: Double = 0.1, sigma: Double = 1, epochs: Int = 2) -> TrainingConfiguration {
        TrainingConfiguration(
            localEpochs: epochs, batchSize: 20, learningRate: 0.1,
            clipping: PerExampleClipping(maxNorm: 1, hook: GaussianNoise(noiseMultiplier: sigma, clipNorm: 1)),
            sampling: .poisson(rate: rate))
    }

    func train(_ configuration: TrainingConfiguration, seed: UInt64 = 1, privateSeed: UInt64?) throws -> LocalTrainingResult {
        try LocalTrainer(model: model).train(
            global: global, data: data, indices: Array(0..<200), configuration: configuration, seed: seed, privateSeed: privateSeed)
    }

    /// Poisson sampling takes round(1/q) steps an epoch, exactly what the accountant charges, and
    /// its batches vary in size around q·n.
    @Test func poissonSamplingTakesOneOverQStepsAnEpoch() throws {
        let result = try train(dpSGD(rate: 0.1, epochs: 2), privateSeed: 7)
        #expect(result.steps == 20)
        #expect(BatchSampling.poisson(rate: 0.1).stepsPerEpoch(sampleCount: 200, batchSize: 20) == 10)
        #expect(BatchSampling.poisson(rate: 0.3).stepsPerEpoch(sampleCount: 200, batchSize: 20) == 3)
        // Examples seen in the last epoch: 10 draws of Binomial(200, 0.1), mean 200, sd ≈ 13.4.
        #expect(abs(result.lastEpoch.count - 200) < 80, "\(result.lastEpoch.count)")
        #expect(result.lastEpoch.count != 200 || result.meanLoss.isFinite)
    }

    /// The noise and the batches come from the private seed alone: the same private seed repeats
    /// the update, another one (with the same public seed) changes it, so holding the run seed is
    /// not enough to regenerate the noise.
    @Test func theNoiseFollowsThePrivateSeedNotThePublicOne() throws {
        let a = try train(dpSGD(), seed: 1, privateSeed: 100)
        let b = try train(dpSGD(), seed: 1, privateSeed: 100)
        let c = try train(dpSGD(), seed: 1, privateSeed: 101)
        let d = try train(dpSGD(), seed: 2, privateSeed: 100)
        #expect(a.parameters == b.parameters)
        #expect(a.parameters != c.parameters)
        // Poisson batches and noise ignore the public seed.
        #expect(a.parameters == d.parameters)
    }

    /// With σ = 0 the noise vanishes; large σ moves the parameters much further than the
    /// clipped gradients alone could (each step's clipped mean has norm ≤ C·|B|/(q·n)).
    @Test func noiseOfTheStatedScaleIsAdded() throws {
        let quiet = try train(dpSGD(sigma: 1e-9, epochs: 1), privateSeed: 5)
        let loud = try train(dpSGD(sigma: 50, epochs: 1), privateSeed: 5)
        func distance(_ p: [Float]) -> Double { zip(p, global).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +).squareRoot() }
        // 10 steps of lr 0.1 with clipped means of norm ≤ about 1.5 (batches up to ~1.5 q·n).
        #expect(distance(quiet.parameters) < 10 * 0.1 * 2)
        // Noise per step: lr · σC/(q·n) · sqrt(d) ≈ 0.1 · 50/20 · sqrt(d).
        let d = Double(global.count)
        #expect(distance(loud.parameters) > 0.5 * 0.1 * 50 / 20 * d.squareRoot() * 10.0.squareRoot())
    }

    @Test func poissonSamplingWithoutClippingIsRefused() {
        let configuration = TrainingConfiguration(sampling: .poisson(rate: 0.1))
        #expect(throws: TrainingError.self) { try configuration.validate() }
        #expect(throws: TrainingError.self) {
            try TrainingConfiguration(clipping: PerExampleClipping(maxNorm: 1), sampling: .poisson(rate: 0)).validate()
        }
    }

    /// Client-level DP clips the change from the global model to C before adding noise.
    @Test func updateNoiseClipsTheChangeToC() {
        let global: [Float] = [0, 0, 0, 0]
        let trained: [Float] = [3, 4, 0, 0] // change of norm 5
        var rng = SplitMix64(seed: 1)
        let (clipped, norm) = UpdateNoise(noiseMultiplier: 0, clipNorm: 1).apply(trained: trained, global: global, rng: &rng)
        #expect(norm == 5)
        #expect(abs(clipped[0] - 0.6) < 1e-6 && abs(clipped[1] - 0.8) < 1e-6)
        let (small, _) = UpdateNoise(noiseMultiplier: 0, clipNorm: 10).apply(trained: trained, global: global, rng: &rng)
        #expect(small == trained)
        var a = SplitMix64(seed: 2)
        var b = SplitMix64(seed: 2)
        let noisy = UpdateNoise(noiseMultiplier: 2, clipNorm: 1)
        #expect(noisy.apply(trained: trained, global: global, rng: &a).parameters == noisy.apply(trained: trained, global: global, rng: &b).parameters)
    }
}

@Suite struct ClientSummaryTests {
    @Test func giniIsZeroForEqualAndGrowsWithConcentration() {
        #expect(FairnessSummary.gini([]) == 0)
        #expect(FairnessSummary.gini([0, 0]) == 0)
        #expect(FairnessSummary.gini([3, 3, 3]) == 0)
        // One of n holds everything: (n − 1) / n.
        #expect(abs(FairnessSummary.gini([0, 0, 0, 8]) - 0.75) < 1e-12)
        #expect(abs(FairnessSummary.gini([1, 2, 3, 4]) - 0.25) < 1e-12)
    }

    @Test func summariesCountWinsPaymentsSpendAndReasons() {
        func round(_ n: Int, selected: [Int], merged: [Int], payments: [String: Double], epsilon: [String: Double]?,
                   declined: [String: String]?, missed: [String: String]?, samples: [String: Int]? = nil) -> ResultsDocument.Round {
            ResultsDocument.Round(
                round: n, k: selected.count, selected: selected, merged: merged, testAccuracy: 0.5, testLoss: 1, trainLoss: nil,
                bytesUp: 0, bytesDown: 0, seconds: 1, clearingPrice: 1, payments: payments, declined: declined, missed: missed,
                epsilon: epsilon, samples: samples)
        }
        let rounds = [
            round(1, selected: [0, 1], merged: [0], payments: ["0": 2, "1": 2], epsilon: ["0": 1.5], declined: nil, missed: ["1": "missing"],
                  samples: ["0": 100]),
            round(2, selected: [0], merged: [0], payments: ["0": 3], epsilon: ["0": 2.5], declined: ["1": "privacy budget", "2": "privacy budget"], missed: nil,
                  samples: ["0": 150]),
        ]
        let summaries = ClientSummary.summaries(of: rounds, clients: 3)
        var first = ClientSummary(client: 0, selected: 2, merged: 2, payments: 5, epsilon: 2.5, missed: [:], declined: [:])
        first.samplesMerged = 250
        #expect(summaries[0] == first)
        #expect(summaries[0].paymentPerSample == 0.02)
        // Paid for nothing it contributed: no payment per sample, left out of that Gini.
        #expect(summaries[1].samplesMerged == 0 && summaries[1].paymentPerSample == nil)
        #expect(summaries[1] == ClientSummary(client: 1, selected: 1, merged: 0, payments: 2, epsilon: nil, missed: ["missing": 1], declined: ["privacy budget": 1]))
        #expect(summaries[2].declined == ["privacy budget": 1])
        #expect(FairnessSummary(summaries).neverMerged == 2)
        #expect(FairnessSummary(summaries).paymentPerSampleGini == 0)
        let decoded = try? JSONDecoder().decode(ClientSummary.self, from: JSONEncoder().encode(summaries[0]))
        #expect(decoded == summaries[0])
    }
}
