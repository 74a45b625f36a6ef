import Learning
import Privacy

extension ExperimentConfiguration {
    /// Every client's budget, when differential privacy is on.
    public var privacyBudget: PrivacyBudget? {
        privacy == nil ? nil : PrivacyBudget(epsilon: dpEpsilon, delta: dpDelta)
    }

    /// The mechanism a client holding `sampleCount` samples trains under (nil: DP off). DP-SGD's
    /// sampling rate defaults to batch ÷ samples (the expected batch is the batch size), and a
    /// round is `localEpochs` × round(1/q) steps, exactly what the trainer takes.
    public func privacyMechanism(sampleCount: Int) -> PrivacyMechanism? {
        switch privacy {
        case "dp-sgd":
            let rate = dpSampleRate ?? min(1, Double(batchSize) / Double(max(sampleCount, 1)))
            let steps = localEpochs * BatchSampling.poisson(rate: rate).stepsPerEpoch(sampleCount: sampleCount, batchSize: batchSize)
            return .dpSGD(noiseMultiplier: dpNoiseMultiplier, clipNorm: dpClipNorm, sampleRate: rate, stepsPerRound: steps)
        case "client-dp":
            return .clientLevel(noiseMultiplier: dpNoiseMultiplier, clipNorm: dpClipNorm)
        default:
            return nil
        }
    }
}

extension TrainingConfiguration {
    /// This training under `mechanism`: DP-SGD's Poisson sampling, per-example clipping and
    /// noise; client-level DP changes nothing here (it works on the finished update).
    public func under(_ mechanism: PrivacyMechanism?) -> TrainingConfiguration {
        guard case .dpSGD(let sigma, let clip, let rate, _) = mechanism else { return self }
        var training = self
        training.sampling = .poisson(rate: rate)
        training.clipping = PerExampleClipping(maxNorm: Float(clip), hook: GaussianNoise(noiseMultiplier: sigma, clipNorm: clip))
        return training
    }
}
