@testable import Agents
import Foundation
import Learning
import Logging
import Strategies
import Testing
import WireProtocol

@Suite struct SelectionAndClearingTests {
    func bids(_ asks: [Double]) -> [ReceivedBid] {
        asks.enumerated().map { client, ask in
            ReceivedBid(
                bid: Bid(round: 1, clientID: client, decision: .participate, askPrice: ask, sampleCount: 100,
                         labelHistogram: [100], device: DeviceProfile(samplesPerSecond: 1000, memoryMiB: 1024, maxWidth: 1)),
                messageID: "bid-\(client)")
        }
    }

    func strategy(_ configuration: ExperimentConfiguration) throws -> StrategyRunner {
        try configuration.strategy()
    }

    @Test func randomSelectionDrawsTheSeededDrawOfTheBidders() async throws {
        var configuration = ExperimentConfiguration()
        configuration.clients = 20
        configuration.k = 5
        configuration.seed = 42
        var runner = try strategy(configuration)
        for round in 1...5 {
            let assignment = try await RoundDecider(configuration: configuration).decide(
                round: round, bids: bids(Array(repeating: 1, count: 20)).shuffled(), history: [], roundDeadline: Date(), strategy: &runner)
            let expected = RandomSelection.choose(
                5, from: Array(0..<20), seed: SeedDerivation.seed(run: 42, round: round, client: -1, purpose: .selection))
            #expect(assignment.decision.preferred == expected)
            #expect(assignment.selected.sorted() == expected.sorted())
        }
    }

    @Test func decisionStaysWithinBudgetAndRecordsItsInputs() async throws {
        var configuration = ExperimentConfiguration()
        configuration.clients = 8
        configuration.k = 4
        configuration.budget = 6
        configuration.seed = 7
        var runner = try strategy(configuration)
        let offers = bids([0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0])
        let assignment = try await RoundDecider(configuration: configuration).decide(
            round: 1, bids: offers, history: [], roundDeadline: Date(), strategy: &runner)
        let paid = assignment.payments.reduce(0) { $0 + $1.amount }
        #expect(paid <= configuration.budget + 1e-9)
        #expect(assignment.selected.count <= 4)
        for payment in assignment.payments {
            #expect(payment.amount == assignment.clearingPrice)
            #expect(offers[payment.clientID].bid.askPrice <= assignment.clearingPrice)
        }
        let record = assignment.decision
        #expect(record.runSeed == 7)
        #expect(record.strategy.name == "random+k-fixed")
        #expect(record.strategy.parameters["k.k"] == .integer(4))
        #expect(record.bidMessageIDs == (0..<8).map { "bid-\($0)" })
        #expect(record.k == 4)
        #expect(record.preferred.count == 4)
        #expect(record.stateBefore.count == 64 && record.stateAfter.count == 64)
        #expect(record.candidatesDigest.count == 64)
        // Deterministic: the same inputs in any order give the same decision.
        var again = try strategy(configuration)
        let repeated = try await RoundDecider(configuration: configuration).decide(
            round: 1, bids: offers.reversed(), history: [], roundDeadline: assignment.roundDeadline, strategy: &again)
        #expect(repeated.selected == assignment.selected)
        #expect(repeated.clearingPrice == assignment.clearingPrice)
        #expect(repeated.decision == assignment.decision)
    }

    @Test func declinedBidsAreNeverSelected() async throws {
        var configuration = ExperimentConfiguration()
        configuration.clients = 4
        configuration.k = 4
        var offers = bids([1, 1, 1, 1])
        offers[2].bid.decision = .decline(reason: "battery low")
        var runner = try strategy(configuration)
        let assignment = try await RoundDecider(configuration: configuration).decide(
            round: 1, bids: offers, history: [], roundDeadline: Date(), strategy: &runner)
        #expect(!assignment.selected.contains(2))
        #expect(assignment.selected.count == 3)
        #expect(assignment.decision.declined == [2])
        #expect(!assignment.decision.bidMessageIDs.contains("bid-2"))
    }

    @Test func theFirstRoundTakesEveryBidderWhenAsked() async throws {
        var configuration = ExperimentConfiguration()
        configuration.clients = 10
        configuration.k = 3
        configuration.kAgent = "tool"
        configuration.firstRoundTakesAll = true
        var runner = try strategy(configuration)
        let decider = RoundDecider(configuration: configuration)
        let first = try await decider.decide(round: 1, bids: bids(Array(repeating: 1, count: 10)), history: [], roundDeadline: Date(), strategy: &runner)
        #expect(first.k == 10 && first.selected.count == 10)
        try runner.observe(RoundFeedback(round: 1, testAccuracy: 0.5, testLoss: 1, outcomes: []))
        let second = try await decider.decide(round: 2, bids: bids(Array(repeating: 1, count: 10)), history: [0.5], roundDeadline: Date(), strategy: &runner)
        // The forced round did not move the K-Agent's base: round 2 starts from the configured K.
        #expect(second.k == 3)
    }
}
