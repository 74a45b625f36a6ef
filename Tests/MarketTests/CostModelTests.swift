import Learning
import Foundation
import Testing
@testable import Market

@Suite struct CostModelTests {
    @Test func addsUpComputeEnergyBandwidthPrivacyAndTheFixedCost() throws {
        let model = try CostModel(pricePerSecond: 2, powerWatts: 20, pricePerJoule: 0.01, pricePerByte: 1e-6, pricePerEpsilon: 3, fixedCost: 0.5)
        let work = try RoundWork(seconds: 10, bytesUploaded: 400_000, bytesDownloaded: 600_000, epsilon: 0.5)
        let parts = model.breakdown(for: work)
        #expect(parts == CostBreakdown(compute: 20, energy: 2, bandwidth: 1, privacy: 1.5, fixed: 0.5))
        #expect(model.cost(for: work) == 25)
    }

    @Test func theDocumentedDefaults() throws {
        let defaults = try CostModel()
        #expect(defaults == .standard)
        #expect(defaults.pricePerSecond == 1 && defaults.powerWatts == 10 && defaults.pricePerJoule == 0.001)
        #expect(defaults.pricePerByte == 1e-7 && defaults.pricePerEpsilon == 1 && defaults.fixedCost == 0)
        // One second, one megabyte each way, ε = 0.5: 1 + 0.01 + 0.2 + 0.5.
        let work = try RoundWork(seconds: 1, bytesUploaded: 1_000_000, bytesDownloaded: 1_000_000, epsilon: 0.5)
        #expect(abs(defaults.cost(for: work) - 1.71) < 1e-12)
        let decoded = try JSONDecoder().decode(CostModel.self, from: Data("{}".utf8))
        #expect(decoded == .standard, "missing keys take the defaults")
    }

    /// `computeOnly()` is the guardian's present `CostBasedBidding` formula, 0.5 + samples · epochs
    /// / max(speed, 1), before that one rounds to 1/1000.
    @Test func computeOnlyIsTodaysCostBasedFormula() throws {
        let model = try CostModel.computeOnly()
        for (samples, epochs, speed) in [(600, 1, 300.0), (1_000, 3, 2_950), (0, 2, 1_000), (50, 1, 0)] {
            let work = try RoundWork.training(sampleCount: samples, localEpochs: epochs, samplesPerSecond: speed)
            let legacy = 0.5 + 1 * (Double(samples * epochs) / max(speed, 1))
            #expect(model.cost(for: work) == legacy)
        }
    }

    @Test func invalidParametersAndWorkAreNamed() {
        #expect(throws: CostModelError.invalidParameter(name: "powerWatts", value: -1)) { try CostModel(powerWatts: -1) }
        #expect(throws: CostModelError.invalidParameter(name: "pricePerByte", value: .infinity)) { try CostModel(pricePerByte: .infinity) }
        #expect(throws: CostModelError.self) { try CostModel(pricePerEpsilon: .nan) }
        #expect(throws: CostModelError.invalidWork(field: "seconds", value: -2)) { try RoundWork(seconds: -2) }
        #expect(throws: CostModelError.invalidWork(field: "bytesUploaded", value: -5)) { try RoundWork(seconds: 1, bytesUploaded: -5) }
        #expect(throws: CostModelError.invalidWork(field: "epsilon", value: .infinity)) { try RoundWork(seconds: 1, epsilon: .infinity) }
        #expect(throws: CostModelError.invalidWork(field: "sampleCount", value: -1)) {
            try RoundWork.training(sampleCount: -1, localEpochs: 1, samplesPerSecond: 10)
        }
        #expect(CostModelError.invalidParameter(name: "powerWatts", value: -1).description == "cost model powerWatts must be a finite number ≥ 0, got -1.0")
    }

    @Test func codableRoundTripsAndRechecks() throws {
        let model = try CostModel(pricePerSecond: 0.5, powerWatts: 4, pricePerJoule: 0.002, pricePerByte: 0, pricePerEpsilon: 2, fixedCost: 0.1)
        #expect(try JSONDecoder().decode(CostModel.self, from: JSONEncoder().encode(model)) == model)
        let work = try RoundWork(seconds: 3, bytesUploaded: 10, bytesDownloaded: 20, epsilon: 0.25)
        #expect(try JSONDecoder().decode(RoundWork.self, from: JSONEncoder().encode(work)) == work)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(CostModel.self, from: Data(#"{"pricePerSecond":-1}"#.utf8)) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(RoundWork.self, from: Data(#"{"seconds":-1}"#.utf8)) }
    }

    /// The cost is monotone in every kind of work: more of anything never costs less.
    @Test func moreWorkNeverCostsLess() throws {
        var rng = SplitMix64(seed: 21)
        for _ in 0..<500 {
            let model = try CostModel(
                pricePerSecond: .random(in: 0...3, using: &rng), powerWatts: .random(in: 0...50, using: &rng),
                pricePerJoule: .random(in: 0...0.01, using: &rng), pricePerByte: .random(in: 0...1e-6, using: &rng),
                pricePerEpsilon: .random(in: 0...5, using: &rng), fixedCost: .random(in: 0...1, using: &rng))
            let s = Double.random(in: 0...100, using: &rng), e = Double.random(in: 0...2, using: &rng)
            let up = Int.random(in: 0...10_000_000, using: &rng), down = Int.random(in: 0...10_000_000, using: &rng)
            let base = model.cost(for: try RoundWork(seconds: s, bytesUploaded: up, bytesDownloaded: down, epsilon: e))
            #expect(base >= model.fixedCost)
            for more in [
                try RoundWork(seconds: s * 1.5 + 1, bytesUploaded: up, bytesDownloaded: down, epsilon: e),
                try RoundWork(seconds: s, bytesUploaded: up * 2 + 1, bytesDownloaded: down, epsilon: e),
                try RoundWork(seconds: s, bytesUploaded: up, bytesDownloaded: down + 1_000, epsilon: e),
                try RoundWork(seconds: s, bytesUploaded: up, bytesDownloaded: down, epsilon: e + 0.1),
            ] {
                #expect(model.cost(for: more) >= base)
            }
        }
    }
}
