@testable import Agents
import Foundation
import Learning
import Privacy
import TestSupport
import Testing

/// Tests that start the broker and role processes run one at a time: in parallel they would
/// compete for the 2 cores and miss their own deadlines.
@Suite(.serialized) struct ProcessTests {}

/// Real broker, real processes: the whole system as a user runs it.
extension ProcessTests {
@Suite(.serialized) struct MultiProcessRunTests {
    /// Every deterministic brain, with a fixed and an adaptive K: `run` and `simulate` run one
    /// round code, so they decide and learn alike, round by round.
    @Test(arguments: [("random", "fixed"), ("oort", "tool"), ("poc", "fixed"), ("coverage", "tool")])
    func runMatchesSimulate(policy: String, kAgent: String) async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-run-\(UUID().uuidString)")
        let common = [
            "--clients", "10", "--k", "4", "--rounds", "3", "--data-dir", try FashionMNISTSlice.directory().path,
            "--seed", "11", "--model", "mlp", "--partition", "dirichlet", "--alpha", "0.5",
            "--policy", policy, "--k-agent", kAgent, "--k-min", "2", "--k-max", "6",
        ]
        let run = try await runAgentFL(["run", "--out", out.appendingPathComponent("run").path, "--guardian-processes", "2"] + common)
        #expect(run.status == 0, "agentfl run failed:\n\(run.output)")
        let simulate = try await runAgentFL(["simulate", "--out", out.appendingPathComponent("sim").path] + common)
        #expect(simulate.status == 0, "agentfl simulate failed:\n\(simulate.output)")

        let runRounds = try rounds(in: out.appendingPathComponent("run/results.json"))
        let simRounds = try rounds(in: out.appendingPathComponent("sim/results.json"))
        #expect(runRounds.count == 3)
        #expect(simRounds.count == 3)
        // One round code in both: the same strategy state, selection, prices and model, exactly.
        for (r, s) in zip(runRounds, simRounds) {
            let round = r["round"] ?? "?"
            let a = try #require(r["test_accuracy"] as? Double)
            let b = try #require(s["test_accuracy"] as? Double)
            #expect(a == b, "round \(round): run \(a) vs simulate \(b)")
            #expect(r["selected"] as? [Int] == s["selected"] as? [Int], "round \(round)")
            #expect(r["strategy_state"] as? String == s["strategy_state"] as? String, "round \(round)")
            #expect(r["clearing_price"] as? Double == s["clearing_price"] as? Double, "round \(round)")
            #expect(r["train_loss"] as? Double == s["train_loss"] as? Double, "round \(round)")
            #expect(r["strategy"] as? String == "\(policy)+k-\(kAgent)")
            #expect(r["k"] as? Int == s["k"] as? Int, "round \(round)")
        }
        // The audit log is intact, covers every round, and holds every bid and update of the run,
        // the last round's too (they may reach the auditor after that round's metrics).
        let verify = try await runAgentFL(["audit", "verify", out.appendingPathComponent("run/audit.log").path])
        #expect(verify.status == 0, "audit verify failed:\n\(verify.output)")
        let logged = try entryTypes(in: out.appendingPathComponent("run/audit.log"))
        #expect(logged["bid"] == 10 * 3)
        #expect(logged["client-update"] == runRounds.reduce(0) { $0 + (($1["selected"] as? [Int])?.count ?? 0) })
        #expect(logged["round-metrics"] == 3)
    }

