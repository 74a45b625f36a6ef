import Foundation
import Logging
import ServiceLifecycle
import Learning
import WireProtocol

/// The aggregator: owns the global model. It accepts the updates of assigned clients (stored
/// durably before their offsets are committed), merges a round once every assigned update arrived
/// — or, after the round's deadline, once a quorum did — evaluates the result on the test set, and
/// publishes the next global model and the round's metrics. It checkpoints after every round and
/// resumes from the checkpoint and the spool after a restart.
public struct AggregatorRole: Service {
    public var configuration: ExperimentConfiguration
    public var bus: RoleBus
    public var stateDirectory: URL
    public var logger: Logger

    public init(configuration: ExperimentConfiguration, bus: RoleBus, stateDirectory: URL, logger: Logger) {
        self.configuration = configuration
        self.bus = bus
        self.stateDirectory = stateDirectory
        self.logger = logger
    }

    private var checkpointURL: URL { stateDirectory.appendingPathComponent("aggregator.checkpoint") }

    public func run() async throws {
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        // The guardians wait while the new model is evaluated, so the evaluation takes every
        // core: batches side by side, each on single-threaded OpenBLAS.
        BLASThreads.set(1)
        // It evaluates and checks updates against the partition: the test set and the labels, no
        // training samples.
        let task = try configuration.federatedTask(scope: .testSetOnly)
        let spool = try UpdateSpool(directory: stateDirectory.appendingPathComponent("spool"))
        let publisher = try bus.publisher()
        try await bus.announceKey(with: publisher, role: "aggregator")

        let checkpoint: AggregatorCheckpoint
        if let saved = try AggregatorCheckpoint.load(from: checkpointURL) {
            checkpoint = saved
            logger.info("resuming from checkpoint: model v\(saved.model.version) after round \(saved.round)")
        } else {
            let initial = GlobalModel(
                version: 0, round: 0, architecture: configuration.model,
                parameters: Tensor(task.initialParameters()))
            checkpoint = AggregatorCheckpoint(model: initial, metrics: nil)
            try checkpoint.write(to: checkpointURL)
        }
        // Publishing again what the checkpoint holds is harmless (consumers key by version and
        // round) and covers a crash between writing the checkpoint and publishing.
        _ = try await publisher.publish(checkpoint.model, round: checkpoint.round, key: String(checkpoint.model.version))
        if let metrics = checkpoint.metrics {
            _ = try await publisher.publish(metrics, round: metrics.round, key: String(metrics.round))
        }

        var initialState = AggregatorState()
        initialState.mergedRound = checkpoint.round
        let (spooledAssignments, spooledUpdates) = try spool.load()
        for assignment in spooledAssignments where assignment.round > checkpoint.round {
            initialState.assignments[assignment.round] = assignment
        }
        for update in spooledUpdates where update.round > checkpoint.round {
            initialState.updates[update.round, default: [:]][update.clientID] = update
        }
        let board = ConditionBoard(initialState)
        let subscriber = try bus.subscriber(for: [.assignment, .clientUpdate], group: "aggregator", from: .stored)
        let reporter = RejectionReporter(publisher: publisher, logger: logger)
        let logger = self.logger
        // Each client's budget may be its own (a population file's); nothing with DP off.
        let privacy = configuration.privacyRequirements()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await subscriber.run(onRejection: reporter.report) { received in
                    try await Self.accept(
                        received, board: board, spool: spool, task: task, privacy: privacy, logger: logger)
                }
            }
            try await runUntilShutdown {
                try await self.mergeRounds(
                    from: checkpoint, board: board, spool: spool, task: task, publisher: publisher, reporter: reporter)
            }
            group.cancelAll()
        }
        await publisher.shutdown()
    }

    /// The handler: judge, store durably, then record in memory. Returning lets the offset commit;
    /// a rejected update is reported to the auditor and never merged.
    static func accept(
        _ received: ReceivedEnvelope, board: ConditionBoard<AggregatorState>, spool: UpdateSpool, task: FederatedTask,
        privacy: [Int: PrivacyRequirement], logger: Logger
    ) async throws -> HandlerOutcome {
        switch received.message {
        case let assignment as Assignment:
            guard await board.read({ assignment.round > $0.mergedRound && $0.assignments[assignment.round] == nil }) else {
                return .accepted
            }
            try spool.store(assignment)
            await board.update {
                $0.assignments[assignment.round] = assignment
                $0.assignedAt[assignment.round] = .now
            }
        case let update as ClientUpdate:
            guard (0..<task.partition.count).contains(update.clientID) else {
                return .invalid("client \(update.clientID) does not exist in this run (\(task.partition.count) clients)")
            }
            if let problem = UpdateContent.problem(with: update, privacy: privacy[update.clientID]) { return .invalid(problem) }
            // The count its stated width has; that the width is the one assigned is checked
            // against the assignment when the round is merged.
            guard let expected = task.model(forWidth: update.width)?.parameterCount else {
                return .invalid("it was trained at width \(update.width), which this run does not train (\(task.widths))")
            }
            switch await board.read({ $0.judge(update, expectedParameters: expected) }) {
            case .accepted:
                try spool.store(update)
                await board.update {
                    $0.updates[update.round, default: [:]][update.clientID] = update
                    $0.arrivedAt[update.round, default: [:]][update.clientID] = .now
                }
            case .late:
                logger.warning("late update from client \(update.clientID) for round \(update.round), already merged: recorded, not merged")
                await board.update { _ = $0.late[update.round, default: []].insert(update.clientID) }
            case .duplicate:
                logger.info("duplicate update from client \(update.clientID) for round \(update.round) ignored")
            case .rejected(let reason):
                logger.warning("update from client \(update.clientID) for round \(update.round) rejected: \(reason)")
                return .invalid("update of client \(update.clientID) for round \(update.round): \(reason)")
            }
        default:
            break
        }
        return .accepted
    }

    private func mergeRounds(
        from start: AggregatorCheckpoint, board: ConditionBoard<AggregatorState>, spool: UpdateSpool,
        task: FederatedTask, publisher: ProtocolPublisher, reporter: RejectionReporter
    ) async throws {
        var checkpoint = start
        var roundStarted = ContinuousClock.now
        while checkpoint.round < configuration.rounds {
            try Task.checkCancellation()
            let round = checkpoint.round + 1
            while await !board.wait(until: { $0.assignments[round] != nil }, deadline: .now + .seconds(60)) {
                try Task.checkCancellation()
                logger.info("waiting for the assignment of round \(round)")
            }
            guard let assignment = await board.read({ $0.assignments[round] }) else { continue }
            let expected = Set(assignment.selected)
            let quorum = RoundMerge.quorum(of: expected.count, fraction: configuration.quorum)
            let deadline = ContinuousClock.Instant.deadline(assignment.roundDeadline)
            let complete = await board.wait(until: { $0.arrived(round).isSuperset(of: expected) }, deadline: deadline)
            if !complete {
                // Past the deadline: settle for a quorum, giving stragglers one more timeout at most.
                _ = await board.wait(until: { $0.arrived(round).count >= quorum },
                                     deadline: deadline + .milliseconds(Int64(configuration.roundTimeoutSeconds * 1000)))
            }
            try Task.checkCancellation()
            // An update can be spooled before its assignment arrived: hold each to the assignment now.
            let arrived = await board.read { state in
                (state.updates[round] ?? [:]).values.sorted { $0.clientID < $1.clientID }
            }
            let merge = RoundMerge(task: task)
            let (updates, excluded) = merge.sort(arrived, under: assignment)
            for (update, problem) in excluded {
                logger.warning("round \(round): update of client \(update.clientID) excluded: \(problem)")
                await reporter.report(kind: "excluded-update", round: round, subject: SenderName.guardian(update.clientID), detail: [
                    "client_id": .number(Double(update.clientID)), "digest": .string(update.digest), "reason": .string(problem),
                ])
            }
            let quorate = merge.quorate(updates, assigned: expected.count, fraction: configuration.quorum)
            if quorate == nil {
                logger.error("round \(round): \(updates.count) of \(expected.count) updates, below the quorum of \(quorum); the model stays as it was")
            }
            let merged = quorate ?? []
            let (parameters, evaluation) = try await merge.mergeAndEvaluate(merged, global: checkpoint.model.parameters.values, round: round)
            let model = GlobalModel(
                version: checkpoint.model.version + 1, round: round, architecture: configuration.model,
                parameters: Tensor(parameters))
            let arrivals = await board.read { $0.arrivalSeconds(round) }
            let metrics = merge.metrics(
                round: round, modelVersion: model.version, evaluation: evaluation, assignment: assignment, merged: merged,
                excluded: excluded, arrivals: arrivals, modelParameters: parameters.count,
                seconds: roundStarted.duration(to: .now).inSeconds)
            checkpoint = AggregatorCheckpoint(model: model, metrics: metrics)
            try checkpoint.write(to: checkpointURL)
            await board.update { state in
                state.mergedRound = round
                state.updates[round] = nil
                state.assignments[round] = nil
                state.assignedAt[round] = nil
                state.arrivedAt[round] = nil
            }
            spool.removeRound(round)
            _ = try await publisher.publish(model, round: round, key: String(model.version))
            _ = try await publisher.publish(metrics, round: round, key: String(round))
            logger.info("round \(round): merged \(metrics.mergedClients), accuracy \(evaluation.accuracy), model v\(model.version)")
            roundStarted = .now
        }
        logger.info("all \(configuration.rounds) rounds merged")
        // Stay up (late updates are still recorded) until shut down.
        while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
    }

}
