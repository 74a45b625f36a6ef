@testable import Agents
import Foundation
import TestSupport
import Testing

/// Tests that start the broker and role processes run one at a time: in parallel they would
/// compete for the 2 cores and miss their own deadlines.
@Suite(.serialized) struct ProcessTests {}

/// Real broker, real processes: the whole system as a user runs it.
extension ProcessTests {
@Suite(.serialized) struct MultiProcessRunTests {
    @Test func runMatchesSimulate() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-run-\(UUID().uuidString)")
        let common = [
            "--clients", "10", "--k", "4", "--rounds", "3", "--data-dir", try FashionMNISTSlice.directory().path,
            "--seed", "11", "--model", "mlp", "--partition", "dirichlet", "--alpha", "0.5",
        ]
        let run = try await runAgentFL(["run", "--out", out.appendingPathComponent("run").path, "--guardian-processes", "2"] + common)
        #expect(run.status == 0, "agentfl run failed:\n\(run.output)")
        let simulate = try await runAgentFL(["simulate", "--out", out.appendingPathComponent("sim").path] + common)
        #expect(simulate.status == 0, "agentfl simulate failed:\n\(simulate.output)")

        let runRounds = try rounds(in: out.appendingPathComponent("run/results.json"))
        let simRounds = try rounds(in: out.appendingPathComponent("sim/results.json"))
        #expect(runRounds.count == 3)
        #expect(simRounds.count == 3)
        for (r, s) in zip(runRounds, simRounds) {
            let a = try #require(r["test_accuracy"] as? Double)
            let b = try #require(s["test_accuracy"] as? Double)
            #expect(abs(a - b) <= 0.01, "round \(r["round"] ?? "?"): run \(a) vs simulate \(b)")
            #expect((r["selected"] as? [Int])?.sorted() == (s["selected"] as? [Int])?.sorted())
        }
        // The audit log is intact and covers every round.
        let verify = try await runAgentFL(["audit", "verify", out.appendingPathComponent("run/audit.log").path])
        #expect(verify.status == 0, "audit verify failed:\n\(verify.output)")
    }

    func rounds(in url: URL) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        return object?["rounds"] as? [[String: Any]] ?? []
    }
}
}

/// Runs `agentfl ARGS`, returning its exit status and combined output.
func runAgentFL(_ arguments: [String]) async throws -> (status: Int32, output: String) {
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-\(UUID().uuidString).log")
    let child = try ChildProcess(name: "agentfl", executable: AgentFLExecutable.url, arguments: arguments, logFile: log)
    let status = await child.waitForExit()
    return (status, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
}
