import Foundation
import Logging
import Market
import ServiceLifecycle
import WireProtocol

/// The server agent: owns the round clock. For each round it announces a call for participation,
/// collects bids until every client answered or the bid window closed, lets the selection policy
/// choose K clients, clears the market among them, publishes the assignment and waits for the
/// aggregator's metrics. Every decision goes out with the inputs it used.
public struct ServerAgent: Service {
    public var configuration: ExperimentConfiguration
    public var policy: any SelectionPolicy
    public var kPolicy: any KPolicy
    public var bus: RoleBus
    public var stateDirectory: URL
    public var logger: Logger

    public init(
        configuration: ExperimentConfiguration, policy: any SelectionPolicy, kPolicy: any KPolicy,
        bus: RoleBus, stateDirectory: URL, logger: Logger
    ) {
        self.configuration = configuration
        self.policy = policy
        self.kPolicy = kPolicy
        self.bus = bus
        self.stateDirectory = stateDirectory
        self.logger = logger
    }

    public func run() async throws {
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        let board = ConditionBoard(ServerState())
        let publisher = try bus.publisher()
        let subscriber = try bus.subscriber(
            for: [.bid, .assignment, .roundMetrics, .heartbeat], group: nil, from: .beginning)
        let logger = self.logger
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await subscriber.run { received in
                    do {
                        try await board.update { try $0.apply(received.envelope) }
                    } catch {
                        logger.warning("ignored a message that did not decode", metadata: ["error": "\(error)"])
                    }
                }
            }
            try await bus.announceKey(with: publisher, role: "server")
            try await runUntilShutdown {
                try await self.runRounds(board: board, publisher: publisher)
            }
            group.cancelAll()
        }
        await publisher.shutdown()
    }

    private var checkpointURL: URL { stateDirectory.appendingPathComponent("server-checkpoint.json") }

    private func runRounds(board: ConditionBoard<ServerState>, publisher: ProtocolPublisher) async throws {
        var checkpoint = ServerCheckpoint.load(from: checkpointURL) ?? ServerCheckpoint()
        if checkpoint.lastCompletedRound > 0 {
            logger.info("resuming after round \(checkpoint.lastCompletedRound)")
        }
        if checkpoint.lastAnnouncedRound == 0 {
            await waitForGuardians(board: board)
        }
        while checkpoint.lastCompletedRound < configuration.rounds {
            try Task.checkCancellation()
            let round = checkpoint.lastCompletedRound + 1
            if checkpoint.lastAnnouncedRound < round {
                let now = Date()
                checkpoint.bidDeadline = now.addingTimeInterval(configuration.bidWindowSeconds)
                checkpoint.roundDeadline = now.addingTimeInterval(configuration.bidWindowSeconds + configuration.roundTimeoutSeconds)
                let modelVersion = round - 1
                let announcement = RoundAnnouncement(
                    runID: configuration.runID, round: round, modelVersion: modelVersion,
                    task: TrainingTask(
                        localEpochs: configuration.localEpochs, batchSize: configuration.batchSize,
                        learningRate: configuration.learningRate, optimizer: configuration.optimizer,
                        momentum: configuration.momentum, weightDecay: configuration.weightDecay,
                        proximalMu: configuration.proximalMu),
                    bidDeadline: checkpoint.bidDeadline!, roundDeadline: checkpoint.roundDeadline!,
                    budget: configuration.budget, seed: configuration.seed)
                _ = try await publisher.publish(announcement, round: round, key: String(round))
                checkpoint.lastAnnouncedRound = round
                try checkpoint.write(to: checkpointURL)
                logger.info("announced round \(round)")
            }
            try await settle(round: round, checkpoint: checkpoint, board: board, publisher: publisher)
            await waitForMetrics(round: round, board: board)
            checkpoint.lastCompletedRound = round
            try checkpoint.write(to: checkpointURL)
        }
        logger.info("all \(configuration.rounds) rounds completed")
    }

    /// Collects the bids of `round` and publishes its assignment, unless one was already published
    /// (a restarted server finds its earlier assignment on the topic and does not decide twice).
    private func settle(
        round: Int, checkpoint: ServerCheckpoint, board: ConditionBoard<ServerState>, publisher: ProtocolPublisher
    ) async throws {
        let expected = configuration.clients
        let bidDeadline = ContinuousClock.Instant.deadline(checkpoint.bidDeadline ?? Date())
        _ = await board.wait(until: { state in
            state.assignments[round] != nil || (state.bids[round]?.count ?? 0) >= expected
        }, deadline: bidDeadline)
        if await board.read({ $0.assignments[round] != nil }) {
            logger.info("round \(round) was already assigned before a restart")
            return
        }
        let (bids, history) = await board.read { state in
            (state.bids[round].map { Array($0.values) } ?? [], state.accuracyHistory(before: round))
        }
        let decider = RoundDecider(configuration: configuration, policy: policy, kPolicy: kPolicy)
        let assignment = try await decider.decide(round: round, bids: bids, history: history, roundDeadline: checkpoint.roundDeadline ?? Date())
        _ = try await publisher.publish(assignment, round: round, key: String(round))
        await board.update { $0.assignments[round] = assignment }
        logger.info("round \(round): selected \(assignment.selected) at price \(assignment.clearingPrice) — \(assignment.reason)")
    }

    /// Before the first call, waits until every client's guardian said it is ready (or the start-up
    /// timeout passed), so round 1 is not decided among the few guardians that happened to load first.
    private func waitForGuardians(board: ConditionBoard<ServerState>) async {
        let clients = configuration.clients
        let ready = await board.wait(
            until: { $0.readyClients.count >= clients },
            deadline: .now + .milliseconds(Int64(configuration.startupTimeoutSeconds * 1000)))
        let count = await board.read { $0.readyClients.count }
        if ready {
            logger.info("all \(clients) clients ready")
        } else {
            logger.warning("starting with \(count) of \(clients) clients ready after \(configuration.startupTimeoutSeconds) s")
        }
    }

    private func waitForMetrics(round: Int, board: ConditionBoard<ServerState>) async {
        while !Task.isCancelled {
            let done = await board.wait(until: { $0.metrics[round] != nil }, deadline: .now + .seconds(30))
            if done { return }
            logger.warning("still waiting for the aggregator's metrics of round \(round)")
        }
    }

}

extension Candidate {
    init(bid: Bid) {
        self.init(
            clientID: bid.clientID, askPrice: bid.askPrice, sampleCount: bid.sampleCount,
            labelHistogram: bid.labelHistogram, samplesPerSecond: bid.device.samplesPerSecond,
            memoryMiB: bid.device.memoryMiB, availability: bid.availability)
    }
}
