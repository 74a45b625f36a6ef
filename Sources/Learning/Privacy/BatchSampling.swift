/// How a local epoch's mini-batches are drawn.
public enum BatchSampling: Sendable, Hashable {
    /// A fresh shuffle each epoch, cut into batches of the configured size (every sample once).
    case shuffled
    /// Poisson sampling, as Opacus does for DP-SGD: each step takes every sample independently
    /// with probability `rate`, so batch sizes vary; an epoch is round(1/rate) steps, and the
    /// noisy sum is divided by the expected batch size rate·n. The privacy accountant's
    /// subsampled-Gaussian analysis assumes exactly this; shuffled batches would void it.
    case poisson(rate: Double)

    /// Optimizer steps one epoch takes over `sampleCount` samples in batches of `batchSize`.
    public func stepsPerEpoch(sampleCount: Int, batchSize: Int) -> Int {
        guard sampleCount > 0 else { return 0 }
        switch self {
        case .shuffled:
            let batch = max(1, min(batchSize, sampleCount))
            return (sampleCount + batch - 1) / batch
        case .poisson(let rate):
            return max(1, Int((1 / rate).rounded()))
        }
    }
}
