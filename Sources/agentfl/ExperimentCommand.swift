import Agents
import ArgumentParser
import Foundation
import Logging

/// `agentfl experiment`: every policy × seed on identical partitions and populations, through the
/// real multi-process system (or `--in-process`), then the comparison in `results.json`,
/// `results.csv` and `report.md`. A rerun skips finished cells and redoes broken ones.
struct ExperimentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Compare selection brains and K-Agents: every policy × seed, then a report.",
        discussion: "Policies are brain names, with +k for the adaptive K-Agent (the tool K-Agent; for llm the LLM K-Agent), e.g. random,oort,oort+k,poc,coverage,llm,llm+k. Every cell gets the experiment flags; only its policy, K-Agent and seed differ.")

    @OptionGroup var experiment: ExperimentOptions
    @Option(help: "Comma-separated policies (see above).") var policies = "random,oort,oort+k,poc,coverage"
    @Option(help: "Comma-separated seeds.") var seeds = "1,2,3"
    @Option(help: "Starting point: paper (the source paper's setting: 25 clients, 50 rounds, round 1 takes all, 3 local epochs, Adam 1e-4, its MNIST CNN) or reference (this project's default); flags override it.")
    var preset: String?
    @Flag(name: .customLong("in-process"), help: "Run each cell in one process (agentfl simulate) instead of as processes over Kafka.")
    var inProcess = false
    @Option(name: .customLong("guardian-processes"), parsing: .unconditional, help: "Guardian processes per cell (processes only).")
    var guardianProcesses = 2
    @Option(help: "Topic definitions folder.") var topics: String?
    @Option(help: "Output folder: cells/, results.json, results.csv, report.md.") var out = "out/experiment"

    func run() async throws {
        let specs = try policies.split(separator: ",").map { try PolicySpec(parsing: String($0)) }
        let seedList = try seeds.split(separator: ",").map { text -> UInt64 in
            guard let seed = UInt64(text.trimmingCharacters(in: .whitespaces)) else {
                throw ExperimentOptions.usageFailure("--seeds takes comma-separated whole numbers (got \(String(text).debugDescription))")
            }
            return seed
        }
        let execution: ExperimentExecution = inProcess ? .inProcess : .processes
        var start = ExperimentConfiguration()
        if let preset {
            guard let chosen = ExperimentPreset(rawValue: preset) else {
                throw ExperimentOptions.usageFailure("--preset must be one of \(ExperimentPreset.allCases.map(\.rawValue).joined(separator: ", ")) (got \(preset.debugDescription))")
            }
            start = chosen.configuration
        }
        let base = try experiment.prepared(for: execution, base: start)
        let grid: ExperimentGrid
        do {
            grid = try ExperimentGrid(base: base, policies: specs, seeds: seedList)
            try grid.validate(execution: execution)
        } catch {
            throw ExperimentOptions.usageFailure("\(error)")
        }
        var logger = Logger(label: "agentfl.experiment")
        logger.logLevel = .warning
        let mode: ExperimentRunner.Mode = inProcess
            ? .inProcess(concurrentClients: base.model == "mlp" ? 2 : 1)
            : .processes(
                executable: URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath(),
                topicsDirectory: try TopicsLocation.resolve(topics), guardianProcesses: guardianProcesses)
        let directory = URL(fileURLWithPath: out)
        print("agentfl experiment: \(specs.map(\.label).joined(separator: ", ")) × seeds \(seedList.map(String.init).joined(separator: ", ")) = \(grid.cells.count) cells, \(inProcess ? "in one process" : "as processes over Kafka"), into \(directory.path)")
        let report = try await ExperimentRunner(grid: grid, mode: mode, directory: directory, logger: logger).run { event in
            switch event {
            case let .skipped(cell, index, total):
                print("cell \(index)/\(total) \(cell.spec.label) seed \(cell.seed): finished before, kept")
            case let .started(cell, index, total, remaining):
                print("cell \(index)/\(total) \(cell.spec.label) seed \(cell.seed)" + (remaining.map { String(format: " (about %.0f s left)", $0) } ?? ""))
            case let .round(cell, round, total):
                print(String(format: "  %@ seed %llu round %d/%d  K=%d  acc %.4f", cell.spec.label, cell.seed, round.round, total, round.k, round.testAccuracy))
            case let .finished(cell, seconds):
                print(String(format: "  %@ seed %llu done in %.1f s", cell.spec.label, cell.seed, seconds))
            }
        }
        for summary in report.summaries {
            print(String(format: "%@: final accuracy %.4f ± %.4f over %d seeds", summary.spec.label,
                         summary.finalAccuracy?.mean ?? 0, summary.finalAccuracy?.deviation ?? 0, summary.seeds))
        }
        print("wrote \(directory.appendingPathComponent("report.md").path)")
    }
}
