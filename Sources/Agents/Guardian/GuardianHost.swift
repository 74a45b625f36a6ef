import Foundation
import Logging
import ServiceLifecycle
import Learning
import Market
import Privacy
import WireProtocol

/// Guardian agents for a set of clients in one process (one client, or many virtual clients so one
/// machine can host hundreds). Each client still speaks for itself: it bids under its own id,
/// trains on its own shard only, and publishes its own update.
public struct GuardianHost: Service {
    public var configuration: ExperimentConfiguration
    public var clients: [Int]
    public var bus: RoleBus
    /// Where the guardian keeps its clients' privacy ledgers and bidding states (nil: in memory
    /// only, so a restart forgets what was spent and learnt: tests only).
    public var stateDirectory: URL?
    /// The guardian's private DP randomness (nil: a fresh secret, so its noise is not repeatable).
    public var noiseSeed: NoiseSeed?
    /// The one hosted client's own training files (a real deployment), instead of its share of
    /// the run's data set (nil).
    public var ownData: URL?
    public var logger: Logger

    public init(
        configuration: ExperimentConfiguration, clients: [Int], bus: RoleBus,
        stateDirectory: URL? = nil, noiseSeed: NoiseSeed? = nil, ownData: URL? = nil,
        logger: Logger
    ) {
        self.configuration = configuration
        self.clients = clients
        self.bus = bus
        self.stateDirectory = stateDirectory
        self.noiseSeed = noiseSeed
        self.ownData = ownData
        self.logger = logger
    }

    /// The ledgers' file under a state directory.
    public static func privacyLedgerURL(in directory: URL) -> URL {
        directory.appendingPathComponent("privacy-ledger.json")
    }

    /// The clients' bidding strategy states under a state directory.
    public static func biddingStateURL(in directory: URL) -> URL {
        directory.appendingPathComponent("bidding-state.json")
    }

