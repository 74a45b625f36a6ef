/// How a guardian makes its client's contribution differentially private, with what the RDP
/// accountant charges for one round of it.
public enum PrivacyMechanism: Sendable, Hashable, Codable {
    /// DP-SGD (Abadi et al. 2016): each local step Poisson-samples its batch at rate `sampleRate`,
    /// clips every example's gradient to `clipNorm` and adds N(0, (σ·C)²) to their sum; a round
    /// is `stepsPerRound` such steps. Neighbouring data sets differ by adding or removing one
    /// example (Opacus's convention).
    case dpSGD(noiseMultiplier: Double, clipNorm: Double, sampleRate: Double, stepsPerRound: Int)
    /// Client-level DP on the update: the change from the global model is clipped to `clipNorm`
    /// and N(0, (σ·C)²) added, once per round. Neighbouring data sets are any two data sets of the
    /// client (the whole data set replaced), so the update moves by up to 2C: the accountant
    /// charges a Gaussian mechanism of noise multiplier σ/2, unsampled.
    case clientLevel(noiseMultiplier: Double, clipNorm: Double)

    /// The name written in bids, updates and the audit log.
    public var name: String {
        switch self {
        case .dpSGD: "dp-sgd"
        case .clientLevel: "client-dp"
        }
    }

    public var noiseMultiplier: Double {
        switch self {
        case .dpSGD(let sigma, _, _, _), .clientLevel(let sigma, _): sigma
        }
    }

    public var clipNorm: Double {
        switch self {
        case .dpSGD(_, let clip, _, _), .clientLevel(_, let clip): clip
        }
    }

    /// What one round costs, as the accountant sees it.
    public var roundCost: RDPAccountant.Stretch {
        switch self {
        case .dpSGD(let sigma, _, let rate, let steps):
            RDPAccountant.Stretch(noiseMultiplier: sigma, sampleRate: rate, steps: steps)
        case .clientLevel(let sigma, _):
            RDPAccountant.Stretch(noiseMultiplier: sigma / 2, sampleRate: 1, steps: 1)
        }
    }

    /// Checks the parameters a guarantee cannot be stated for.
    public func validate() throws(PrivacyError) {
        guard noiseMultiplier.isFinite, noiseMultiplier > 0 else {
            throw .invalidMechanism("the noise multiplier σ must be a positive number, got \(noiseMultiplier)")
        }
        guard clipNorm.isFinite, clipNorm > 0 else { throw .invalidMechanism("the clipping norm C must be positive, got \(clipNorm)") }
        if case .dpSGD(_, _, let rate, let steps) = self {
            guard rate > 0, rate <= 1 else { throw .invalidMechanism("the sampling rate q must be in (0, 1], got \(rate)") }
            guard steps >= 0 else { throw .invalidMechanism("steps per round must not be negative, got \(steps)") }
        }
    }
}
