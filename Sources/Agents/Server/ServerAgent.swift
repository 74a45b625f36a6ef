import Foundation
import Logging
import Market
import ServiceLifecycle
import Strategies
import WireProtocol

/// The server agent: owns the round clock. For each round it announces a call for participation,
/// collects bids until every client answered or the bid window closed, lets the strategy plan
/// (K, then who), clears the market among the chosen, publishes the assignment with its decision
/// record, waits for the aggregator's metrics and folds their feedback into the strategy's state.
public struct ServerAgent: Service {
    public var configuration: ExperimentConfiguration
    /// The strategy with its initial state (a checkpoint's state replaces it on a restart).
    public var strategy: StrategyRunner
    public var bus: RoleBus
    public var stateDirectory: URL
    public var logger: Logger

    public init(
        configuration: ExperimentConfiguration, strategy: StrategyRunner, bus: RoleBus, stateDirectory: URL, logger: Logger
    ) {
        self.configuration = configuration
        self.strategy = strategy
        self.bus = bus
        self.stateDirectory = stateDirectory
        self.logger = logger
    }

    public func run() async throws {
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        let board = ConditionBoard(ServerState())
        let publisher = try bus.publisher()
        let subscriber = try bus.subscriber(
            for: [.bid, .assignment, .roundMetrics, .heartbeat, .offerAnswer], group: nil, from: .beginning)
        let reporter = RejectionReporter(publisher: publisher, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Only verified messages of this run get here (bids from their own guardians).
                try await subscriber.run(onRejection: reporter.report) { received in
                    await board.update { $0.apply(received) }
                    return .accepted
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
        var strategy = self.strategy
        if let saved = checkpoint.strategyState { try strategy.restore(saved) }
        if checkpoint.lastCompletedRound > 0 {
            logger.info("resuming after round \(checkpoint.lastCompletedRound), strategy state \(strategy.stateDigest)")
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
            try await settle(round: round, checkpoint: &checkpoint, strategy: &strategy, board: board, publisher: publisher)
            let metrics = try await waitForMetrics(round: round, board: board)
            try strategy.observe(RoundFeedback(metrics))
            checkpoint.strategyState = strategy.state
            checkpoint.lastCompletedRound = round
            try checkpoint.write(to: checkpointURL)
        }
        logger.info("all \(configuration.rounds) rounds completed")
    }

    /// Collects the bids of `round`, plans it and publishes its assignment, unless one was already
    /// published (a restarted server finds its earlier assignment on the topic and does not decide
    /// twice; it goes on from the strategy state it decided with).
    private func settle(
        round: Int, checkpoint: inout ServerCheckpoint, strategy: inout StrategyRunner, board: ConditionBoard<ServerState>,
        publisher: ProtocolPublisher
    ) async throws {
        let expected = configuration.clients
        let bidDeadline = ContinuousClock.Instant.deadline(checkpoint.bidDeadline ?? Date())
        _ = await board.wait(until: { state in
            state.assignments[round] != nil || (state.bids[round]?.count ?? 0) >= expected
        }, deadline: bidDeadline)
        let history = await board.read { $0.accuracyHistory(before: round) }
        let decider = RoundDecider(configuration: configuration)
        if let earlier = await board.read({ $0.assignments[round] }) {
            try await resume(earlier, checkpoint: checkpoint, strategy: &strategy, decider: decider, history: history, board: board)
            return
        }
        let bids = await board.read { state in state.bids[round].map { Array($0.values) } ?? [] }
        let window = configuration.offerWindowSeconds
        let logger = self.logger
        // Offers go out signed; the answers come back on the server's subscriber.
        let exchange: OfferExchange = { offers in
            for offer in offers { _ = try await publisher.publish(offer, round: round, key: String(offer.clientID)) }
            let offered = Set(offers.map(\.clientID))
            _ = await board.wait(
                until: { offered.isSubset(of: Set(($0.answers[round] ?? []).map(\.answer.clientID))) },
                deadline: .now + .milliseconds(Int64(window * 1000)))
            let answers = await board.read { state in (state.answers[round] ?? []).filter { offered.contains($0.answer.clientID) } }
            logger.info("round \(round): \(offers.count) offer(s) at \(offers.first?.price ?? 0), \(answers.count) answer(s)")
            return answers
        }
        let assignment = try await decider.decide(
            round: round, bids: bids, history: history, roundDeadline: checkpoint.roundDeadline ?? Date(), strategy: &strategy,
            exchange: exchange)
        checkpoint.plannedRound = round
        checkpoint.plannedState = strategy.state
        try checkpoint.write(to: checkpointURL)
        _ = try await publisher.publish(assignment, round: round, key: String(round))
        await board.update { $0.assignments[round] = assignment }
        logger.info("round \(round): selected \(assignment.selected) at price \(assignment.clearingPrice) — \(assignment.reason)")
    }

    /// After a restart, takes up the strategy state the published assignment was decided with: the
    /// one saved right after planning, or, if the server stopped before saving it, the state a
    /// re-plan from the bids the decision record names gives (checked against its digest).
    private func resume(
        _ earlier: Assignment, checkpoint: ServerCheckpoint, strategy: inout StrategyRunner, decider: RoundDecider,
        history: [Double], board: ConditionBoard<ServerState>
    ) async throws {
        let round = earlier.round
        if checkpoint.plannedRound == round, let planned = checkpoint.plannedState,
           StrategyRunner.digest(planned) == earlier.decision.stateAfter {
            try strategy.restore(planned)
            logger.info("round \(round) was already assigned before a restart; strategy state \(strategy.stateDigest)")
            return
        }
        let used = Set(earlier.decision.bidMessageIDs)
        let bids = await board.read { state in (state.bids[round].map { Array($0.values) } ?? []).filter { used.contains($0.messageID) || !$0.bid.decision.isParticipating } }
        var replanned = strategy
        // The answers it settled with, as they came (nothing is offered again).
        let usedAnswers = Set(earlier.decision.negotiation?.answerMessageIDs ?? [])
        let answers = await board.read { state in (state.answers[round] ?? []).filter { usedAnswers.contains($0.messageID) } }
        _ = try await decider.decide(
            round: round, bids: bids, history: history, roundDeadline: earlier.roundDeadline, strategy: &replanned,
            exchange: { _ in answers })
        strategy = replanned
        if replanned.stateDigest == earlier.decision.stateAfter {
            logger.info("round \(round) was already assigned before a restart; re-planned to its strategy state \(strategy.stateDigest)")
        } else {
            logger.error("round \(round) was already assigned before a restart, and re-planning it gives strategy state \(replanned.stateDigest), not the recorded \(earlier.decision.stateAfter); going on from the re-planned state")
        }
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

    private func waitForMetrics(round: Int, board: ConditionBoard<ServerState>) async throws -> RoundMetrics {
        while true {
            try Task.checkCancellation()
            _ = await board.wait(until: { $0.metrics[round] != nil }, deadline: .now + .seconds(30))
            if let metrics = await board.read({ $0.metrics[round] }) { return metrics }
            logger.warning("still waiting for the aggregator's metrics of round \(round)")
        }
    }

}
