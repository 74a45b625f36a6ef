@testable import Agents
import Foundation
import Learning
import TestSupport
import Testing
import WireProtocol

/// A guardian in a real deployment trains on its own files (`agentfl guardian --data PATH`),
/// never on a share of a data set it does not own, and takes part in the run like any other.
extension ProcessTests {
@Suite(.serialized) struct OwnDataGuardianTests {
    @Test func aGuardianWithItsOwnFilesBidsTrainsAndIsMergedOnThemAlone() async throws {
        // 240 real Fashion-MNIST images: the client's own files, not its share of the run's set.
        let own = try FashionMNISTSlice.directory(train: 240, test: 10)
        let configuration = ExperimentConfiguration.small(clients: 4, k: 4, rounds: 2)
        let shared = try configuration.federatedTask(scope: .clients([0, 1, 2]))
        try await withRoleCluster(configuration, guardians: [0...2, 3...3]) { cluster, board in
            try cluster.startAuditor()
            try cluster.startAggregator()
            try cluster.startGuardians(0...2)
            try cluster.start(RunKeys.guardianProcess(3...3), ["guardian", "--client-id", "3", "--data", own.path])
            try cluster.startServer()
            let finished = await board.wait(until: { $0.metrics[configuration.rounds] != nil }, deadline: .now + .seconds(120))
            try #require(finished, "the run never finished\n\(cluster.logs())")
            let progress = await board.read { $0 }
            for round in 1...configuration.rounds {
                let metrics = try #require(progress.metrics[round])
                let outcome = try #require(metrics.outcomes.first { $0.clientID == 3 }, "round \(round): client 3 was not assigned")
                #expect(outcome.status == .merged, "round \(round): \(outcome)")
                #expect(outcome.sampleCount == 240, "round \(round): client 3 trained on \(outcome.sampleCount) samples, not its own 240")
                // The others train on their shares of the run's set, as ever.
                for client in 0...2 {
                    let other = try #require(metrics.outcomes.first { $0.clientID == client })
                    #expect(other.sampleCount == shared.partition[client].count)
                }
            }
            #expect(cluster.logs().contains("client 3 trains on its own 240 samples in \(own.path)"))
        }
    }

    @Test func ownDataNeedsOneClientAndAFolder() async throws {
        let configuration = ExperimentConfiguration.small(clients: 4, k: 2, rounds: 1)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-own-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("config.json")
        try configuration.write(to: config)
        for (arguments, message) in [
            (["--clients", "0-1", "--data", folder.path], "--data names one client's own files"),
            (["--client-id", "1", "--data", folder.appendingPathComponent("missing").path], "no such folder"),
        ] {
            let log = folder.appendingPathComponent("guardian-\(UUID().uuidString).log")
            let process = try ChildProcess(
                name: "guardian", executable: AgentFLExecutable.url,
                arguments: ["guardian", "--brokers", "127.0.0.1:1", "--config", config.path, "--insecure"] + arguments, logFile: log)
            let status = await process.waitForExit()
            let output = try String(contentsOf: log, encoding: .utf8)
            #expect(status != 0)
            #expect(output.contains(message), "\(arguments): \(output)")
        }
    }
}
}
