import Testing
import WireProtocol

@testable import Strategies

@Suite struct PowerOfChoiceSelectorTests {
    func state(losses: [Int: Double]) -> PowerOfChoiceSelector.State {
        PowerOfChoiceSelector.State(lastLoss: losses.mapValues { .init(loss: $0, round: 1) })
    }

    @Test(arguments: [3, 6, 10, 20])
    func keepsTheHighestLossOfTheDrawnCandidates(d: Int) async throws {
        let selector = try PowerOfChoiceSelector(parameters: .init(d: d))
        let candidates = (0..<20).map { Fixture.candidate($0, samples: 50 + 10 * $0) }
        // Loss rises with a scrambled order of the ids.
        let known = state(losses: Dictionary(uniqueKeysWithValues: (0..<20).map { ($0, Double(($0 * 7) % 20)) }))
        for seed in UInt64(0)..<20 {
            let context = Fixture.context(round: 4, candidates: candidates, runSeed: seed)
            let drawn = selector.candidateSet(context, k: 3)
            #expect(drawn.count == d && Set(drawn).count == d)
            let (selection, _) = try await selector.select(context, k: 3, state: known)
            let expected = drawn.sorted { known.lastLoss[$0]!.loss! > known.lastLoss[$1]!.loss! }.prefix(3)
            #expect(selection.clients == Array(expected), "seed \(seed): drew \(drawn)")
        }
    }

    @Test func dIsTwoKByDefaultAndKeptWithinKAndTheCandidates() throws {
        let defaults = try PowerOfChoiceSelector()
        #expect(defaults.parameters.candidateSetSize(k: 4, candidates: 50) == 8)
        #expect(defaults.parameters.candidateSetSize(k: 30, candidates: 50) == 50)
        #expect(PowerOfChoiceParameters(d: 2).candidateSetSize(k: 4, candidates: 50) == 4)
        #expect(throws: StrategyError.self) { try PowerOfChoiceSelector(parameters: .init(d: 0)) }
        #expect(defaults.descriptor.parameters["d"] == .null)
    }

    @Test func neverSeenClientsRankFirstThenTheHighestLossTiesByID() async throws {
        let selector = try PowerOfChoiceSelector(parameters: .init(d: 6))
        let candidates = (0..<6).map { Fixture.candidate($0) }
        var known = state(losses: [0: 0.5, 1: 2.0, 3: 2.0, 5: 0.1])
        let (selection, _) = try await selector.select(Fixture.context(round: 3, candidates: candidates), k: 4, state: known)
        #expect(selection.clients == [2, 4, 1, 3])
        #expect(selection.rationale.contains("2 never reported"))
        // Without a usable loss (excluded or missing last time), after every known loss.
        known.lastLoss[2] = .init(loss: nil, round: 2)
        known.lastLoss[4] = .init(loss: nil, round: 2)
        let (after, _) = try await selector.select(Fixture.context(round: 3, candidates: candidates), k: 6, state: known)
        #expect(after.clients == [1, 3, 0, 5, 2, 4])
        #expect(after.rationale.contains("2 without a usable loss"))
    }

    @Test func drawsInProportionToDataSize() async throws {
        // d = K = 1: the draw is the selection. Client 0 holds 1000 of 1190 samples.
        let selector = try PowerOfChoiceSelector(parameters: .init(d: 1))
        let candidates = [Fixture.candidate(0, samples: 1000)] + (1..<20).map { Fixture.candidate($0, samples: 10) }
        var zero = 0
        for seed in UInt64(0)..<500 {
            let (selection, _) = try await selector.select(Fixture.context(round: 1, candidates: candidates, runSeed: seed), k: 1, state: selector.initialState())
            if selection.clients == [0] { zero += 1 }
        }
        // Expected 500 × 1000 / 1190 ≈ 420.
        #expect(zero > 380 && zero < 460, "client 0 drawn \(zero) of 500 times")
    }

    @Test func lossesComeFromMergedAndLateUpdatesAndStayUntilTheClientTakesPartAgain() throws {
        let selector = try PowerOfChoiceSelector()
        var state = selector.observe(
            RoundFeedback(round: 1, testAccuracy: 0, testLoss: 0, outcomes: [
                Fixture.merged(1, loss: 0.7), Fixture.outcome(2, .late, loss: 0.9), Fixture.outcome(3, .excluded, loss: 9),
                Fixture.outcome(4, .missing),
            ]), state: selector.initialState())
        #expect(state.lastLoss == [
            1: .init(loss: 0.7, round: 1), 2: .init(loss: 0.9, round: 1), 3: .init(loss: nil, round: 1), 4: .init(loss: nil, round: 1),
        ])
        state = selector.observe(RoundFeedback(round: 2, testAccuracy: 0, testLoss: 0, outcomes: [Fixture.merged(2, loss: 0.4)]), state: state)
        #expect(state.lastLoss[1] == .init(loss: 0.7, round: 1))
        #expect(state.lastLoss[2] == .init(loss: 0.4, round: 2))
    }
}
