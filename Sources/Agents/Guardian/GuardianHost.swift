import Foundation
import Logging
import ServiceLifecycle
import Learning
import WireProtocol

/// Guardian agents for a set of clients in one process (one client, or many virtual clients so one
/// machine can host hundreds). Each client still speaks for itself: it bids under its own id,
/// trains on its own shard only, and publishes its own update.
public struct GuardianHost: Service {
    public var configuration: ExperimentConfiguration
    public var clients: [Int]
    public var bus: RoleBus
    public var bidding: any BiddingStrategy
    public var logger: Logger

    public init(
        configuration: ExperimentConfiguration, clients: [Int], bus: RoleBus,
        bidding: any BiddingStrategy = CostBasedBidding(), logger: Logger
    ) {
        self.configuration = configuration
        self.clients = clients
        self.bus = bus
        self.bidding = bidding
        self.logger = logger
    }

    public func run() async throws {
        // Guardian processes are the parallelism: one BLAS thread each, so several processes on
        // a few cores do not thrash, and training runs exactly as `agentfl simulate` runs it when
        // it trains clients side by side (also one thread each): same sums, same numbers.
        BLASThreads.set(1)
        let task = try configuration.federatedTask()
        // What each client offers does not change between rounds: work it out once.
        let offers = Dictionary(uniqueKeysWithValues: clients.map { client in
            let shard = task.partition.indices.contains(client) ? task.partition[client] : []
            return (client, ClientOffer(
                profile: ClientProfile.draw(clientID: client, runSeed: configuration.seed),
                sampleCount: shard.count, labelHistogram: task.train.labelHistogram(of: shard)))
        })
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
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await modelFeed.run { received in
                    guard let model = try? received.envelope.decode(as: GlobalModel.self), model.digestMatches else {
                        logger.warning("ignored a global model that did not decode or whose digest did not match")
                        return
                    }
                    await models.update { $0.insert(model) }
                }
            }
            for client in clients {
                let heartbeat = Heartbeat(
                    role: "guardian", instance: "guardian-\(client)", publicKey: bus.signer?.publicKeyBase64 ?? "", status: "ready")
                _ = try await publishers[client]?.publish(heartbeat, round: nil, key: "guardian-\(client)")
            }
            try await runUntilShutdown {
                try await control.run { received in
                    switch received.envelope.type {
                    case .roundAnnouncement:
                        let call = try received.envelope.decode(as: RoundAnnouncement.self)
                        try await bid(on: call, offers: offers, publishers: publishers)
                    case .assignment:
                        let assignment = try received.envelope.decode(as: Assignment.self)
                        try await train(for: assignment, task: task, models: models, publishers: publishers)
                    default:
                        break
                    }
                }
            }
            group.cancelAll()
        }
        await producer.shutdown()
    }

    private func bid(
        on call: RoundAnnouncement, offers: [Int: ClientOffer], publishers: [Int: ProtocolPublisher]
    ) async throws {
        guard call.runID == configuration.runID else {
            logger.warning("ignored a call for run \(call.runID); this guardian serves run \(configuration.runID)")
            return
        }
        // Every hosted client bids at once; the server closes bidding when the last one arrives.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients {
                guard let offer = offers[client], let publisher = publishers[client] else { continue }
                let profile = offer.profile
                let decision: BidDecision = offer.sampleCount == 0 ? .decline(reason: "no local data") : .participate
                let bid = Bid(
                    round: call.round, clientID: client, decision: decision,
                    askPrice: bidding.askPrice(
                        profile: profile, sampleCount: offer.sampleCount, localEpochs: call.task.localEpochs, round: call.round),
                    sampleCount: offer.sampleCount, labelHistogram: offer.labelHistogram,
                    device: DeviceProfile(samplesPerSecond: profile.samplesPerSecond, memoryMiB: profile.memoryMiB, maxWidth: profile.maxWidth),
                    privacyBudgetRemaining: nil, availability: 1)
                group.addTask { _ = try await publisher.publish(bid, round: call.round, key: String(client)) }
            }
            try await group.waitForAll()
        }
    }

    private func train(
        for assignment: Assignment, task: FederatedTask, models: ConditionBoard<ModelStore>, publishers: [Int: ProtocolPublisher]
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
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in mine {
                let (_, result) = try task.trainClient(client, round: assignment.round, global: model.parameters.values)
                let update = ClientUpdate(
                    round: assignment.round, clientID: client, baseModelVersion: version, sampleCount: result.sampleCount,
                    trainLoss: result.meanLoss, trainSeconds: result.seconds,
                    parameters: Tensor(result.parameters))
                guard let publisher = publishers[client] else { continue }
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
}
