import Learning

/// How a guardian fits its model to its device: the widest of the run's widths (the learning
/// engine's nested HeteroFL sub-models) whose training fits the memory the device grants and,
/// at the device's speed, ends inside the round's deadline with a margin.
public struct WidthFit: Sendable, Hashable {
    /// A width that fits, the device's seconds for the round at it (training and, with a
    /// bandwidth, the model down and the update up), and the training memory it needs.
    public struct Choice: Sendable, Hashable {
        public var width: Double
        public var deviceSeconds: Double
        public var memoryBytes: Int
    }

    /// Share of the round's deadline the work may take (the rest is slack for the network and
    /// the aggregator).
    public var deadlineShare: Double = 0.8

    public init(deadlineShare: Double = 0.8) {
        self.deadlineShare = deadlineShare
    }

    /// The widest fitting width, or why none fits (naming the narrowest width's needs).
    public func choose(
        task: FederatedTask, tier: DeviceTier, sampleCount: Int, localEpochs: Int, deadlineSeconds: Double
    ) -> Result<Choice, WidthFitFailure> {
        let training = task.configuration.training
        var narrowest: Choice?
        for width in task.widths {
            guard let model = task.model(forWidth: width) else { continue }
            let choice = Choice(
                width: width,
                deviceSeconds: Self.deviceSeconds(
                    model: model, fullModel: task.model, tier: tier, sampleCount: sampleCount, localEpochs: localEpochs),
                memoryBytes: model.trainingMemoryBytes(
                    batchSize: min(training.batchSize, max(sampleCount, 1)), optimizerSlots: training.optimizer.stateSlots))
            if Double(choice.memoryBytes) <= tier.memoryMiB * 1_048_576, choice.deviceSeconds <= deadlineShare * deadlineSeconds {
                return .success(choice)
            }
            narrowest = choice
        }
        return .failure(WidthFitFailure(
            narrowest: narrowest, memoryMiB: tier.memoryMiB, allowedSeconds: deadlineShare * deadlineSeconds))
    }

    /// `model`'s share of `fullModel`'s multiply-adds per sample: what a narrower width costs.
    public static func workShare(of model: Model, in fullModel: Model) -> Double {
        Double(model.multiplyAddsPerSample) / Double(max(fullModel.multiplyAddsPerSample, 1))
    }

    /// The device's seconds for a round of `localEpochs` passes over `sampleCount` samples at
    /// `model`'s width (a narrower model costs its share of the full model's multiply-adds), plus
    /// the model down and the update up over the tier's link.
    public static func deviceSeconds(model: Model, fullModel: Model, tier: DeviceTier, sampleCount: Int, localEpochs: Int) -> Double {
        let compute = Double(sampleCount * localEpochs) * workShare(of: model, in: fullModel) / tier.samplesPerSecond
        let transfer = tier.bandwidthMbps.map { 2 * Double(model.parameterBytes) * 8 / ($0 * 1_000_000) } ?? 0
        return compute + transfer
    }
}

/// Why no width fits a device: the narrowest width's needs against what the device allows.
public struct WidthFitFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var narrowest: WidthFit.Choice?
    public var memoryMiB: Double
    public var allowedSeconds: Double

    public var description: String {
        guard let narrowest else { return "no model width fits: the run trains no width" }
        let memory = Double(narrowest.memoryBytes) / 1_048_576
        return String(
            format: "no model width fits: width %g needs %.2f MiB and %.2f s, the device grants %.2f MiB and the deadline %.2f s",
            narrowest.width, memory, narrowest.deviceSeconds, memoryMiB, allowedSeconds)
    }
}
