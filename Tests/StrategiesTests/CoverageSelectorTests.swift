import Testing
import WireProtocol

@testable import Strategies

@Suite struct CoverageSelectorTests {
    /// A histogram over 10 labels holding `count` samples of `label`.
    func only(_ label: Int, _ count: Int) -> [Int] {
        (0..<10).map { $0 == label ? count : 0 }
    }

    @Test func coversEveryLabelWhereLargeClientsHoldOnlyTwo() async throws {
        let selector = try CoverageSelector()
        // 20 large clients hold labels 0 and 1 only; 10 small ones hold one of labels 2–9 each.
        let candidates = (0..<20).map { Fixture.candidate($0, samples: 300, labels: only($0 % 2, 300)) }
            + (20..<30).map { Fixture.candidate($0, samples: 50, labels: only(2 + ($0 - 20) % 8, 50)) }
        let (selection, _) = try await selector.select(Fixture.context(round: 1, candidates: candidates), k: 10, state: selector.initialState())
        let labels = Set(selection.clients.map { id in candidates[id].labelHistogram.firstIndex { $0 > 0 }! })
        #expect(labels == Set(0..<10), "\(selection.clients)")
        #expect(selection.rationale.contains("hold 10 of 10 labels"), "\(selection.rationale)")
    }

    @Test func theFairnessTermRotatesAmongEqualClients() async throws {
        let selector = try CoverageSelector()
        let candidates = (0..<20).map { Fixture.candidate($0, labels: [25, 25, 25, 25]) }
        var state = selector.initialState()
        var seen: Set<Int> = []
        for round in 1...4 {
            let (selection, next) = try await selector.select(Fixture.context(round: round, candidates: candidates), k: 5, state: state)
            #expect(seen.isDisjoint(with: selection.clients), "round \(round) chose \(selection.clients) again")
            seen.formUnion(selection.clients)
            state = selector.observe(
                RoundFeedback(round: round, testAccuracy: 0, testLoss: 0, outcomes: selection.clients.map { Fixture.merged($0, loss: 1) }), state: next)
        }
        #expect(seen == Set(0..<20))
        #expect(state.rounds == 4 && state.participations.values.allSatisfy { $0 == 1 })
    }

    @Test func aLargeFairnessWeightOutweighsCoverage() async throws {
        // Client 0 alone holds label 1, but took part in every round so far.
        let candidates = [Fixture.candidate(0, labels: [0, 100])] + (1..<6).map { Fixture.candidate($0, labels: [100, 0]) }
        let state = CoverageSelector.State(participations: [0: 5], rounds: 5)
        let gentle = try await CoverageSelector().select(Fixture.context(round: 6, candidates: candidates), k: 2, state: state).0
        #expect(gentle.clients.contains(0))
        let strict = try await CoverageSelector(parameters: .init(fairnessWeight: 2)).select(Fixture.context(round: 6, candidates: candidates), k: 2, state: state).0
        #expect(!strict.clients.contains(0))
        #expect(throws: StrategyError.self) { try CoverageSelector(parameters: .init(fairnessWeight: -1)) }
    }
}
