@testable import Agents
import Foundation
import TestSupport
import Testing
import WireProtocol

extension ProcessTests {
/// The server agent and the broker go away for a while; the run picks up where it was.
@Suite(.serialized) struct RoleRestartTests {
    @Test func serverRestartedContinuesFromTheLastCompletedRound() async throws {
        let configuration = ExperimentConfiguration.small(clients: 6, k: 3, rounds: 3)
        try await withRoleCluster(configuration, guardians: [0...5]) { cluster, board in
            try cluster.startRoles()

            let firstDone = await board.wait(until: { $0.metrics[1] != nil }, deadline: .now + .seconds(60))
            try #require(firstDone, "round 1 never finished\n\(cluster.logs())")
            await cluster.kill("server")
            try cluster.startServer()

            let finished = await board.wait(until: { $0.metrics[3] != nil }, deadline: .now + .seconds(90))
            try #require(finished, "the restarted server did not finish the run\n\(cluster.logs())")
            let rounds = await board.read { ($0.assignments.keys.sorted(), $0.metrics.keys.sorted()) }
            #expect(rounds.0 == [1, 2, 3])
            #expect(rounds.1 == [1, 2, 3])
            for round in 1...3 {
                let metrics = try #require(await board.read { $0.metrics[round] })
                #expect(metrics.modelVersion == round)
            }
        }
    }

    @Test func brokerBrieflyUnreachableEveryRoleRecovers() async throws {
        let configuration = ExperimentConfiguration.small(clients: 6, k: 3, rounds: 3)
        try await withRoleCluster(configuration, guardians: [0...5]) { cluster, board in
            try cluster.startRoles()

            let firstDone = await board.wait(until: { $0.metrics[1] != nil }, deadline: .now + .seconds(60))
            try #require(firstDone, "round 1 never finished\n\(cluster.logs())")
            // Freeze the broker: connections stay open but nothing answers for 3 s.
            let broker = try #require(cluster.brokerProcessIdentifier)
            kill(broker, SIGSTOP)
            try await Task.sleep(for: .seconds(3))
            kill(broker, SIGCONT)

            let finished = await board.wait(until: { $0.metrics[3] != nil }, deadline: .now + .seconds(90))
            try #require(finished, "the run did not recover from the pause\n\(cluster.logs())")
            for round in 1...3 {
                let assignment = try #require(await board.read { $0.assignments[round] })
                let metrics = try #require(await board.read { $0.metrics[round] })
                #expect(Set(metrics.mergedClients).isSubset(of: Set(assignment.selected)))
                #expect(metrics.modelVersion == round)
            }
        }
    }
}
}
