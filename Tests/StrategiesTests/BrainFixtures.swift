import Strategies
import WireProtocol

/// Candidates, contexts and outcomes for the brains' tests.
enum Fixture {
    /// A candidate whose declared duration is `seconds` for one local epoch.
    static func candidate(
        _ id: Int, ask: Double = 1, samples: Int = 100, labels: [Int] = [50, 50], seconds: Double = 0.1
    ) -> Candidate {
        Candidate(
            clientID: id, askPrice: ask, sampleCount: samples, labelHistogram: labels,
            samplesPerSecond: Double(samples) / seconds, memoryMiB: 1024, availability: 1)
    }

    static func context(
        round: Int, candidates: [Candidate], configuredK: Int = 4, kBounds: ClosedRange<Int> = 1...100,
        budget: Double = 1000, history: [Double] = [], runSeed: UInt64 = 7
    ) -> PlanningContext {
        PlanningContext(
            round: round, totalRounds: 100, runSeed: runSeed, candidates: candidates, totalClients: candidates.count,
            kBounds: kBounds, configuredK: configuredK, budget: budget, localEpochs: 1, accuracyHistory: history)
    }

    /// A merged update whose every last-epoch example had loss `loss`: statistical utility
    /// `examples × loss`.
    static func merged(_ id: Int, loss: Double, examples: Int = 100, seconds: Double? = nil) -> ClientOutcome {
        ClientOutcome(
            clientID: id, status: .merged, sampleCount: examples, meanLoss: loss, lastEpochExamples: examples,
            lastEpochLossSum: Double(examples) * loss, lastEpochLossSquaredSum: Double(examples) * loss * loss,
            trainingSeconds: seconds, arrivalSeconds: seconds)
    }

    static func outcome(_ id: Int, _ status: ClientOutcome.Status, loss: Double = 1, examples: Int = 100) -> ClientOutcome {
        var outcome = merged(id, loss: loss, examples: examples)
        outcome.status = status
        if status == .missing {
            outcome = ClientOutcome(clientID: id, status: .missing)
        }
        if status == .excluded { outcome.reason = "refused by the test" }
        return outcome
    }
}
