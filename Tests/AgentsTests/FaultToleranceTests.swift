@testable import Agents
import Foundation
import TestSupport
import Testing
import WireProtocol

extension ProcessTests {
/// Roles die and come back; the run finishes with every update accounted for exactly once.
@Suite(.serialized) struct FaultToleranceTests {
    @Test func guardianKilledMidRoundTheRoundCompletesWithAQuorum() async throws {
        var configuration = ExperimentConfiguration.small(clients: 10, k: 5, rounds: 2)
        configuration.roundTimeoutSeconds = 4
        // The victim is chosen before the run so it cannot send its update before the kill lands,
        // however fast it trains: round 1 takes every client, and the delayed-client scenario makes
        // exactly one client (the victim) wait 10,000 × its training time before it sends.
        configuration.firstRoundTakesAll = true
        configuration.delay = "0.1:1-1:10000"
        let victim = try #require(configuration.delaySchedule?.delayedClients(clients: 10, seed: configuration.seed).first)
        try await withRoleCluster(configuration, guardians: (0..<10).map { $0...$0 }) { cluster, board in
            try cluster.startRoles()

            // Kill the victim as soon as round 1 is assigned: it never sends its update.
            let assigned = await board.wait(until: { $0.assignments[1] != nil }, deadline: .now + .seconds(60))
            try #require(assigned, "round 1 was never assigned\n\(cluster.logs())")
            let assignment = try #require(await board.read { $0.assignments[1] })
            try #require(assignment.selected.contains(victim), "round 1 did not take every client: \(assignment.selected)")
            await cluster.kill("guardian-\(victim)-\(victim)")

            let finished = await board.wait(until: { $0.metrics[2] != nil }, deadline: .now + .seconds(90))
            try #require(finished, "round 2 never finished\n\(cluster.logs())")
            let round1 = try #require(await board.read { $0.metrics[1] })
            #expect(!round1.mergedClients.contains(victim))
            #expect(round1.missingClients == [victim])
            #expect(Set(round1.mergedClients).union(round1.missingClients) == Set(assignment.selected))
            #expect(round1.mergedClients.count == assignment.selected.count - 1)
            // The dead client did not bid for round 2, so it cannot have been selected there.
            let round2 = try #require(await board.read { $0.assignments[2] })
            #expect(!round2.selected.contains(victim))
        }
    }

    @Test func aggregatorKilledAndRestartedLosesAndDoublesNothing() async throws {
        let configuration = ExperimentConfiguration.small(clients: 6, k: 3, rounds: 3)
        try await withRoleCluster(configuration, guardians: [0...5]) { cluster, board in
            try cluster.startRoles()

            // Kill the aggregator once round 2 is assigned (its updates are on their way), then restart it.
            let assigned = await board.wait(until: { $0.assignments[2] != nil }, deadline: .now + .seconds(60))
            try #require(assigned, "round 2 was never assigned\n\(cluster.logs())")
            await cluster.kill("aggregator")
            try await Task.sleep(for: .milliseconds(1500))
            try cluster.startAggregator()

            let finished = await board.wait(until: { $0.metrics[3] != nil }, deadline: .now + .seconds(90))
            try #require(finished, "round 3 never finished\n\(cluster.logs())")
            for round in 1...3 {
                let assignment = try #require(await board.read { $0.assignments[round] })
                let metrics = try #require(await board.read { $0.metrics[round] }, "no metrics for round \(round)\n\(cluster.logs())")
                // Every assigned update merged exactly once: none lost, none counted twice.
                #expect(metrics.mergedClients.sorted() == assignment.selected.sorted(), "round \(round)")
                #expect(Set(metrics.mergedDigests).count == metrics.mergedDigests.count)
                #expect(metrics.modelVersion == round)
            }
        }
    }
}
}
