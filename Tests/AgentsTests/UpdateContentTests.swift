@testable import Agents
import Foundation
import Testing
import WireProtocol

/// What the aggregator refuses before it spools an update, so no update can stop it.
@Suite struct UpdateContentTests {
    private func update(round: Int = 2, client: Int = 3, samples: Int = 50, values: [Float] = [0.1, 0.2, 0.3]) -> ClientUpdate {
        ClientUpdate(round: round, clientID: client, baseModelVersion: round - 1, sampleCount: samples, trainLoss: 0.5,
                     trainSeconds: 0.2, parameters: Tensor(values))
    }

    private let assignment = Assignment(
        round: 2, modelVersion: 1, policy: "random", k: 1, selected: [3],
        instructions: [ClientInstruction(clientID: 3, bidSampleCount: 50, width: 1, localEpochs: 1)],
        clearingPrice: 1, payments: [], reason: "", decision: .handMade, roundDeadline: Date())

    @Test func aWellFormedUpdateOfAnAssignedClientIsAccepted() {
        #expect(UpdateContent.problem(with: update(), expectedParameters: 3) == nil)
        #expect(UpdateContent.problem(with: update(), under: assignment) == nil)
    }

    @Test func everyUnusableContentIsNamed() throws {
        #expect(UpdateContent.problem(with: update(values: [0.1, .nan, 0.3]), expectedParameters: 3)?.contains("parameter 1") == true)
        #expect(UpdateContent.problem(with: update(values: [0.1, .infinity, 0.3]), expectedParameters: 3)?.contains("not finite") == true)
        #expect(UpdateContent.problem(with: update(values: [0.1, 0.2]), expectedParameters: 3)?.contains("2 parameters") == true)
        #expect(UpdateContent.problem(with: update(samples: 0), expectedParameters: 3) != nil)
        var badDigest = update()
        badDigest.digest = String(repeating: "0", count: 64)
        #expect(UpdateContent.problem(with: badDigest, expectedParameters: 3)?.contains("digest") == true)
        var badLoss = update()
        badLoss.trainLoss = .nan
        #expect(UpdateContent.problem(with: badLoss, expectedParameters: 3) != nil)
    }

    @Test func theAssignmentBoundsWhoWhichModelAndHowManySamples() {
        #expect(UpdateContent.problem(with: update(samples: 51), under: assignment)?.contains("the client bid 50") == true)
        #expect(UpdateContent.problem(with: update(client: 4), under: assignment)?.contains("not assigned") == true)
        var stale = update()
        stale.baseModelVersion = 0
        #expect(UpdateContent.problem(with: stale, under: assignment)?.contains("v0") == true)
    }

    @Test func theStateJudgesContentBeforeAnythingElse() {
        var state = AggregatorState()
        state.assignments[2] = assignment
        #expect(state.judge(update(), expectedParameters: 3) == .accepted)
        if case .rejected = state.judge(update(values: [.nan, 0, 0]), expectedParameters: 3) {} else { Issue.record("a NaN was not rejected") }
        state.mergedRound = 2
        #expect(state.judge(update(), expectedParameters: 3) == .late)
        // Even a late update with bad content is refused, not recorded as late.
        if case .rejected = state.judge(update(values: [0, 0]), expectedParameters: 3) {} else { Issue.record("a short late update was not rejected") }
    }
}
