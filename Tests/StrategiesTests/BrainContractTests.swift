import Foundation
import Testing
import WireProtocol

@testable import Strategies

/// What every brain owes the seam: a state that survives the runner's canonical JSON, the same
/// plan from the same inputs, and answers the seam accepts whatever K is asked.
@Suite struct BrainContractTests {
    enum Brain: String, CaseIterable, Sendable {
        case oort, poc, coverage, random, kTool
    }

    /// Oort with a short pacer window and a blacklist, so a dozen rounds reach both.
    static func oort() throws -> OortSelector {
        var parameters = OortParameters()
        parameters.pacerStep = 3
        parameters.blacklistRounds = 4
        return try OortSelector(parameters: parameters)
    }

    static func strategy(_ brain: Brain, k: Int = 4) throws -> any RoundStrategy {
        switch brain {
        case .oort: ComposedStrategy(kAgent: FixedK(k), selector: try oort())
        case .poc: ComposedStrategy(kAgent: FixedK(k), selector: try PowerOfChoiceSelector())
        case .coverage: ComposedStrategy(kAgent: FixedK(k), selector: try CoverageSelector())
        case .random: ComposedStrategy(kAgent: FixedK(k), selector: RandomSelector())
        case .kTool: ComposedStrategy(kAgent: try ToolKAgent(), selector: RandomSelector())
        }
    }

    static func selector(_ brain: Brain) throws -> any ClientSelector {
        switch brain {
        case .oort: try oort()
        case .poc: try PowerOfChoiceSelector()
        case .coverage: try CoverageSelector()
        case .random, .kTool: RandomSelector()
        }
    }

    /// Round `round`'s candidates: 14 clients less a rotating few, of varied size, speed, price and labels.
    static func candidates(round: Int) -> [Candidate] {
        (0..<14).filter { ($0 + round) % 6 != 0 }.map { (id: Int) -> Candidate in
            let labels: [Int] = (0..<4).map { (label: Int) -> Int in (id + label) % 3 == 0 ? 30 : 5 }
            let ask = 1 + Double(id % 3)
            let seconds = 0.1 * Double(1 + id % 4)
            return Fixture.candidate(id, ask: ask, samples: 50 + 10 * (id % 5), labels: labels, seconds: seconds)
        }
    }

    static func context(round: Int) -> PlanningContext {
        Fixture.context(
            round: round, candidates: candidates(round: round), configuredK: 4, kBounds: 1...14, budget: 12,
            history: (1..<round).map { accuracy(round: $0) })
    }

    static func accuracy(round: Int) -> Double { min(0.1 + 0.05 * Double(round), 0.45) }

    /// Crafted feedback with every outcome kind.
    static func feedback(round: Int, selected: [Int]) -> RoundFeedback {
        let outcomes = selected.map { id -> ClientOutcome in
            if id % 5 == 4 { return Fixture.outcome(id, .missing) }
            if id % 7 == 3 { return Fixture.outcome(id, .late, loss: 1.5) }
            if id % 9 == 8 { return Fixture.outcome(id, .excluded, loss: 3) }
            return Fixture.merged(id, loss: 1 + Double((id * 13 + round) % 10) / 10, seconds: 0.5 + Double(id % 4))
        }
        return RoundFeedback(round: round, testAccuracy: accuracy(round: round), testLoss: 1, outcomes: outcomes)
    }

    /// Plans and observes rounds 1…`rounds`; returns every plan with its digests.
    static func drive(_ runner: inout StrategyRunner, rounds: ClosedRange<Int>) async throws -> [(plan: RoundPlan, before: String, after: String)] {
        var plans: [(plan: RoundPlan, before: String, after: String)] = []
        for round in rounds {
            let planned = try await runner.plan(context(round: round))
            plans.append((planned.plan, planned.stateBefore, planned.stateAfter))
            try runner.observe(feedback(round: round, selected: planned.plan.selected))
        }
        return plans
    }

    /// Decodes the runner's state as the strategy's own type and encodes it again, canonically.
    static func reencoded<S: RoundStrategy>(_ strategy: S, _ data: Data) throws -> Data {
        let state = try JSONDecoder().decode(S.State.self, from: data)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(state)
    }

    @Test(arguments: Brain.allCases)
    func theStateRoundTripsThroughTheRunner(brain: Brain) async throws {
        let strategy = try Self.strategy(brain)
        var runner = StrategyRunner(strategy)
        for round in 1...12 {
            _ = try await Self.drive(&runner, rounds: round...round)
            let saved = runner.state
            let again = try Self.reencoded(strategy, saved)
            #expect(again == saved, "round \(round)")
            #expect(StrategyRunner.digest(again) == runner.stateDigest)
            // A restarted server restores the saved bytes and plans the next round alike.
            var restored = StrategyRunner(try Self.strategy(brain))
            try restored.restore(again)
            #expect(restored.stateDigest == runner.stateDigest)
            var original = runner
            let a = try await original.plan(Self.context(round: round + 1))
            let b = try await restored.plan(Self.context(round: round + 1))
            #expect(a.plan == b.plan && a.stateAfter == b.stateAfter, "round \(round + 1)")
        }
    }

    @Test(arguments: Brain.allCases)
    func theSameInputsGiveTheSamePlans(brain: Brain) async throws {
        var first = StrategyRunner(try Self.strategy(brain))
        var second = StrategyRunner(try Self.strategy(brain))
        let a = try await Self.drive(&first, rounds: 1...15)
        let b = try await Self.drive(&second, rounds: 1...15)
        for (x, y) in zip(a, b) {
            #expect(x.plan == y.plan)
            #expect(x.before == y.before && x.after == y.after)
        }
        #expect(first.stateDigest == second.stateDigest)
        // Planning is a function of the state: the same round planned twice from one state agrees.
        var fork = first
        let again = try await fork.plan(Self.context(round: 16))
        let once = try await first.plan(Self.context(round: 16))
        #expect(again.plan == once.plan)
    }

    @Test(arguments: Brain.allCases)
    func everyAnswerPassesTheSeamsCheckWhateverK(brain: Brain) async throws {
        // Through the runner, with K beyond the candidates (the seam caps it).
        var runner = StrategyRunner(try Self.strategy(brain, k: 40))
        let plans = try await Self.drive(&runner, rounds: 1...10)
        for (round, planned) in zip(1...10, plans) {
            let count = Self.candidates(round: round).count
            #expect(brain == .kTool || planned.plan.k == count)
            #expect(Set(planned.plan.selected).count == planned.plan.k)
        }
        // The selector asked directly, from the state after every round, for K of 1, 3, all and more than all.
        try await Self.checkAnswers(try Self.selector(brain))
    }

    static func checkAnswers<S: ClientSelector>(_ selector: S) async throws {
        var state = selector.initialState()
        for round in 1...10 {
            let context = context(round: round)
            let count = context.candidates.count
            var taken: (Selection, S.State)?
            for k in [1, 3, count, count + 5] {
                let (selection, next) = try await selector.select(context, k: k, state: state)
                try ComposedStrategy<FixedK, S>.check(selection.clients, k: min(k, count), context: context, strategy: selector.descriptor.name)
                #expect(!selection.rationale.isEmpty)
                if k == 3 { taken = (selection, next) }
            }
            // Go on from the K = 3 answer.
            let (selection, next) = try #require(taken)
            state = selector.observe(feedback(round: round, selected: selection.clients), state: next)
        }
    }
}
