import Agents
import ArgumentParser
import Foundation
import KafkaTransport

/// `agentfl-bench rounds`: wall time per round of the multi-process `agentfl run` against the
/// in-process `agentfl simulate` with the same settings, the system's start-up time, and the
/// peak resident memory of each process tree (sampled from /proc every 100 ms).
struct RoundBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rounds",
        abstract: "Seconds per round of agentfl run (processes over Kafka) against agentfl simulate (one process).")

    @Option(help: "Clients (the reference: 100, so each holds ~600 samples).") var clients = 100
    @Option(name: .customLong("guardian-processes"), help: "Guardian processes the clients are spread over.")
    var guardianProcesses = 10
    @Option(name: .customLong("k"), help: "Clients per round.") var k = 10
    @Option(help: "Rounds per run.") var rounds = 10
    @Option(help: "Runs of each; medians are reported.") var runs = 3
    @Option(help: "mlp or cnn.") var model = "mlp"

    func run() async throws {
        let agentfl = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("agentfl")
        let common = [
            "--clients", "\(clients)", "--k", "\(k)", "--rounds", "\(rounds)", "--model", model,
            "--partition", "dirichlet", "--alpha", "0.5", "--seed", "1",
        ]
        print("agentfl run (\(guardianProcesses) guardian processes) vs agentfl simulate: Fashion-MNIST, \(model), Dirichlet α=0.5, \(clients) clients, K=\(k), \(rounds) rounds, \(runs) runs each")
        var runRound: [Double] = [], simRound: [Double] = [], startup: [Double] = []
        var runWall: [Double] = [], simWall: [Double] = [], runMemory: [Int] = [], simMemory: [Int] = []
        var runProportional: [Int] = [], simProportional: [Int] = []
        var accuracies: [(Double, Double)] = []
        var agreed = 0
        for index in 0..<runs {
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-bench-\(UUID().uuidString)")
            let run = try await Self.measure(agentfl, ["run", "--out", out.appendingPathComponent("run").path,
                                                       "--guardian-processes", "\(guardianProcesses)"] + common)
            let sim = try await Self.measure(agentfl, ["simulate", "--quiet", "--out", out.appendingPathComponent("sim").path] + common)
            let runResults = try Self.results(out.appendingPathComponent("run/results.json"))
            let simResults = try Self.results(out.appendingPathComponent("sim/results.json"))
            // Round 1 of a run also waits for every guardian to load its data: it is start-up, not a round.
            runRound.append(Self.median(runResults.rounds.dropFirst().map(\.seconds)))
            simRound.append(Self.median(simResults.rounds.dropFirst().map(\.seconds)))
            startup.append(runResults.startup)
            runWall.append(run.seconds)
            simWall.append(sim.seconds)
            runMemory.append(run.peakBytes)
            simMemory.append(sim.peakBytes)
            runProportional.append(run.peakProportionalBytes)
            simProportional.append(sim.peakProportionalBytes)
            accuracies.append((runResults.rounds.last?.accuracy ?? 0, simResults.rounds.last?.accuracy ?? 0))
            print(String(format: "  run %d: run %.3f s/round, simulate %.3f s/round, ready after %.2f s, accuracy %.4f vs %.4f",
                         index + 1, runRound.last!, simRound.last!, startup.last!, accuracies.last!.0, accuracies.last!.1))
            if let note = Self.divergence(run: runResults, simulate: simResults) {
                // Kept for a look: the run's results.json and audit.log say what each round used.
                print("    run and simulate agreed in every round: no; they part at \(note); kept \(out.path)")
            } else {
                agreed += 1
                print("    run and simulate agreed in every round: yes (\(runResults.rounds.count) rounds)")
                try? FileManager.default.removeItem(at: out)
            }
        }
        let r = Self.median(runRound), s = Self.median(simRound)
        print(String(format: "seconds per round (median of rounds 2…%d, median of runs): run %.3f  simulate %.3f  ratio %.2f×", rounds, r, s, r / s))
        print(String(format: "system ready (broker + roles up, every guardian loaded its data, round 1 announced): %.2f s", Self.median(startup)))
        print(String(format: "whole command: run %.1f s, simulate %.1f s", Self.median(runWall), Self.median(simWall)))
        func mebibytes(_ values: [Int]) -> Double { Self.median(values.map(Double.init)) / 1_048_576 }
        print(String(format: "peak resident memory of the process tree (sum of VmRSS, shared pages counted in every process): run %.0f MiB, simulate %.0f MiB",
                     mebibytes(runMemory), mebibytes(simMemory)))
        print(String(format: "peak proportional memory of the process tree (sum of PSS, shared pages counted once): run %.0f MiB, simulate %.0f MiB",
                     mebibytes(runProportional), mebibytes(simProportional)))
        print("run-vs-simulate agreement: \(agreed) of \(runs) runs agreed in every round")
        print("reference (PARTS.md, same work): PyTorch FedAvg loop 0.194 s/round; Flower 1.42 simulation 0.545 s/round, 14–19 s start-up and teardown, 1.6 GiB process tree")
    }

    struct Round {
        var seconds: Double
        var accuracy: Double
        var selected: [Int]
        /// Clients whose updates were merged (run only; nil for simulate, which merges every selected one).
        var merged: [Int]?
    }

    struct Results {
        var rounds: [Round]
        var startup: Double
    }

    static func results(_ url: URL) throws -> Results {
        guard let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any],
              let rounds = object["rounds"] as? [[String: Any]]
        else { throw ValidationError("\(url.path) has no rounds") }
        return Results(
            rounds: rounds.map {
                Round(seconds: ($0["seconds"] as? Double) ?? 0, accuracy: ($0["test_accuracy"] as? Double) ?? 0,
                      selected: (($0["selected"] as? [Int]) ?? []).sorted(), merged: ($0["merged"] as? [Int])?.sorted())
            },
            startup: (object["ready_seconds"] as? Double) ?? 0)
    }

    /// The first round whose accuracy differs (or a differing round count), and why as far as the
    /// results tell; nil when they agree in every round.
    static func divergence(run: Results, simulate: Results) -> String? {
        if run.rounds.isEmpty || run.rounds.count != simulate.rounds.count {
            return "round count: run \(run.rounds.count), simulate \(simulate.rounds.count)"
        }
        for (index, (r, s)) in zip(run.rounds, simulate.rounds).enumerated() where r.accuracy != s.accuracy {
            var reasons: [String] = []
            if r.selected != s.selected { reasons.append("selected \(r.selected) vs \(s.selected)") }
            if let merged = r.merged, merged != r.selected { reasons.append("merged \(merged.count) of \(r.selected.count)") }
            return "round \(index + 1): " + (reasons.isEmpty ? "same clients, different numbers" : reasons.joined(separator: "; "))
        }
        return nil
    }

    /// Runs the command to its end, sampling the resident memory of its whole process tree.
    static func measure(_ executable: URL, _ arguments: [String]) async throws -> (seconds: Double, peakBytes: Int, peakProportionalBytes: Int) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-bench-\(UUID().uuidString).log")
        let started = ContinuousClock.now
        let child = try ChildProcess(name: "agentfl", executable: executable, arguments: arguments, logFile: log)
        var peak = 0, peakProportional = 0
        while child.isRunning {
            let tree = treeMemory(root: child.processIdentifier)
            peak = max(peak, tree.resident)
            peakProportional = max(peakProportional, tree.proportional)
            try await Task.sleep(for: .milliseconds(100))
        }
        let status = await child.waitForExit()
        let elapsed = started.duration(to: .now)
        guard status == 0 else {
            throw ValidationError("agentfl \(arguments.first ?? "") failed (\(status)):\n" + ((try? String(contentsOf: log, encoding: .utf8)) ?? ""))
        }
        try? FileManager.default.removeItem(at: log)
        return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, peak, peakProportional)
    }

    /// Sums of VmRSS and of PSS over `root` and all its descendants.
    static func treeMemory(root: Int32) -> (resident: Int, proportional: Int) {
        var parents: [Int32: [Int32]] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { parents[parent, default: []].append(pid) }
        }
        var resident = 0, proportional = 0
        var pending = [root]
        while let pid = pending.popLast() {
            resident += ProcessMemory.residentBytes(of: pid) ?? 0
            proportional += ProcessMemory.proportionalBytes(of: pid) ?? 0
            pending += parents[pid] ?? []
        }
        return (resident, proportional)
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
