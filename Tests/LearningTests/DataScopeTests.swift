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
