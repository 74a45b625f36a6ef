@testable import Agents
import Foundation
import Learning
import TestSupport
import Testing
import WireProtocol

/// A client whose training diverges (its loss is not finite) is deterministic bad input: retrying
/// or restarting its guardian would diverge again. It must cost that client its round, never the
/// guardian's process.
extension ProcessTests {
@Suite(.serialized) struct DivergedTrainingTests {
    /// A learning rate no model survives: every client's first steps overflow.
    static func diverging(rounds: Int) -> ExperimentConfiguration {
        var configuration = ExperimentConfiguration.small(clients: 4, k: 2, rounds: rounds)
        configuration.learningRate = 1e30
        configuration.roundTimeoutSeconds = 4
        return configuration
    }

    @Test func divergedClientsAreMissingAndTheSimulationGoesOn() async throws {
        let configuration = Self.diverging(rounds: 2)
        let outcome = try await InProcessExperiment(configuration: configuration, concurrentClients: 2).run()
        #expect(outcome.results.rounds.count == 2)
        for round in outcome.results.rounds {
            #expect(round.merged.isEmpty, "round \(round.round) merged \(round.merged)")
            #expect(Set(round.missed.keys) == Set(round.selected.map(String.init)))
            #expect(round.missed.values.allSatisfy { $0 == "missing" }, "\(round.missed)")
        }
        // Nothing merged: the model, and so its accuracy, stays the initial one.
        #expect(outcome.results.rounds[0].testAccuracy == outcome.results.rounds[1].testAccuracy)
    }

    @Test func guardiansWhoseClientsDivergeKeepRunningAndTheRunEndsAsSimulateDoes() async throws {
        let configuration = Self.diverging(rounds: 2)
        let expected = try await InProcessExperiment(configuration: configuration, concurrentClients: 2).run().results
        try await withRoleCluster(configuration, guardians: [0...1, 2...3]) { cluster, board in
            try cluster.startRoles()
            let finished = await board.wait(until: { $0.metrics[configuration.rounds] != nil }, deadline: .now + .seconds(120))
            try #require(finished, "the run never finished\n\(cluster.logs())")
            let progress = await board.read { $0 }
            for expectedRound in expected.rounds {
                let round = try #require(progress.round(expectedRound.round))
                #expect(round.selected == expectedRound.selected)
                #expect(round.merged.isEmpty)
                #expect(round.missed == expectedRound.missed)
                #expect(round.testAccuracy == expectedRound.testAccuracy)
            }
            // Every guardian process is still the one started: none gave up on a handler and exited.
            for range in [0...1, 2...3] {
                let name = RunKeys.guardianProcess(range)
                #expect(cluster.processes[name]?.isRunning == true, "\(name) exited\n\(cluster.logs())")
            }
            #expect(cluster.logs().contains("training diverged"), "no guardian said why it sent nothing\n\(cluster.logs())")
        }
    }
}
}
