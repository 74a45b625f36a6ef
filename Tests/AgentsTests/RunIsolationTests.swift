@testable import Agents
import Foundation
import Learning
import TestSupport
import Testing

extension ProcessTests {
/// Runs on a shared broker (the `compose/` use case, where topics persist) do not bleed into each
/// other: every envelope carries its run id and every role, the launcher and the auditor pass over
/// the others.
@Suite(.serialized) struct RunIsolationTests {
    @Test func backToBackRunsOnOneBrokerEachReproduceTheirOwnSimulation() async throws {
        try await withEmbeddedBroker { broker in
            let base = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-isolation-\(UUID().uuidString)")
            var finals: [Double] = []
            for seed in [3, 4] {
                let out = base.appendingPathComponent("seed-\(seed)")
                let run = try await runAgentFL([
                    "run", "--brokers", broker, "--out", out.path, "--guardian-processes", "2",
                    "--clients", "8", "--k", "3", "--rounds", "3", "--seed", String(seed),
                    "--data-dir", try FashionMNISTSlice.directory().path,
                ])
                #expect(run.status == 0, "run with seed \(seed) failed:\n\(run.output)")
                let results = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("results.json"))) as? [String: Any]
                let rounds = results?["rounds"] as? [[String: Any]] ?? []
                #expect(rounds.count == 3, "seed \(seed): \(rounds.count) rounds in results.json")

                let configuration = try ExperimentConfiguration.load(from: out.appendingPathComponent("config.json"))
                #expect(configuration.seed == UInt64(seed))
                let simulated = try await InProcessExperiment(configuration: configuration, concurrentClients: 2).run().results
                for (index, round) in rounds.enumerated() {
                    let accuracy = try #require(round["test_accuracy"] as? Double)
                    #expect(abs(accuracy - simulated.rounds[index].testAccuracy) < 1e-9,
                            "seed \(seed) round \(index + 1): run \(accuracy), simulate \(simulated.rounds[index].testAccuracy)")
                }
                finals.append(simulated.rounds.last?.testAccuracy ?? 0)

                // The audit log holds this run only, and is not empty.
                let log = try String(contentsOf: out.appendingPathComponent("audit.log"), encoding: .utf8)
                #expect(log.split(separator: "\n").count > 20)
                let verify = try await runAgentFL(["audit", "verify", out.appendingPathComponent("audit.log").path])
                #expect(verify.status == 0, "audit verify (seed \(seed)):\n\(verify.output)")
            }
            #expect(finals[0] != finals[1], "two seeds gave the same final accuracy; the test would not see a bleed")
        }
    }
}
}