    public func run() async throws {
        // Guardian processes are the parallelism: one BLAS thread each, so several processes on
        // a few cores do not thrash, and training runs exactly as `agentfl simulate` runs it when
        // it trains clients side by side (also one thread each): same sums, same numbers.
        BLASThreads.set(1)
        // Its own clients' samples only (and every label, for the partition): never the whole
        // set. With its own files, those and nothing else.
        let task: FederatedTask
        if let ownData {
            guard clients.count == 1 else {
                throw AgentError.invalidConfiguration("--data: a guardian with its own data files hosts one client (this one hosts \(clients.count))")
            }
            task = try configuration.federatedTask(ownData: ownData, client: clients[0])
            logger.info("client \(clients[0]) trains on its own \(task.heldSampleCount) samples in \(ownData.path)")
        } else {
            task = try configuration.federatedTask(scope: .clients(Set(clients)))
        }
        // What each client offers does not change between rounds: work it out once.
        let offers = ClientOffer.offers(of: clients, task: task, configuration: configuration)
        if configuration.privacy != nil, noiseSeed == nil {
            logger.warning("DP noise from a fresh secret (no --dp-seed-file): this guardian's noise cannot be repeated")
        }
        let privacy = try ClientPrivacyGuard(
            configuration: configuration, sampleCounts: offers.mapValues(\.sampleCount),
            ledgerURL: stateDirectory.map(Self.privacyLedgerURL(in:)), noise: noiseSeed ?? .fresh())
        // Every hosted client bids with its own strategy: the population file's, else the run's.
        let bidder = try ClientBidder(
            strategies: configuration.bidStrategies(of: clients), costModel: configuration.costModel(),
            stateURL: stateDirectory.map(Self.biddingStateURL(in:)))
        let models = ConditionBoard(ModelStore())
        // One producer for the process; each client publishes under its own sender name.
        let producer = try bus.producer()
        var senders: [Int: ProtocolPublisher] = [:]
        for client in clients {
            senders[client] = try bus.publisher(sender: "guardian-\(client)", producer: producer)
        }
        let publishers = senders
        // Models arrive on their own consumer, so an assignment handler can wait for its model
        // version without blocking the stream the model comes in on.
        let modelFeed = try bus.subscriber(for: [.globalModel], group: nil, from: .beginning)
        let control = try bus.subscriber(
            for: [.roundAnnouncement, .placeOffer, .assignment], group: "guardians-\(clients.first ?? 0)-\(clients.last ?? 0)",
            from: .stored)
        let logger = self.logger
        // Refusals are reported under the first hosted client's name, which this process's key signs for.
        let reporter = try clients.first.flatMap { publishers[$0] }.map { RejectionReporter(publisher: $0, logger: logger) }
            ?? RejectionReporter(publisher: bus.publisher(producer: producer), logger: logger)
        let architecture = configuration.model
        let parameterCount = task.model.parameterCount
        // Sends that must not hold up the control stream (a delayed client's late update): the
        // next round's call must still be answered while it waits.
        let (lateSends, lateSendQueue) = AsyncStream.makeStream(of: (@Sendable () async throws -> Void).self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await withThrowingTaskGroup(of: Void.self) { sends in
                    for await send in lateSends { sends.addTask { try await send() } }
                    try await sends.waitForAll()
                }
            }
            group.addTask {
                try await modelFeed.run(onRejection: reporter.report) { received in
                    guard let model = received.message as? GlobalModel else { return .accepted }
                    guard model.digestMatches else { return .invalid("global model v\(model.version): its digest does not match its parameters") }
                    guard model.architecture == architecture, model.parameters.values.count == parameterCount else {
                        return .invalid("global model v\(model.version) is a \(model.architecture) of \(model.parameters.values.count) parameters, this run trains a \(architecture) of \(parameterCount)")
                    }
                    if let index = model.parameters.values.firstIndex(where: { !$0.isFinite }) {
                        return .invalid("global model v\(model.version): parameter \(index) is not finite")
                    }
                    await models.update { $0.insert(model) }
                    return .accepted
                }
            }
            for client in clients {
                let heartbeat = Heartbeat(
                    role: "guardian", instance: "guardian-\(client)", publicKey: bus.signer?.publicKeyBase64 ?? "", status: "ready")
                _ = try await publishers[client]?.publish(heartbeat, round: nil, key: "guardian-\(client)")
            }
            try await runUntilShutdown {
                try await control.run(onRejection: reporter.report) { received in
                    switch received.message {
                    case let call as RoundAnnouncement:
                        try await bid(on: call, offers: offers, privacy: privacy, bidder: bidder, publishers: publishers)
                    case let offer as PlaceOffer:
                        // Take it iff the price covers the client's cost of the round (its strategy's rule).
                        if let answer = await bidder.answer(offer), let publisher = publishers[offer.clientID] {
                            _ = try await publisher.publish(answer, round: offer.round, key: String(offer.clientID))
                            logger.info("round \(offer.round): client \(offer.clientID) \(answer.accepted ? "accepted" : "declined") an offer at \(offer.price)")
                        }
                    case let assignment as Assignment:
                        // What the round's market said about each client's ask, before its next bid.
                        try await bidder.observe(assignment)
                        try await train(
                            for: assignment, task: task, offers: offers, models: models, privacy: privacy, publishers: publishers,
                            late: lateSendQueue)
                    default:
                        break
                    }
                    return .accepted
                }
            }
            group.cancelAll()
        }
        await producer.shutdown()
    }

    private func bid(
        on call: RoundAnnouncement, offers: [Int: ClientOffer], privacy: ClientPrivacyGuard?, bidder: ClientBidder,
        publishers: [Int: ProtocolPublisher]
    ) async throws {
        for client in clients {
            if let open = await bidder.openRound(of: client), open < call.round {
                logger.warning("round \(call.round): client \(client) saw no assignment for round \(open); it bids on its strategy as it was")
            }
        }
        let bids = try await ClientOffer.bids(
            of: clients, round: call.round, localEpochs: call.task.localEpochs, offers: offers, privacy: privacy, bidder: bidder)
        // Every hosted client bids at once; the server closes bidding when the last one arrives.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for bid in bids {
                guard let publisher = publishers[bid.clientID] else { continue }
                group.addTask { _ = try await publisher.publish(bid, round: call.round, key: String(bid.clientID)) }
            }
            try await group.waitForAll()
        }
    }

    private func train(
        for assignment: Assignment, task: FederatedTask, offers: [Int: ClientOffer], models: ConditionBoard<ModelStore>,
        privacy: ClientPrivacyGuard?,
        publishers: [Int: ProtocolPublisher], late: AsyncStream<@Sendable () async throws -> Void>.Continuation
    ) async throws {
        let mine = assignment.selected.filter(clients.contains)
        guard !mine.isEmpty else { return }
        let version = assignment.modelVersion
        let deadline = ContinuousClock.Instant.deadline(assignment.roundDeadline) + .seconds(5)
        guard await models.wait(until: { $0.models[version] != nil }, deadline: deadline),
              let model = await models.read({ $0.models[version] })
        else {
            logger.error("round \(assignment.round): global model v\(version) did not arrive before the deadline; not training")
            return
        }
        // Each update goes out while the next client trains: sending ~800 KB and waiting for the
        // broker's acknowledgement would otherwise sit between every two clients.
        let logger = self.logger
        let global = model.parameters.values
        let slowdowns = configuration.slowdowns(round: assignment.round)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in mine {
                // The width the server confirmed: no wider than the client offered (what fits its device).
                guard let offer = offers[client], let pace = offer.pace(for: assignment, task: task, slowdown: slowdowns[client] ?? 1) else {
                    logger.error("round \(assignment.round): client \(client) not trained: the assigned width \(assignment.instruction(for: client)?.width ?? 0) is wider than it offered or not one this run trains")
                    continue
                }
                // The hard guarantee: the round is charged (and the ledger written) before any
                // training; a round past the budget is not trained at all.
                var charged: PrivacyTraining?
                if let privacy {
                    do {
                        charged = try await privacy.charge(client: client, round: assignment.round)
                    } catch {
                        logger.error("round \(assignment.round): client \(client) not trained: \(error)")
                        continue
                    }
                }
                let training = charged
                // Training is CPU-bound: on a thread of its own, not the cooperative pool.
                let trained = try await ComputeThread.run(named: "agentfl-train") {
                    try TrainedUpdate.unlessDiverged {
                        try TrainedUpdate(
                            trainedBy: task, client: client, round: assignment.round, baseModelVersion: version, global: global,
                            width: pace.width, pace: pace.pace, privacy: training)
                    }
                }
                guard let trained else {
                    logger.error("round \(assignment.round): client \(client)'s training diverged (its loss is not finite); it sends no update this round")
                    continue
                }
                let update = trained.update
                let result = (sampleCount: update.sampleCount, meanLoss: update.trainLoss)
                // A slow device (its tier) or a delayed client (the delayed-client scenario) takes
                // as long as it reports: it waits out the rest before it sends, while this process
                // trains its next client.
                let wait = trained.remainingDelay
                guard let publisher = publishers[client] else { continue }
                if wait > 0 {
                    // Not awaited by this handler: if the process dies meanwhile the update is
                    // never sent, as a straggler's would be lost; the client is missing that round.
                    late.yield {
                        try await Task.sleep(for: .milliseconds(Int64(wait * 1000)))
                        _ = try await publisher.publish(update, round: assignment.round, key: String(client))
                        logger.info("round \(assignment.round): client \(client) (delayed) sent its update after \(wait) s more")
                    }
                    continue
                }
                group.addTask {
                    _ = try await publisher.publish(update, round: assignment.round, key: String(client))
                    logger.info("round \(assignment.round): client \(client) trained on \(result.sampleCount) samples, loss \(result.meanLoss)")
                }
            }
            try await group.waitForAll()
        }
    }
}
