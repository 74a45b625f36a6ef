@testable import Agents
import Foundation
import Learning
import Logging
import Testing
import WireProtocol

@Suite struct SelectionAndClearingTests {
    func bids(_ asks: [Double]) -> [Bid] {
        asks.enumerated().map { client, ask in
            Bid(round: 1, clientID: client, decision: .participate, askPrice: ask, sampleCount: 100,
                labelHistogram: [100], device: DeviceProfile(samplesPerSecond: 1000, memoryMiB: 1024, maxWidth: 1))
        }
    }

    @Test func randomPolicyDrawsWhatSimulateDraws() async throws {
        let candidates = (0..<20).map {
            Candidate(clientID: $0, askPrice: 1, sampleCount: 10, labelHistogram: [], samplesPerSecond: 1, memoryMiB: 1, availability: 1)
        }
        for round in 1...5 {
            let decision = try await RandomSelectionPolicy().select(
                SelectionContext(round: round, runSeed: 42, targetK: 5, candidates: candidates.shuffled()))
            let expected = RandomSelection.choose(
                5, from: Array(0..<20), seed: SeedDerivation.seed(run: 42, round: round, client: -1, purpose: .selection))
            #expect(decision.selected == expected)
        }
    }

    @Test func decisionStaysWithinBudgetAndRecordsItsInputs() async throws {
        var configuration = ExperimentConfiguration()
        configuration.clients = 8
        configuration.k = 4
        configuration.budget = 6
        configuration.seed = 7
        let server = RoundDecider(configuration: configuration, policy: RandomSelectionPolicy(), kPolicy: FixedK(4))
        let offers = bids([0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0])
        let assignment = try await server.decide(round: 1, bids: offers, history: [], roundDeadline: Date())
        let paid = assignment.payments.reduce(0) { $0 + $1.amount }
        #expect(paid <= configuration.budget + 1e-9)
        #expect(assignment.selected.count <= 4)
        for payment in assignment.payments {
            #expect(payment.amount == assignment.clearingPrice)
            #expect(offers[payment.clientID].askPrice <= assignment.clearingPrice)
        }
        #expect(assignment.decisionInputs["run_seed"] == "7")
        #expect(assignment.decisionInputs["selection_seed"] != nil)
        #expect(assignment.decisionInputs["bids_digest"] != nil)
        // Deterministic: the same inputs give the same decision.
        let again = try await server.decide(round: 1, bids: offers.reversed(), history: [], roundDeadline: assignment.roundDeadline)
        #expect(again.selected == assignment.selected)
        #expect(again.clearingPrice == assignment.clearingPrice)
    }

    @Test func declinedBidsAreNeverSelected() async throws {
        var configuration = ExperimentConfiguration()
        configuration.clients = 4
        configuration.k = 4
        var offers = bids([1, 1, 1, 1])
        offers[2].decision = .decline(reason: "battery low")
        let server = RoundDecider(configuration: configuration, policy: RandomSelectionPolicy(), kPolicy: FixedK(4))
        let assignment = try await server.decide(round: 1, bids: offers, history: [], roundDeadline: Date())
        #expect(!assignment.selected.contains(2))
        #expect(assignment.selected.count == 3)
        #expect(assignment.decisionInputs["declined"] == "2")
    }
}
