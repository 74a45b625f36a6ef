/// What a guardian's differential privacy costs its client, stated in its bid (what the round
/// would spend) and in its update (what it did spend), so the server can rule out an exhausted
/// client and an auditor can recompute every ε from the mechanism's parameters alone.
public struct PrivacyStatement: Codable, Sendable, Hashable {
    /// `dp-sgd` (per-example clipping and noise, Poisson-sampled batches) or `client-dp`
    /// (clipping and noise on the whole update).
    public var mechanism: String
    /// σ: noise standard deviation in units of the clipping norm.
    public var noiseMultiplier: Double
    /// C: the clipping norm.
    public var clipNorm: Double
    /// q: the Poisson sampling rate of DP-SGD's batches (1 for client-level DP).
    public var sampleRate: Double
    /// Steps of the sampled Gaussian mechanism this round takes (1 for client-level DP).
    public var steps: Int
    /// The noise multiplier the accountant charges per step: σ for DP-SGD, σ/2 for client-level
    /// DP (replacing a client's whole data moves a clipped update by up to 2C).
    public var accountedNoiseMultiplier: Double
    /// The client's budget.
    public var budgetEpsilon: Double
    public var delta: Double
    /// ε spent before this round, and ε once this round is spent (both for `delta`).
    public var epsilonBefore: Double
    public var epsilonAfter: Double

    public init(
        mechanism: String, noiseMultiplier: Double, clipNorm: Double, sampleRate: Double, steps: Int,
        accountedNoiseMultiplier: Double, budgetEpsilon: Double, delta: Double, epsilonBefore: Double, epsilonAfter: Double
    ) {
        self.mechanism = mechanism
        self.noiseMultiplier = noiseMultiplier
        self.clipNorm = clipNorm
        self.sampleRate = sampleRate
        self.steps = steps
        self.accountedNoiseMultiplier = accountedNoiseMultiplier
        self.budgetEpsilon = budgetEpsilon
        self.delta = delta
        self.epsilonBefore = epsilonBefore
        self.epsilonAfter = epsilonAfter
    }

    /// Whether the round stays within the budget.
    public var withinBudget: Bool { epsilonAfter <= budgetEpsilon }
}
