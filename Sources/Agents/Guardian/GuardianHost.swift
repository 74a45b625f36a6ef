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
    public var logger: Logger

    public init(
        configuration: ExperimentConfiguration, clients: [Int], bus: RoleBus,
        stateDirectory: URL? = nil, noiseSeed: NoiseSeed? = nil,
        logger: Logger
    ) {
        self.configuration = configuration
        self.clients = clients
        self.bus = bus
        self.stateDirectory = stateDirectory
        self.noiseSeed = noiseSeed
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
        let task = try configuration.federatedTask()
        // What each client offers does not change between rounds: work it out once.
        let offers = ClientOffer.offers(of: clients, task: task, runSeed: configuration.seed)
        if configuration.privacy != nil, noiseSeed == nil {
            logger.warning("DP noise from a fresh secret (no --dp-seed-file): this guardian's noise cannot be repeated")
        }
        let privacy = try ClientPrivacyGuard(
            configuration: configuration, sampleCounts: offers.mapValues(\.sampleCount),
            ledgerURL: stateDirectory.map(Self.privacyLedgerURL(in:)), noise: noiseSeed ?? .fresh())
        // Every hosted client bids with the configured strategy (per-client strategies from a
        // population file are still to come).
        let bidder = try ClientBidder(
            strategy: configuration.bidStrategyValue(), costModel: configuration.costModel(), clients: clients,
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
            for: [.roundAnnouncement, .assignment], group: "guardians-\(clients.first ?? 0)-\(clients.last ?? 0)",
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
                    case let assignment as Assignment:
                        // What the round's market said about each client's ask, before its next bid.
                        try await bidder.observe(assignment)
                        try await train(
                            for: assignment, task: task, models: models, privacy: privacy, publishers: publishers, late: lateSendQueue)
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
        for assignment: Assignment, task: FederatedTask, models: ConditionBoard<ModelStore>, privacy: ClientPrivacyGuard?,
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
                // Training is CPU-bound: on a thread of its own, not the cooperative pool.
                let slowdown = slowdowns[client] ?? 1
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
                let update = try await ComputeThread.run(named: "agentfl-train") {
                    try ClientUpdate(
                        trainedBy: task, client: client, round: assignment.round, baseModelVersion: version, global: global,
                        slowdown: slowdown, privacy: training)
                }
                let result = (sampleCount: update.sampleCount, meanLoss: update.trainLoss)
                // A delayed client (the delayed-client scenario) takes `slowdown` times as long: it
                // waits out the rest before it sends, while this process trains its next client.
                let wait = update.remainingDelay(slowdown: slowdown)
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

/// What a hosted client puts in every bid: its hardware, and the size and label mix of its shard.
struct ClientOffer: Sendable {
    var profile: ClientProfile
    var sampleCount: Int
    var labelHistogram: [Int]
    /// Bytes of the client's model slice (its width's parameters as 32-bit floats): what it
    /// downloads and uploads each round.
    var modelBytes: Int

    /// What the client each guardian hosts offers, worked out once (it does not change between rounds).
    static func offers(of clients: [Int], task: FederatedTask, runSeed: UInt64) -> [Int: ClientOffer] {
        Dictionary(uniqueKeysWithValues: clients.map { client in
            let shard = task.partition.indices.contains(client) ? task.partition[client] : []
            return (client, ClientOffer(
                profile: ClientProfile.draw(clientID: client, runSeed: runSeed),
                sampleCount: shard.count, labelHistogram: task.train.labelHistogram(of: shard),
                modelBytes: task.parameterCount(forClient: client) * MemoryLayout<Float>.size))
        })
    }

    /// The work a round asks of the client: `localEpochs` passes over its shard at its speed,
    /// its model down and its update up, and the ε the round would spend (`privacy`'s quote;
    /// 0 without DP).
    func work(localEpochs: Int, privacy: PrivacyStatement?) throws -> RoundWork {
        try RoundWork.training(
            sampleCount: sampleCount, localEpochs: localEpochs, samplesPerSecond: profile.samplesPerSecond,
            bytesUploaded: modelBytes, bytesDownloaded: modelBytes,
            epsilon: privacy.map { $0.epsilonAfter - $0.epsilonBefore } ?? 0)
    }

    /// The bids of `clients` on `round`'s call, in their order: the guardian's and the
    /// in-process engine's alike. Each quotes its privacy spend, then `bidder` prices the work
    /// (and records who takes part, so the round's assignment feeds back to them).
    static func bids(
        of clients: [Int], round: Int, localEpochs: Int, offers: [Int: ClientOffer], privacy: ClientPrivacyGuard?,
        bidder: ClientBidder
    ) async throws -> [Bid] {
        var quoted: [(client: Int, offer: ClientOffer, statement: PrivacyStatement?)] = []
        for client in clients {
            guard let offer = offers[client] else { continue }
            quoted.append((client, offer, await privacy?.quote(client: client, round: round)))
        }
        var work: [Int: RoundWork] = [:]
        for entry in quoted { work[entry.client] = try entry.offer.work(localEpochs: localEpochs, privacy: entry.statement) }
        let decisions = quoted.map { $0.offer.decision(privacy: $0.statement) }
        let participating = Set(zip(quoted, decisions).filter { $0.1 == .participate }.map(\.0.client))
        let asks = try await bidder.asks(round: round, for: work, participating: participating)
        return zip(quoted, decisions).map { entry, decision in
            entry.offer.bid(
                for: entry.client, round: round, decision: decision, askPrice: asks[entry.client] ?? 0, privacy: entry.statement)
        }
    }

    /// Whether the client takes part. With DP on, `privacy` is what the round would spend: past
    /// the budget the client declines with the reason "privacy budget".
    func decision(privacy: PrivacyStatement?) -> BidDecision {
        if sampleCount == 0 { return .decline(reason: "no local data") }
        if let privacy, !privacy.withinBudget { return .decline(reason: Bid.privacyBudgetReason) }
        return .participate
    }

    /// The client's bid, asking `askPrice`.
    func bid(for client: Int, round: Int, decision: BidDecision, askPrice: Double, privacy: PrivacyStatement?) -> Bid {
        Bid(
            round: round, clientID: client, decision: decision,
            askPrice: askPrice,
            sampleCount: sampleCount, labelHistogram: labelHistogram,
            device: DeviceProfile(samplesPerSecond: profile.samplesPerSecond, memoryMiB: profile.memoryMiB, maxWidth: profile.maxWidth),
            privacyBudgetRemaining: privacy.map { max(0, $0.budgetEpsilon - $0.epsilonBefore) }, availability: 1, privacy: privacy)
    }
}

extension ClientUpdate {
    /// The update of `client` for `round`: trained from `global` as its guardian trains it (and as
    /// the in-process engine does), with the last epoch's loss statistics for the strategy.
    /// What a delayed client still waits after training: its reported time is `slowdown` times
    /// the training it did, so the rest of that time.
    func remainingDelay(slowdown: Double) -> Double {
        trainSeconds - trainSeconds / slowdown
    }

    /// `slowdown` > 1 (a delayed client) reports the training time that many times over.
    /// `privacy`: the charged round's DP mechanism, private seed and statement (nil: DP off).
    init(
        trainedBy task: FederatedTask, client: Int, round: Int, baseModelVersion: Int, global: [Float], slowdown: Double = 1,
        privacy: PrivacyTraining? = nil
    ) throws {
        var updateNoise: UpdateNoise?
        if case .clientLevel(let sigma, let clip) = privacy?.mechanism {
            updateNoise = UpdateNoise(noiseMultiplier: sigma, clipNorm: clip)
        }
        let (_, result) = try task.trainClient(
            client, round: round, global: global, training: task.configuration.training.under(privacy?.mechanism),
            privateSeed: privacy?.seed, updateNoise: updateNoise)
        self.init(
            round: round, clientID: client, baseModelVersion: baseModelVersion, sampleCount: result.sampleCount,
            trainLoss: result.meanLoss, trainSeconds: result.seconds * slowdown, lastEpochExamples: result.lastEpoch.count,
            lastEpochLossSum: result.lastEpoch.sum, lastEpochLossSquaredSum: result.lastEpoch.squaredSum,
            parameters: Tensor(result.parameters), privacy: privacy?.statement)
    }
}
