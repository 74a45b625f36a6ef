import Foundation
import Learning
import Logging

/// Runs an experiment's grid cell by cell into `DIR/cells/NAME/`, then writes the comparison.
/// Resumable: a cell whose `results.json` holds every round is kept; any other cell folder
/// (stopped, crashed) is emptied and run again.
public struct ExperimentRunner: Sendable {
    public enum Mode: Sendable {
        /// Each cell through the real system: broker, roles as processes (`agentfl run`).
        case processes(executable: URL, topicsDirectory: URL, guardianProcesses: Int)
        /// Each cell in one process (`agentfl simulate`), the same numbers for deterministic brains.
        case inProcess(concurrentClients: Int)
    }

    public enum Progress: Sendable {
        case skipped(ExperimentGrid.Cell, index: Int, total: Int)
        case started(ExperimentGrid.Cell, index: Int, total: Int, remainingSeconds: Double?)
        case round(ExperimentGrid.Cell, RunRound, total: Int)
        case finished(ExperimentGrid.Cell, seconds: Double)
    }

    public var grid: ExperimentGrid
    public var mode: Mode
    public var directory: URL
    public var logger: Logger

    public init(grid: ExperimentGrid, mode: Mode, directory: URL, logger: Logger) {
        self.grid = grid
        self.mode = mode
        self.directory = directory
        self.logger = logger
    }

    public func run(progress: @escaping @Sendable (Progress) -> Void) async throws -> ExperimentReport {
        let cells = grid.cells
        var done: [ExperimentReport.CellResult] = []
        var durations: [Double] = []
        for (index, cell) in cells.enumerated() {
            try Task.checkCancellation()
            let folder = directory.appendingPathComponent("cells").appendingPathComponent(cell.name)
            if let finished = Self.completed(folder, rounds: grid.base.rounds) {
                progress(.skipped(cell, index: index + 1, total: cells.count))
                done.append(.init(cell: cell, document: finished))
                continue
            }
            try? FileManager.default.removeItem(at: folder)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let remaining = durations.isEmpty ? nil : durations.reduce(0, +) / Double(durations.count) * Double(cells.count - index)
            progress(.started(cell, index: index + 1, total: cells.count, remainingSeconds: remaining))
            let clock = ContinuousClock()
            let began = clock.now
            let configuration = grid.configuration(of: cell)
            let report: @Sendable (RunRound) -> Void = { progress(.round(cell, $0, total: configuration.rounds)) }
            let results: RunResults
            switch mode {
            case let .processes(executable, topics, guardianProcesses):
                let launcher = ExperimentLauncher(
                    configuration: configuration, brokers: nil, outDirectory: folder, guardianProcesses: guardianProcesses,
                    executable: executable, topicsDirectory: topics, logger: logger)
                results = try await launcher.run { event in
                    if case let .round(round, _) = event { report(round) }
                }
            case let .inProcess(concurrentClients):
                // DP cells draw their noise from one private seed file of the grid, so a rerun repeats them.
                let noise = try configuration.privacy.map { _ in try Self.noiseSeed(in: directory) }
                results = try await configuration.withLLM { llm in
                    try await InProcessExperiment(configuration: configuration, concurrentClients: concurrentClients, noiseSeed: noise)
                        .run(llm: llm, progress: report).results
                }
                try results.write(to: folder)
            }
            let seconds = began.duration(to: clock.now).inSeconds
            durations.append(seconds)
            progress(.finished(cell, seconds: seconds))
            done.append(.init(cell: cell, document: try results.document()))
        }
        let report = ExperimentReport(grid: grid, cells: done)
        try report.write(to: directory)
        return report
    }

    /// The cell's results if it ran every round.
    static func completed(_ folder: URL, rounds: Int) -> ResultsDocument? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("results.json")),
              let document = try? JSONDecoder().decode(ResultsDocument.self, from: data),
              document.rounds.count == rounds
        else { return nil }
        return document
    }

    /// The grid's private DP noise seed, DIR/dp-noise.seed, written on first use.
    static func noiseSeed(in directory: URL) throws -> NoiseSeed {
        let url = directory.appendingPathComponent(ExperimentLauncher.noiseSeedFileName)
        return FileManager.default.fileExists(atPath: url.path) ? try NoiseSeed.load(from: url) : try NoiseSeed.generate(to: url)
    }
}
