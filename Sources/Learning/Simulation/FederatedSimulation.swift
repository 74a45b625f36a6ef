import Foundation

/// The whole run's outcome.
public struct SimulationResult: Sendable {
    public let rounds: [RoundResult]
    public let parameterCount: Int
    public let partition: PartitionReport
    public let finalParameters: [Float]
    public let seconds: Double

    public var finalAccuracy: Double? { rounds.last?.testAccuracy }
}

/// Federated learning in one process, no Kafka: per round select K clients, train each from the
/// global model, aggregate, evaluate on the test set.
public struct FederatedSimulation: Sendable {
    public let task: FederatedTask
    /// Clients trained at the same time; the cores left over go to each client's batch shards.
    /// Results do not depend on it.
    public let concurrentClients: Int
    /// Cores the run may use (default: all).
    public let cores: Int

    public init(task: FederatedTask, concurrentClients: Int = 1, cores: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.task = task
        self.concurrentClients = max(1, concurrentClients)
        self.cores = max(1, cores)
    }

    /// Cores each client's training may use.
    var threadsPerClient: Int { max(1, cores / concurrentClients) }

    public func run(progress: (RoundResult) -> Void = { _ in }) throws(SimulationError) -> SimulationResult {
        let runStart = ContinuousClock.now
        // Parallelism comes from clients side by side and from each batch's shards, each on
        // single-threaded OpenBLAS (small matrices gain more that way than from threaded sgemm).
        // It is left single-threaded afterwards: switching it back while another simulation in
        // the process runs shards side by side would enter threaded sgemm from two threads.
        BLASThreads.set(1)
        var global = task.initialParameters()
        var rounds = [RoundResult]()
        for round in 1...max(task.configuration.rounds, 1) where task.configuration.rounds > 0 {
            let roundStart = ContinuousClock.now
            let selected = task.selectClients(round: round)
            let trained = try trainAll(selected, round: round, global: global)
            global = try task.aggregate(trained.map(\.contribution), global: global, round: round)
            let (accuracy, loss) = try task.evaluate(global, threads: cores)
            let samples = trained.reduce(0) { $0 + $1.result.sampleCount }
            let trainLoss = trained.reduce(0.0) { $0 + $1.result.meanLoss * Double($1.result.sampleCount) } / Double(max(samples, 1))
            let floats = selected.reduce(0) { $0 + task.parameterCount(forClient: $1) }
            let result = RoundResult(
                round: round, k: selected.count, selected: selected, testAccuracy: accuracy, testLoss: loss, trainLoss: trainLoss,
                bytesUp: floats * MemoryLayout<Float>.size, bytesDown: floats * MemoryLayout<Float>.size,
                seconds: Self.seconds(since: roundStart)
            )
            rounds.append(result)
            progress(result)
        }
        return SimulationResult(
            rounds: rounds, parameterCount: task.model.parameterCount, partition: task.partitionReport,
            finalParameters: global, seconds: Self.seconds(since: runStart)
        )
    }

    private func trainAll(_ clients: [Int], round: Int, global: [Float]) throws(SimulationError) -> [(contribution: ClientContribution, result: LocalTrainingResult)] {
        let task = self.task
        let threads = threadsPerClient
        return try ShardRunner(threads: concurrentClients).map(clients.count) { i throws(SimulationError) in
            try task.trainClient(clients[i], round: round, global: global, threads: threads)
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = start.duration(to: .now)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}
