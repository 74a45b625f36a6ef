import Foundation
import Learning
import Market
import Privacy
import WireProtocol

/// What a hosted client puts in every bid: its hardware, the model width it offers to train,
/// and the size and label mix of its shard. Worked out once: none of it changes between rounds.
struct ClientOffer: Sendable {
    var clientID: Int
    var profile: ClientProfile
    var sampleCount: Int
    var labelHistogram: [Int]
    /// The client's device tier from the population (nil: the drawn profile, no emulation).
    var tier: DeviceTier?
    /// The width it offers (the largest that fits its tier, or the configured one without a
    /// tier), or why none fits.
    var fit: Result<Double, WidthFitFailure>
    /// Bytes of the client's model slice at its width (its parameters as 32-bit floats): what it
    /// downloads and uploads each round.
    var modelBytes: Int
    var runSeed: UInt64

    /// What each of `clients` offers under `configuration`'s population.
    static func offers(of clients: [Int], task: FederatedTask, configuration: ExperimentConfiguration) -> [Int: ClientOffer] {
        let settings = configuration.clientSettings
        return Dictionary(uniqueKeysWithValues: clients.map { client in
            let shard = task.partition.indices.contains(client) ? task.partition[client] : []
            let tier = settings.indices.contains(client) ? settings[client].tier : nil
            var profile = ClientProfile.draw(clientID: client, runSeed: configuration.seed)
            var fit: Result<Double, WidthFitFailure> = .success(task.width(ofClient: client))
            if let tier {
                let chosen = WidthFit().choose(
                    task: task, tier: tier, sampleCount: shard.count, localEpochs: configuration.localEpochs,
                    deadlineSeconds: configuration.roundTimeoutSeconds)
                fit = chosen.map(\.width)
                // The tier's figures, at the width it trains: what the server predicts with.
                let width = (try? chosen.get().width) ?? task.widths.last ?? 1
                let model = task.model(forWidth: width) ?? task.model
                profile = ClientProfile(
                    clientID: client, samplesPerSecond: (tier.samplesPerSecond / WidthFit.workShare(of: model, in: task.model)).rounded(),
                    memoryMiB: Int(tier.memoryMiB.rounded(.down)), maxWidth: width)
            }
            let width = (try? fit.get()) ?? task.widths.last ?? 1
            return (client, ClientOffer(
                clientID: client, profile: profile, sampleCount: shard.count, labelHistogram: task.labelHistogram(ofClient: client),
                tier: tier, fit: fit,
                modelBytes: (task.model(forWidth: width)?.parameterCount ?? task.parameterCount(forClient: client)) * MemoryLayout<Float>.size,
                runSeed: configuration.seed))
        })
    }

    /// The width the client offers to train.
    var width: Double { (try? fit.get()) ?? 1 }

    /// How the client trains `assignment`: at the width the server confirmed, taking its
    /// device's time for the work at that width (nil: the width is wider than offered, or not one
    /// the run trains), times the delayed-client scenario's `slowdown`.
    func pace(for assignment: Assignment, task: FederatedTask, slowdown: Double) -> (width: Double, pace: TrainingPace)? {
        guard let instruction = assignment.instruction(for: clientID), instruction.width <= width,
              let model = task.model(forWidth: instruction.width)
        else { return nil }
        let seconds = tier.map {
            WidthFit.deviceSeconds(
                model: model, fullModel: task.model, tier: $0, sampleCount: sampleCount, localEpochs: instruction.localEpochs)
        }
        return (instruction.width, TrainingPace(deviceSeconds: seconds, slowdown: slowdown))
    }

    /// Whether the client's device is online in `round`: never in its tier's offline rounds,
    /// else with the tier's availability, drawn from the run seed (so `run` and `simulate` agree).
    func isOnline(round: Int) -> Bool {
        guard let tier else { return true }
        if tier.offlineRounds.contains(round) { return false }
        guard tier.availability < 1 else { return true }
        var generator = SeedDerivation.generator(run: runSeed, round: round, client: clientID, purpose: .availability)
        return generator.nextUnit() < tier.availability
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
        let decisions = quoted.map { $0.offer.decision(round: round, privacy: $0.statement) }
        let participating = Set(zip(quoted, decisions).filter { $0.1 == .participate }.map(\.0.client))
        let asks = try await bidder.asks(round: round, for: work, participating: participating)
        return zip(quoted, decisions).map { entry, decision in
            entry.offer.bid(
                for: entry.client, round: round, decision: decision, askPrice: asks[entry.client] ?? 0, privacy: entry.statement)
        }
    }

    /// Whether the client takes part. An offline device declines with the reason "offline", one
    /// whose model fits no width with why. With DP on, `privacy` is what the round would spend:
    /// past the budget the client declines with the reason "privacy budget".
    func decision(round: Int, privacy: PrivacyStatement?) -> BidDecision {
        if sampleCount == 0 { return .decline(reason: "no local data") }
        if !isOnline(round: round) { return .decline(reason: Bid.offlineReason) }
        if case .failure(let failure) = fit { return .decline(reason: failure.description) }
        if let privacy, !privacy.withinBudget { return .decline(reason: Bid.privacyBudgetReason) }
        return .participate
    }

    /// The client's bid, asking `askPrice`.
    func bid(for client: Int, round: Int, decision: BidDecision, askPrice: Double, privacy: PrivacyStatement?) -> Bid {
        Bid(
            round: round, clientID: client, decision: decision,
            askPrice: askPrice,
            sampleCount: sampleCount, labelHistogram: labelHistogram,
            device: DeviceProfile(samplesPerSecond: profile.samplesPerSecond, memoryMiB: profile.memoryMiB, maxWidth: width),
            privacyBudgetRemaining: privacy.map { max(0, $0.budgetEpsilon - $0.epsilonBefore) },
            availability: tier?.availability ?? 1, privacy: privacy)
    }
}
