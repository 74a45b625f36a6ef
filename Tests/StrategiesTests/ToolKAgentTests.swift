import Foundation
import Testing
import WireProtocol

@testable import Strategies

@Suite struct ToolKAgentTests {
    let candidates = (0..<40).map { Fixture.candidate($0, ask: 1) }

    /// Plans and observes one round per accuracy, as the server does; returns the last choice.
    func drive(
        _ agent: ToolKAgent, accuracies: [Double], budget: Double = 1000, outcomes: (Int) -> [ClientOutcome] = { _ in [] }
    ) async throws -> (choices: [KChoice], state: ToolKAgent.State) {
        var state = agent.initialState()
        var choices: [KChoice] = []
        for (index, accuracy) in accuracies.enumerated() {
            let round = index + 1
            let context = Fixture.context(round: round, candidates: candidates, configuredK: 10, kBounds: 2...30, budget: budget)
            let (choice, next) = try await agent.chooseK(context, state: state)
            choices.append(choice)
            state = agent.observe(RoundFeedback(round: round, testAccuracy: accuracy, testLoss: 1, outcomes: outcomes(round)), state: next)
        }
        let context = Fixture.context(round: accuracies.count + 1, candidates: candidates, configuredK: 10, kBounds: 2...30, budget: budget)
        let (choice, next) = try await agent.chooseK(context, state: state)
        return (choices + [choice], next)
    }

    @Test func aPlateauRaisesKByTheStep() async throws {
        let agent = try ToolKAgent()
        // Progress, then three rounds each gaining less than 0.005.
        let (choices, state) = try await drive(agent, accuracies: [0.30, 0.40, 0.50, 0.501, 0.503, 0.504])
        #expect(choices.prefix(6).allSatisfy { $0.k == 10 }, "\(choices.map(\.k))")
        #expect(choices[6].k == 12)
        #expect(choices[6].rationale.contains("plateau: 3 rounds each gaining < 0.005 accuracy, base K 10 → 12"), "\(choices[6].rationale)")
        #expect(state.baseK == 12 && state.plateauStreak == 0 && state.roundsSinceBaseMove == 0)
    }

    @Test func aLongPlateauRaisesKOncePerCooldown() async throws {
        let agent = try ToolKAgent()
        let flat = [0.5] + Array(repeating: 0.5, count: 12)
        let (choices, _) = try await drive(agent, accuracies: flat)
        // First raise once three flat gains are seen (round 5), then every 4 rounds (cooldown 3).
        #expect(choices.map(\.k) == [10, 10, 10, 10, 12, 12, 12, 12, 14, 14, 14, 14, 16, 16])
    }

    @Test func steadyProgressOnATightBudgetLowersK() async throws {
        let agent = try ToolKAgent()
        let rising = (0..<6).map { 0.3 + 0.02 * Double($0) }
        // 11 buys 11 clients at the median ask of 1: fewer than 1.25 × 10.
        let (tight, _) = try await drive(agent, accuracies: rising, budget: 11)
        // The slope exists from round 3; the cooldown lets the first move come in round 4.
        #expect(tight.map(\.k) == [10, 10, 10, 8, 8, 8, 8])
        #expect(tight[3].rationale.contains("steady progress (slope 0.02/round) on a tight budget (11 buys 11 at median ask 1), base K 10 → 8"), "\(tight[3].rationale)")
        // With money to spare, the same progress leaves K alone.
        let (loose, _) = try await drive(agent, accuracies: rising, budget: 1000)
        #expect(loose.allSatisfy { $0.k == 10 })
        #expect(loose.last?.rationale.contains("no signal moved it") == true)
    }

    @Test func theBudgetCapsKAtTheMedianAsk() async throws {
        let agent = try ToolKAgent()
        let (choices, _) = try await drive(agent, accuracies: [0.1], budget: 7)
        #expect(choices[0].k == 7)
        #expect(choices[0].rationale.contains("budget 7 buys 7 at median ask 1, capped from 10"), "\(choices[0].rationale)")
    }

    @Test func lateAndMissingClientsRaiseKToCompensate() async throws {
        let agent = try ToolKAgent()
        let outcomes: (Int) -> [ClientOutcome] = { _ in
            (0..<7).map { Fixture.merged($0, loss: 1) } + [Fixture.outcome(7, .late), Fixture.outcome(8, .missing), Fixture.outcome(9, .missing)]
        }
        let (choices, state) = try await drive(agent, accuracies: [0.2], outcomes: outcomes)
        #expect(state.shortfall == 0.3)
        // 10 / 0.7 = 14.3 → 15.
        #expect(choices[1].k == 15, "\(choices[1].rationale)")
        #expect(choices[1].rationale.contains("30% of last round's clients late or missing"))
        // The compensation is for the round only: the base K is unchanged.
        #expect(state.baseK == 10)
    }

    @Test func disagreeingClientLossesRaiseKForTheRound() async throws {
        let agent = try ToolKAgent()
        let outcomes: (Int) -> [ClientOutcome] = { _ in [0.1, 2.0, 0.1, 2.0].enumerated().map { Fixture.merged($0.offset, loss: $0.element) } }
        let (choices, state) = try await drive(agent, accuracies: [0.2], outcomes: outcomes)
        #expect(state.lossDispersion.map { $0 > 0.9 } == true)
        #expect(choices[1].k == 12)
        #expect(choices[1].rationale.contains("client losses disagree"))
    }

    @Test func kStaysWithinTheBounds() async throws {
        var parameters = ToolKAgentParameters()
        parameters.step = 50
        let agent = try ToolKAgent(parameters: parameters)
        let (choices, _) = try await drive(agent, accuracies: Array(repeating: 0.5, count: 5))
        #expect(choices.allSatisfy { (2...30).contains($0.k) })
        #expect(choices.last?.k == 30)
    }

    @Test func slopeAndMedian() {
        #expect(ToolKAgent.slope([1, 2, 3, 4]) == 1)
        #expect(ToolKAgent.slope([5]) == nil)
        #expect(ToolKAgent.median([3, 1, 2]) == 2)
        #expect(ToolKAgent.median([4, 1, 2, 3]) == 2.5)
        #expect(ToolKAgent.median([]) == nil)
    }

    @Test func parametersDecodeWithDefaultsAndEveryOneHasHelp() throws {
        let decoded = try JSONDecoder().decode(ToolKAgentParameters.self, from: Data(#"{"step": 3}"#.utf8))
        var expected = ToolKAgentParameters()
        expected.step = 3
        #expect(decoded == expected)
        #expect(Set(ToolKAgentParameters.help.map(\.name)) == Set(ToolKAgentParameters().descriptorParameters.keys))
        var bad = ToolKAgentParameters()
        bad.window = 1
        #expect(throws: StrategyError.invalidConfiguration("k-tool parameter window is 1; it must be ≥ 2")) { try ToolKAgent(parameters: bad) }
    }
}