    /// The delayed-client scenario for real: delayed clients miss the round's deadline and are
    /// missing from it, and their guardians still answer the next calls while they wait.
    @Test func delayedClientsMissTheDeadlineAndTheirGuardiansKeepBidding() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-delay-\(UUID().uuidString)")
        let run = try await runAgentFL([
            "run", "--out", out.path, "--clients", "10", "--k", "4", "--rounds", "4", "--seed", "11",
            "--data-dir", try FashionMNISTSlice.directory().path, "--delay", "0.5:2-3:2000",
            "--round-timeout", "3", "--quorum", "0.25",
        ])
        #expect(run.status == 0, "agentfl run failed:\n\(run.output)")
        let rounds = try rounds(in: out.appendingPathComponent("results.json"))
        try #require(rounds.count == 4)
        let delayed = try #require(DelaySchedule(parsing: "0.5:2-3:2000")).delayedClients(clients: 10, seed: 11)
        for round in rounds {
            let number = try #require(round["round"] as? Int)
            let selected = Set(round["selected"] as? [Int] ?? [])
            let merged = Set(round["merged"] as? [Int] ?? [])
            // Every round was planned with every client's bid: none was held up by a waiting update.
            #expect(selected.count == 4, "round \(number): \(selected)")
            if (2...3).contains(number) {
                #expect(merged.isDisjoint(with: delayed), "round \(number): a delayed client was merged")
            }
        }
    }

    /// Differential privacy across processes: each guardian charges its clients' rounds, declines
    /// once a round would pass the budget, and draws its noise from the run's private seed file;
    /// `simulate` with that file gives the run's numbers exactly, and the audit log holds every
    /// privacy statement and decline.
    @Test func dpRunMatchesSimulateWithTheSeedFileAndBudgetsHold() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-dp-\(UUID().uuidString)")
        let data = try FashionMNISTSlice.directory().path
        // A budget between one and two rounds of the median client: it trains once, then declines.
        var configuration = ExperimentConfiguration()
        configuration.dataDirectory = data
        configuration.clients = 10
        configuration.seed = 11
        configuration.privacy = "dp-sgd"
        configuration.dpNoiseMultiplier = 1.2
        let counts = try configuration.federatedTask().partition.map(\.count).sorted()
        let mechanism = try #require(configuration.privacyMechanism(sampleCount: counts[counts.count / 2]))
        var unlimited = PrivacyLedger(budget: PrivacyBudget(epsilon: 1e9, delta: 1e-5))
        let one = try unlimited.charge(round: 1, mechanism: mechanism).after
        let two = try unlimited.charge(round: 2, mechanism: mechanism).after
        let budget = ((one + two) / 2 * 100).rounded() / 100
        let common = [
            "--clients", "10", "--k", "5", "--rounds", "3", "--data-dir", data, "--seed", "11",
            "--dp", "dp-sgd", "--dp-noise", "1.2", "--dp-epsilon", "\(budget)",
        ]
        let run = try await runAgentFL(["run", "--out", out.appendingPathComponent("run").path, "--guardian-processes", "2"] + common)
        #expect(run.status == 0, "agentfl run failed:\n\(run.output)")
        let seedFile = out.appendingPathComponent("run/keys/\(ExperimentLauncher.noiseSeedFileName)")
        let simulate = try await runAgentFL(
            ["simulate", "--out", out.appendingPathComponent("sim").path, "--dp-seed-file", seedFile.path] + common)
        #expect(simulate.status == 0, "agentfl simulate failed:\n\(simulate.output)")
        let runRounds = try rounds(in: out.appendingPathComponent("run/results.json"))
        let simRounds = try rounds(in: out.appendingPathComponent("sim/results.json"))
        #expect(runRounds.count == 3 && simRounds.count == 3)
        var declines = 0
        for (r, s) in zip(runRounds, simRounds) {
            #expect(r["test_accuracy"] as? Double == s["test_accuracy"] as? Double, "round \(r["round"] ?? "?")")
            #expect(r["selected"] as? [Int] == s["selected"] as? [Int])
            #expect(r["epsilon"] as? [String: Double] == s["epsilon"] as? [String: Double])
            #expect(r["declined"] as? [String: String] == s["declined"] as? [String: String])
            for epsilon in (r["epsilon"] as? [String: Double] ?? [:]).values { #expect(epsilon <= budget) }
            declines += (r["declined"] as? [String: String] ?? [:]).values.filter { $0 == "privacy budget" }.count
        }
        #expect(declines > 0, "no client ran out of budget")
        // The key file is the guardians' alone.
        let mode = try FileManager.default.attributesOfItem(atPath: seedFile.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Every bid and update the auditor logged states the privacy spend; the declines are there too.
        let log = try String(contentsOf: out.appendingPathComponent("run/audit.log"), encoding: .utf8)
        #expect(log.contains("privacy budget"))
        let verify = try await runAgentFL(["audit", "verify", out.appendingPathComponent("run/audit.log").path])
        #expect(verify.status == 0, "audit verify failed:\n\(verify.output)")
        // One readable line per decision, with who was no candidate and why.
        let shown = try await runAgentFL(["audit", "show", out.appendingPathComponent("run/audit.log").path, "--decisions"])
        #expect(shown.status == 0, "audit show --decisions failed:\n\(shown.output)")
        let lines = shown.output.split(separator: "\n").filter { $0.hasPrefix("#") }
        #expect(lines.count == 3, "\(shown.output)")
        #expect(lines.allSatisfy { $0.contains("random") && $0.contains("K=") && $0.contains("state ") })
        #expect(shown.output.contains("privacy budget"))
    }

    /// A population of tiers, strategies and budgets as processes: the guardians fit widths to
    /// their tiers, decline offline rounds, wait out their devices' time, and `run` still equals
    /// `simulate` round by round; the aggregator merges the mixed widths.
    @Test func populationRunMatchesSimulate() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-population-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let data = try FashionMNISTSlice.directory().path
        var configuration = ExperimentConfiguration()
        configuration.dataDirectory = data
        configuration.clients = 10
        configuration.widths = [1, 0.5]
        let task = try configuration.federatedTask()
        let halfOnly = (Double(task.model.trainingMemoryBytes(batchSize: 32, optimizerSlots: 0))
            + Double(task.model(forWidth: 0.5)!.trainingMemoryBytes(batchSize: 32, optimizerSlots: 0))) / 2 / 1_048_576
        let population = out.appendingPathComponent("population.json")
        try Data("""
            {"tiers": {
               "edge": {"samplesPerSecond": 100000, "memoryMiB": \(halfOnly)},
               "slow": {"samplesPerSecond": 500, "memoryMiB": 1024, "offlineRounds": [2]}},
             "groups": [
               {"clients": "0-3", "tier": "server"},
               {"clients": "4-6", "tier": "edge", "bidStrategy": "margin:1.5"},
               {"clients": "7-9", "tier": "slow"}]}
            """.utf8).write(to: population)
        let common = [
            "--clients", "10", "--k", "5", "--rounds", "3", "--data-dir", data, "--seed", "11", "--width", "1,0.5",
            "--population", population.path,
        ]
        let run = try await runAgentFL(["run", "--out", out.appendingPathComponent("run").path, "--guardian-processes", "2"] + common)
        #expect(run.status == 0, "agentfl run failed:\n\(run.output)")
        let simulate = try await runAgentFL(["simulate", "--out", out.appendingPathComponent("sim").path] + common)
        #expect(simulate.status == 0, "agentfl simulate failed:\n\(simulate.output)")
        let runRounds = try rounds(in: out.appendingPathComponent("run/results.json"))
        let simRounds = try rounds(in: out.appendingPathComponent("sim/results.json"))
        #expect(runRounds.count == 3 && simRounds.count == 3)
        var sawHalf = false
        for (r, s) in zip(runRounds, simRounds) {
            let round = r["round"] as? Int ?? 0
            #expect(r["test_accuracy"] as? Double == s["test_accuracy"] as? Double, "round \(round)")
            #expect(r["selected"] as? [Int] == s["selected"] as? [Int], "round \(round)")
            #expect(r["merged"] as? [Int] == r["selected"] as? [Int], "round \(round): every update merged")
            #expect(r["declined"] as? [String: String] == s["declined"] as? [String: String], "round \(round)")
            let widths = r["widths"] as? [String: Double] ?? [:]
            #expect(widths == (s["widths"] as? [String: Double] ?? [:]), "round \(round)")
            for (key, width) in widths {
                #expect(width == ((4...6).contains(Int(key) ?? -1) ? 0.5 : 1), "round \(round), client \(key)")
                sawHalf = sawHalf || width == 0.5
            }
            if round == 2 {
                let declined = r["declined"] as? [String: String] ?? [:]
                #expect((7...9).allSatisfy { declined[String($0)] == "offline" }, "\(declined)")
            }
        }
        #expect(sawHalf, "no edge client was assigned")
        let verify = try await runAgentFL(["audit", "verify", out.appendingPathComponent("run/audit.log").path])
        #expect(verify.status == 0, "audit verify failed:\n\(verify.output)")
    }

    func entryTypes(in log: URL) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in try String(contentsOf: log, encoding: .utf8).split(separator: "\n") {
            let entry = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            counts[entry?["type"] as? String ?? "?", default: 0] += 1
        }
        return counts
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
