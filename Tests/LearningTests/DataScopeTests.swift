import Foundation
import Testing
@testable import Learning

/// A process decodes only the samples it uses (a guardian its clients' shards, the aggregator the
/// test set) and trains and evaluates exactly as a process holding everything does.
@Suite struct DataScopeTests {
    static func configuration() -> SimulationConfiguration {
        var configuration = SimulationConfiguration(
            dataset: .fashionMNIST, partition: .dirichlet(alpha: 0.5), clients: 20, clientsPerRound: 4, rounds: 1,
            training: TrainingConfiguration(localEpochs: 1, batchSize: 16, learningRate: 0.05),
            architecture: .mlp, seed: 11, trainLimit: 3_000, testLimit: 500)
        configuration.population = ClientPopulation(mislabeled: [3], tiny: [5], tinySamples: 8)
        return configuration
    }

    @Test func aGuardiansClientsTrainAsInTheWholeSet() throws {
        let everything = try FederatedTask.load(Self.configuration())
        let hosted: Set<Int> = [3, 5, 7]
        let scoped = try FederatedTask.load(Self.configuration(), scope: .clients(hosted))
        #expect(everything.heldSampleCount == 3_000)
        #expect(scoped.heldSampleCount == hosted.map { everything.partition[$0].count }.reduce(0, +))
        #expect(scoped.partition == everything.partition)
        #expect(scoped.trainLabels == everything.trainLabels)
        #expect(scoped.test == nil)
        let global = everything.initialParameters()
        for client in hosted.sorted() {
            #expect(scoped.labelHistogram(ofClient: client) == everything.labelHistogram(ofClient: client))
            let a = try everything.trainClient(client, round: 2, global: global).contribution
            let b = try scoped.trainClient(client, round: 2, global: global).contribution
            #expect(a.parameters == b.parameters, "client \(client)")
            #expect(a.sampleCount == b.sampleCount)
        }
        // Client 3 is mislabeled: its shard's labels differ from the file's, in both tasks alike.
        var plain = Self.configuration()
        plain.population = ClientPopulation()
        let unchanged = try FederatedTask.load(plain, scope: .clients([3]))
        #expect(unchanged.trainLabels != scoped.trainLabels)
        #expect(throws: SimulationError.self) { try scoped.trainClient(4, round: 1, global: global) }
        #expect(throws: SimulationError.self) { try scoped.evaluate(global) }
    }

    /// Uncompressed IDX training files of `count` 28×28 images whose label is `index % 10` and
    /// whose pixels follow the label, in a fresh folder.
    static func ownFiles(count: Int) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-own-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func header(_ magic: UInt32, _ dimensions: [UInt32]) -> [UInt8] {
            ([magic] + dimensions).flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * (3 - $0))) } }
        }
        var images = header(0x0803, [UInt32(count), 28, 28])
        var labels = header(0x0801, [UInt32(count)])
        for index in 0..<count {
            let label = index % 10
            labels.append(UInt8(label))
            images += (0..<784).map { UInt8(truncatingIfNeeded: ($0 * (label + 1) + index) % 256) }
        }
        try Data(images).write(to: folder.appendingPathComponent("train-images-idx3-ubyte"))
        try Data(labels).write(to: folder.appendingPathComponent("train-labels-idx1-ubyte"))
        return folder
    }

    @Test func aClientWithItsOwnFilesHoldsThemWholeAndNothingElse() throws {
        let folder = try Self.ownFiles(count: 230)
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = Self.configuration()
        configuration.dataDirectory = folder
        // Neither the training limit nor the population's useless clients touch a client's own data.
        configuration.trainLimit = 50
        configuration.population = ClientPopulation(mislabeled: [2], tiny: [2], tinySamples: 8)
        let task = try FederatedTask.load(configuration, scope: .ownData(client: 2))
        #expect(task.heldSampleCount == 230)
        #expect(task.partition.count == 20)
        #expect(task.partition[2] == Array(0..<230))
        #expect(task.partition.enumerated().allSatisfy { $0.offset == 2 || $0.element.isEmpty })
        #expect(task.labelHistogram(ofClient: 2) == [23, 23, 23, 23, 23, 23, 23, 23, 23, 23])
        #expect(task.test == nil)
        let global = task.initialParameters()
        let trained = try task.trainClient(2, round: 1, global: global)
        #expect(trained.contribution.sampleCount == 230)
        #expect(trained.result.meanLoss.isFinite)
        #expect(throws: SimulationError.self) { try task.trainClient(0, round: 1, global: global) }
        #expect(throws: SimulationError.self) { try FederatedTask.load(configuration, scope: .ownData(client: 20)) }
    }

    @Test func aFolderWithoutTrainingFilesIsNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-no-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = Self.configuration()
        configuration.dataDirectory = folder
        let error = #expect(throws: SimulationError.self) { try FederatedTask.load(configuration, scope: .ownData(client: 1)) }
        #expect("\(error.map { "\($0)" } ?? "")".contains(folder.path), "\(String(describing: error))")
    }

    @Test func theAggregatorHoldsTheTestSetAndNoTrainingSamples() throws {
        let everything = try FederatedTask.load(Self.configuration())
        let evaluator = try FederatedTask.load(Self.configuration(), scope: .testSetOnly)
        #expect(evaluator.heldSampleCount == 0)
        #expect(evaluator.partition == everything.partition)
        let global = everything.initialParameters()
        let a = try everything.evaluate(global)
        let b = try evaluator.evaluate(global)
        #expect(a.accuracy == b.accuracy && a.loss == b.loss)
        #expect(throws: SimulationError.self) { try evaluator.trainClient(0, round: 1, global: global) }
    }
}
