import Foundation
import Testing
@testable import Learning

@Suite struct SimulationTests {
    static func task(
        seed: UInt64, widths: [Double] = [1], aggregation: AggregationChoice = .fedAvg, partition: PartitionScheme = .dirichlet(alpha: 0.5)
    ) throws -> FederatedTask {
        let configuration = SimulationConfiguration(
            partition: partition, clients: 8, clientsPerRound: 4, rounds: 4,
            training: TrainingConfiguration(localEpochs: 1, batchSize: 16, learningRate: 0.1),
            architecture: .mlp, clientWidths: widths, aggregation: aggregation, seed: seed
        )
        return try FederatedTask(
            configuration: configuration, train: TrainingTests.quadrants(count: 400, seed: 1), test: TrainingTests.quadrants(count: 200, seed: 2)
        )
    }

    @Test func sameSeedSameNumbersAndItLearns() throws {
        let a = try FederatedSimulation(task: Self.task(seed: 5)).run()
        let b = try FederatedSimulation(task: Self.task(seed: 5), concurrentClients: 2).run()
        let c = try FederatedSimulation(task: Self.task(seed: 6)).run()
        #expect(a.rounds.map(\.selected) == b.rounds.map(\.selected))
        #expect(a.rounds.map(\.testAccuracy) == b.rounds.map(\.testAccuracy))
        let again = try FederatedSimulation(task: Self.task(seed: 5)).run()
        #expect(a.finalParameters == again.finalParameters)
        #expect(a.rounds.map(\.selected) != c.rounds.map(\.selected))
        #expect(a.rounds.count == 4)
        #expect((a.finalAccuracy ?? 0) > 0.9)
        #expect(a.rounds.allSatisfy { $0.k == 4 && $0.bytesUp == 4 * a.parameterCount * 4 })
    }

    @Test func heteroFLAndRobustRulesRun() throws {
        let mixed = try FederatedSimulation(task: Self.task(seed: 3, widths: [1, 0.5, 0.25], partition: .iid)).run()
        #expect((mixed.finalAccuracy ?? 0) > 0.8, "HeteroFL: \(mixed.rounds.map(\.testAccuracy))")
        #expect(mixed.rounds[0].bytesUp < 4 * mixed.parameterCount * 4)
        let median = try FederatedSimulation(task: Self.task(seed: 3, aggregation: .median, partition: .iid)).run()
        #expect((median.finalAccuracy ?? 0) > 0.8, "median: \(median.rounds.map(\.testAccuracy))")
    }

    @Test func writesResultsJSONAndCSV() throws {
        let task = try Self.task(seed: 1)
        let result = try FederatedSimulation(task: task).run()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID().uuidString)")
        try SimulationReport.write(result, configuration: task.configuration, to: directory)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("results.json"))) as? [String: Any]
        let config = json?["config"] as? [String: Any]
        #expect(config?["clients"] as? Int == 8)
        #expect(config?["partition"] as? String == "dirichlet")
        // What the arithmetic depends on is recorded with the results.
        #expect(config?["init"] as? String == "he")
        #expect(config?["batch_shards"] as? Int == 2)
        try SimulationReport.writePartition(task.partition, to: directory)
        let partition = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("partition.json"))) as? [String: [[Int]]]
        #expect(partition?["clients"] == task.partition)
        let rounds = json?["rounds"] as? [[String: Any]]
        #expect(rounds?.count == 4)
        for key in ["round", "k", "test_accuracy", "test_loss", "bytes_up", "bytes_down", "seconds"] {
            #expect(rounds?.first?[key] != nil, "missing \(key)")
        }
        let csv = try String(contentsOf: directory.appendingPathComponent("results.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 5)
    }

    @Test func invalidConfigurationIsRejected() throws {
        var configuration = SimulationConfiguration(clients: 5, clientsPerRound: 6)
        #expect(throws: (any Error).self) { try configuration.validate() }
        configuration = SimulationConfiguration(clientWidths: [1, 0.5], aggregation: .median)
        #expect(throws: (any Error).self) { try configuration.validate() }
    }

    /// What used to run and exit 0 with meaningless results.
    @Test func meaninglessRunsAreRejected() throws {
        func message(_ configuration: SimulationConfiguration) -> String? {
            do { try configuration.validate(); return nil } catch { return error.description }
        }
        #expect(message(SimulationConfiguration(rounds: 0)) == "invalid simulation configuration: rounds must be at least 1, got 0")
        #expect(message(SimulationConfiguration(training: TrainingConfiguration(localEpochs: 0)))
            == "invalid simulation configuration: local epochs must be at least 1, got 0")
        #expect(message(SimulationConfiguration(testLimit: 0)) == "invalid simulation configuration: test limit must be at least 1, got 0")
        #expect(message(SimulationConfiguration(clientsPerRound: 4, aggregation: .krum(byzantine: 1, selected: 1)))?
            .contains("needs at least 5 updates per round (n ≥ 2f+3), but a round may merge only 4") == true)
        #expect(message(SimulationConfiguration(clientsPerRound: 5, aggregation: .krum(byzantine: 1, selected: 1))) == nil)
        // A data set without samples cannot make a task.
        let configuration = SimulationConfiguration(partition: .iid, clients: 2, clientsPerRound: 1, rounds: 1)
        let empty = try Dataset(sampleShape: [1, 6, 6], classCount: 4, features: [], labels: [])
        #expect(throws: (any Error).self) {
            try FederatedTask(configuration: configuration, train: empty, test: TrainingTests.quadrants(count: 10, seed: 1))
        }
    }
}
