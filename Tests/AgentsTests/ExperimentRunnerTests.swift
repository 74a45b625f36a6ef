@testable import Agents
import Foundation
import Learning
import Logging
import Synchronization
import Testing

/// `agentfl experiment`'s grid, in one process: every cell on the same partition, the report
/// files, and a rerun that keeps finished cells and redoes a broken one.
@Suite struct ExperimentRunnerTests {
    @Test func everyCellRunsOnceTheReportIsWrittenAndARerunResumes() async throws {
        var base = ExperimentConfiguration()
        base.dataDirectory = try FashionMNISTSlice.directory().path
        base.clients = 8
        base.k = 3
        base.rounds = 2
        let grid = try ExperimentGrid(
            base: base, policies: [try PolicySpec(parsing: "random"), try PolicySpec(parsing: "poc+k")], seeds: [1, 2])
        #expect(grid.cells.map(\.name) == ["random-seed1", "poc-plus-k-seed1", "random-seed2", "poc-plus-k-seed2"])
        #expect(grid.configuration(of: grid.cells[1]).kAgent == "tool")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-experiment-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let runner = ExperimentRunner(grid: grid, mode: .inProcess(concurrentClients: 2), directory: directory, logger: Logger(label: "test"))

        let events = Mutex<[String]>([])
        let record: @Sendable (ExperimentRunner.Progress) -> Void = { event in
            switch event {
            case let .skipped(cell, _, _): events.withLock { $0.append("skip \(cell.name)") }
            case let .started(cell, _, _, _): events.withLock { $0.append("run \(cell.name)") }
            default: break
            }
        }
        let report = try await runner.run(progress: record)
        #expect(events.withLock { $0 } == grid.cells.map { "run \($0.name)" })
        #expect(report.cells.count == 4)
        for name in ["results.json", "results.csv", "report.md", "plots/accuracy.svg", "plots/accuracy.png", "plots/participation.vl.json"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path), "\(name)")
        }
        let markdown = try String(contentsOf: directory.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains("| random | 2 |") && markdown.contains("| poc+k | 2 |"))
        #expect(markdown.contains("](plots/accuracy.svg)"))
        let csv = try String(contentsOf: directory.appendingPathComponent("results.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 1 + 4 * 2)
        // The same seed gives every policy the same partition: round 1 of random and poc+k on
        // seed 1 plan from the same candidates.
        let (a, b) = (report.cells[0].document, report.cells[1].document)
        #expect(a.config.seed == b.config.seed)

        // Rerun: finished cells are kept; a broken one (no results) is run again.
        try FileManager.default.removeItem(at: directory.appendingPathComponent("cells/random-seed2/results.json"))
        events.withLock { $0.removeAll() }
        _ = try await runner.run(progress: record)
        #expect(events.withLock { $0 } == ["skip random-seed1", "skip poc-plus-k-seed1", "run random-seed2", "skip poc-plus-k-seed2"])
    }

    @Test func policyNamesAreParsedOrRefused() throws {
        #expect(try PolicySpec(parsing: "llm+k").kAgent == "llm")
        #expect(try PolicySpec(parsing: "oort").kAgent == "fixed")
        #expect(throws: AgentError.self) { try PolicySpec(parsing: "oort+x") }
        #expect(throws: AgentError.self) { try PolicySpec(parsing: "+k") }
    }
}

@Suite struct DelayScheduleTests {
    @Test func theScheduleParsesAndPicksAFixedFractionOfClients() throws {
        let schedule = try #require(DelaySchedule(parsing: "0.2:11-15:5"))
        #expect(schedule.rounds == 11...15 && schedule.factor == 5)
        let delayed = schedule.delayedClients(clients: 25, seed: 1)
        #expect(delayed.count == 5)
        #expect(delayed == schedule.delayedClients(clients: 25, seed: 1))
        #expect(delayed != schedule.delayedClients(clients: 25, seed: 2))
        for text in ["0:11-15:5", "1.5:1-2:2", "0.2:15-11:5", "0.2:11-15:0.5", "0.2:11:5", "x"] {
            #expect(DelaySchedule(parsing: text) == nil, "\(text)")
        }
    }

    @Test func onlyDelayedClientsInsideTheWindowAreSlowed() throws {
        var configuration = ExperimentConfiguration()
        configuration.clients = 25
        configuration.delay = "0.2:11-15:5"
        #expect(configuration.slowdowns(round: 10).isEmpty && configuration.slowdowns(round: 16).isEmpty)
        let inside = configuration.slowdowns(round: 11)
        #expect(inside.count == 5 && inside.values.allSatisfy { $0 == 5 })
        configuration.delay = "0.2-11"
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
    }
}
