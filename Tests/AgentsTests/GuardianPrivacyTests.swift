@testable import Agents
import Foundation
import Learning
import Privacy
import Testing
import WireProtocol

/// The guardians' differential privacy: budgets that hold across rounds and restarts, declines
/// the server respects, noise that follows the private seed, and updates the aggregator checks.
@Suite struct GuardianPrivacyTests {
    static func configuration(epsilon: Double = 2, mechanism: String = "dp-sgd") throws -> ExperimentConfiguration {
        var c = ExperimentConfiguration()
        c.dataDirectory = try FashionMNISTSlice.directory().path
        c.clients = 10
        c.k = 4
        c.rounds = 6
        c.seed = 5
        c.privacy = mechanism
        c.dpNoiseMultiplier = 1.2
        c.dpEpsilon = epsilon
        return c
    }

    static let secret = NoiseSeed(secret: Array(0..<32))

    @Test func aLedgerFileOutlivesTheGuardianAndBindsItsBudget() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-ledger-\(UUID().uuidString)")
        let url = GuardianHost.privacyLedgerURL(in: directory)
        let configuration = try Self.configuration(epsilon: 50)
        let first = try #require(try ClientPrivacyGuard(
            configuration: configuration, sampleCounts: [3: 100, 4: 200], ledgerURL: url, noise: Self.secret))
        let charged = try await first.charge(client: 3, round: 1)
        #expect(charged.statement.epsilonBefore == 0 && charged.statement.epsilonAfter > 0)
        #expect(charged.statement.mechanism == "dp-sgd" && charged.statement.steps == 3 * configuration.localEpochs) // round(1/q) with q = 32/100

        // A restarted guardian reads what was spent: it neither forgets nor charges round 1 again.
        let second = try #require(try ClientPrivacyGuard(
            configuration: configuration, sampleCounts: [3: 100, 4: 200], ledgerURL: url, noise: Self.secret))
        #expect(await second.spent()[3] == charged.statement.epsilonAfter)
        #expect(try await second.charge(client: 3, round: 1).statement == charged.statement)
        #expect(await second.quote(client: 3, round: 2)?.epsilonBefore == charged.statement.epsilonAfter)

        // A ledger kept under another budget is an error, not a fresh start.
        var other = configuration
        other.dpEpsilon = 51
        #expect(throws: PrivacyError.self) {
            try ClientPrivacyGuard(configuration: other, sampleCounts: [3: 100], ledgerURL: url, noise: Self.secret)
        }
        // Off means no guard.
        var off = configuration
        off.privacy = nil
        #expect(try ClientPrivacyGuard(configuration: off, sampleCounts: [3: 100], ledgerURL: nil, noise: Self.secret) == nil)
    }

    /// In the run's own round code: every client's ε stays within its budget in every round, the
    /// clients that ran out decline with "privacy budget" and are never selected again, and the
    /// same private seed repeats the run while another one changes the model.
    @Test func budgetsHoldExhaustedClientsDeclineAndTheNoiseFollowsTheSeed() async throws {
        // A budget between one and two rounds of the median client: it trains once, then runs out.
        var configuration = try Self.configuration()
        configuration.rounds = 4
        configuration.k = 5
        let counts = try configuration.federatedTask().partition.map(\.count).sorted()
        let mechanism = try #require(configuration.privacyMechanism(sampleCount: counts[counts.count / 2]))
        var unlimited = PrivacyLedger(budget: PrivacyBudget(epsilon: 1e9, delta: 1e-5))
        let one = try unlimited.charge(round: 1, mechanism: mechanism).after
        let two = try unlimited.charge(round: 2, mechanism: mechanism).after
        configuration.dpEpsilon = ((one + two) / 2 * 100).rounded() / 100
        let budget = configuration.dpEpsilon
        let run = try await InProcessExperiment(configuration: configuration, concurrentClients: 2, noiseSeed: Self.secret).run().results
        let again = try await InProcessExperiment(configuration: configuration, concurrentClients: 2, noiseSeed: Self.secret).run().results
        let other = try await InProcessExperiment(
            configuration: configuration, concurrentClients: 2, noiseSeed: NoiseSeed(secret: Array(repeating: 7, count: 32))).run().results
        var exhausted: Set<Int> = []
        var spent: [Int: Double] = [:]
        for round in run.rounds {
            for (client, epsilon) in round.epsilon {
                #expect(epsilon <= budget, "round \(round.round): client \(client) at ε \(epsilon)")
                spent[Int(client)!] = epsilon
            }
            for (client, reason) in round.declined {
                #expect(reason == Bid.privacyBudgetReason)
                exhausted.insert(Int(client)!)
            }
            #expect(Set(round.selected).isDisjoint(with: round.declined.keys.compactMap { Int($0) }))
            #expect(Set(round.merged) == Set(round.epsilon.keys.compactMap { Int($0) }))
        }
        print("PRIVACY-FIGURE in-process dp-sgd σ=1.2, ε budget \(budget): \(exhausted.count) of 10 clients ran out in 4 rounds; ε spent \(spent.sorted { $0.key < $1.key }.map { String(format: "%d:%.2f", $0.key, $0.value) }.joined(separator: " ")); final accuracy \(run.rounds.last?.testAccuracy ?? 0)")
        #expect(!exhausted.isEmpty, "no client ran out of budget: the test does not test the decline")
        #expect(run.rounds.map(\.testAccuracy) == again.rounds.map(\.testAccuracy))
        #expect(run.rounds.map(\.testAccuracy) != other.rounds.map(\.testAccuracy))
    }

    @Test func clientLevelDPChargesOncePerRound() async throws {
        var configuration = try Self.configuration(epsilon: 30, mechanism: "client-dp")
        configuration.dpNoiseMultiplier = 4
        // Local noise of σ·C on every coordinate: a small C keeps the model usable.
        configuration.dpClipNorm = 0.001
        configuration.rounds = 3
        let results = try await InProcessExperiment(configuration: configuration, concurrentClients: 2, noiseSeed: Self.secret).run().results
        var accountant = RDPAccountant()
        accountant.step(noiseMultiplier: 2, sampleRate: 1, steps: 1)
        let once = accountant.epsilon(delta: configuration.dpDelta).epsilon
        let first = try #require(results.rounds.first)
        for client in first.merged { #expect(first.epsilon[String(client)] == once) }
    }

    @Test func theAggregatorHoldsUpdatesToTheRunsPrivacy() {
        let required = PrivacyRequirement(mechanism: "dp-sgd", epsilon: 2, delta: 1e-5)
        func update(_ statement: PrivacyStatement?) -> ClientUpdate {
            ClientUpdate(round: 1, clientID: 0, baseModelVersion: 0, sampleCount: 10, trainLoss: 1, trainSeconds: 1,
                         parameters: Tensor([0.1]), privacy: statement)
        }
        func statement(mechanism: String = "dp-sgd", budget: Double = 2, after: Double = 1.5) -> PrivacyStatement {
            PrivacyStatement(
                mechanism: mechanism, noiseMultiplier: 1, clipNorm: 1, sampleRate: 0.1, steps: 10, accountedNoiseMultiplier: 1,
                budgetEpsilon: budget, delta: 1e-5, epsilonBefore: 1, epsilonAfter: after)
        }
        #expect(UpdateContent.problem(with: update(statement()), privacy: required) == nil)
        #expect(UpdateContent.problem(with: update(nil), privacy: nil) == nil)
        #expect(UpdateContent.problem(with: update(nil), privacy: required)?.contains("no privacy spend") == true)
        #expect(UpdateContent.problem(with: update(statement(mechanism: "client-dp")), privacy: required)?.contains("client-dp") == true)
        #expect(UpdateContent.problem(with: update(statement(budget: 20, after: 10)), privacy: required)?.contains("not the run's") == true)
        #expect(UpdateContent.problem(with: update(statement(after: 2.5)), privacy: required)?.contains("past the budget") == true)
    }

    /// The server's side: an over-budget or statement-less bid in a DP run is no candidate, with the reason recorded.
    @Test func theServerDoesNotSelectAnExhaustedClient() async throws {
        var configuration = try Self.configuration()
        configuration.k = 3
        var strategy = try configuration.strategy(llm: nil)
        func bid(_ client: Int, after: Double?) -> ReceivedBid {
            let statement = after.map {
                PrivacyStatement(
                    mechanism: "dp-sgd", noiseMultiplier: 1, clipNorm: 1, sampleRate: 0.1, steps: 10, accountedNoiseMultiplier: 1,
                    budgetEpsilon: 2, delta: 1e-5, epsilonBefore: 0, epsilonAfter: $0)
            }
            return ReceivedBid(
                bid: Bid(round: 1, clientID: client, decision: .participate, askPrice: 1, sampleCount: 10, labelHistogram: [10],
                         device: DeviceProfile(samplesPerSecond: 100, memoryMiB: 1024, maxWidth: 1), privacy: statement),
                messageID: "m\(client)")
        }
        let assignment = try await RoundDecider(configuration: configuration).decide(
            round: 1, bids: [bid(0, after: 1), bid(1, after: 3), bid(2, after: nil), bid(3, after: 1.9)], history: [],
            roundDeadline: Date(), strategy: &strategy)
        #expect(Set(assignment.selected) == [0, 3])
        #expect(assignment.decision.declineReasons == ["1": Bid.privacyBudgetReason, "2": "no privacy statement in a run with DP on"])
    }
}
