import Learning
import Privacy
import WireProtocol

/// A client's update as it left training, with how long training really took: a slow device
/// (its tier) or a delayed client (the delayed-client scenario) reports more, and waits out the
/// difference before it sends, so the slowness is real in time.
struct TrainedUpdate: Sendable {
    var update: ClientUpdate
    var actualSeconds: Double

    /// What the client still waits after training before its update goes out.
    var remainingDelay: Double { max(0, update.trainSeconds - actualSeconds) }

    /// The update of `client` for `round`: trained from `global` at `width` as its guardian
    /// trains it (and as the in-process engine does), with the last epoch's loss statistics for
    /// the strategy. Its reported time is `pace`'s: the device's time for the work (at least the
    /// time training took here), times the delay scenario's slowdown.
    /// `privacy`: the charged round's DP mechanism, private seed and statement (nil: DP off).
    init(
        trainedBy task: FederatedTask, client: Int, round: Int, baseModelVersion: Int, global: [Float], width: Double,
        pace: TrainingPace = TrainingPace(), privacy: PrivacyTraining? = nil
    ) throws {
        var updateNoise: UpdateNoise?
        if case .clientLevel(let sigma, let clip) = privacy?.mechanism {
            updateNoise = UpdateNoise(noiseMultiplier: sigma, clipNorm: clip)
        }
        let (_, result) = try task.trainClient(
            client, round: round, global: global, training: task.configuration.training.under(privacy?.mechanism),
            privateSeed: privacy?.seed, updateNoise: updateNoise, width: width)
        actualSeconds = result.seconds
        update = ClientUpdate(
            round: round, clientID: client, baseModelVersion: baseModelVersion, sampleCount: result.sampleCount,
            trainLoss: result.meanLoss, trainSeconds: pace.reportedSeconds(actual: result.seconds),
            lastEpochExamples: result.lastEpoch.count, lastEpochLossSum: result.lastEpoch.sum,
            lastEpochLossSquaredSum: result.lastEpoch.squaredSum, parameters: Tensor(result.parameters), width: width,
            privacy: privacy?.statement)
    }

    /// The update `train` makes, or nil when the client's training diverged (its loss is not
    /// finite): that client sends nothing this round and is counted missing, as a device whose
    /// training failed would be. Thrown instead, the divergence would repeat on every retry and
    /// after every restart (same data, model and seed) and hold the guardian in a crash loop.
    /// Any other error is thrown.
    static func unlessDiverged(_ train: () throws -> TrainedUpdate) throws -> TrainedUpdate? {
        do {
            return try train()
        } catch SimulationError.training(.diverged) {
            return nil
        }
    }
}
