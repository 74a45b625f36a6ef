import Foundation
import Strategies
import Testing
import WireProtocol

@Suite struct ComposedStrategyTests {
    func context(round: Int = 1, candidates: [Int], kBounds: ClosedRange<Int> = 1...100) -> PlanningContext {
        PlanningContext(
            round: round, totalRounds: 10, runSeed: 7,
            candidates: candidates.map {
                Candidate(clientID: $0, askPrice: 1, sampleCount: 100, labelHistogram: [50, 50], samplesPerSecond: 1000, memoryMiB: 1024, availability: 1)
            },
            totalClients: candidates.count, kBounds: kBounds, configuredK: 4, budget: 1000, localEpochs: 1, accuracyHistory: [])
    }

    @Test func randomWithFixedKDrawsKDistinctCandidatesReproducibly() async throws {
        var first = StrategyRunner(ComposedStrategy(kAgent: FixedK(4), selector: RandomSelector()))
        var second = first
        let a = try await first.plan(context(candidates: Array(0..<20)))
        let b = try await second.plan(context(candidates: Array(0..<20)))
        #expect(a.plan == b.plan)
        #expect(a.plan.k == 4)
        #expect(Set(a.plan.selected).count == 4)
        #expect(a.stateBefore == a.stateAfter)
        #expect(first.descriptor.name == "random+k-fixed")
    }

    @Test func kIsClampedToTheBoundsAndTheCandidates() async throws {
        var runner = StrategyRunner(ComposedStrategy(kAgent: FixedK(50), selector: RandomSelector()))
        let few = try await runner.plan(context(candidates: [3, 5, 9]))
        #expect(few.plan.k == 3)
        #expect(few.plan.selected.sorted() == [3, 5, 9])
        #expect(few.plan.kRationale.contains("clamped from 50 to 3"))
        let bounded = try await runner.plan(context(candidates: Array(0..<20), kBounds: 2...6))
        #expect(bounded.plan.k == 6)
    }

    /// A selector that answers whatever it is given, to test the seam's checks.
    struct Scripted: ClientSelector {
        struct State: Codable, Sendable, Equatable {}
        let answer: [Int]
        var descriptor: StrategyDescriptor { StrategyDescriptor(name: "scripted", version: 1) }
        func initialState() -> State { State() }
        func select(_ context: PlanningContext, k: Int, state: State) async throws -> (Selection, State) {
            (Selection(clients: answer, rationale: "scripted"), state)
        }
        func observe(_ feedback: RoundFeedback, state: State) -> State { state }
    }

    @Test(arguments: [
        ([1, 2, 99], "did not bid"),
        ([1, 1, 2], "chosen twice"),
        ([1, 2], "2 clients chosen, K is 3"),
    ])
    func anInvalidSelectionIsRefusedWithItsReason(answer: [Int], reason: String) async throws {
        var runner = StrategyRunner(ComposedStrategy(kAgent: FixedK(3), selector: Scripted(answer: answer)))
        do {
            _ = try await runner.plan(context(candidates: Array(0..<10)))
            Issue.record("\(answer) was accepted")
        } catch let error as StrategyError {
            #expect(error.description.contains(reason), "\(error)")
        }
    }

    @Test func aStateThatDoesNotDecodeIsRefused() throws {
        var runner = StrategyRunner(ComposedStrategy(kAgent: FixedK(3), selector: RandomSelector()))
        #expect(throws: StrategyError.self) { try runner.restore(Data("[1,2]".utf8)) }
        let saved = runner.state
        try runner.restore(saved)
        #expect(runner.state == saved)
    }
}
