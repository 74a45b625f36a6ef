import Foundation

/// Rényi-DP accounting for the Poisson-subsampled Gaussian mechanism (DP-SGD with Poisson
/// sampling at rate `q` and noise multiplier `σ`), as Opacus does it: the RDP of one step at each
/// order α from Mironov, Talwar and Zhang, "Rényi Differential Privacy of the Sampled Gaussian
/// Mechanism" (2019), summed over steps, then converted to (ε, δ) with Balle et al., "Hypothesis
/// Testing Interpretations and Rényi Differential Privacy" (2020), Theorem 21, the conversion
/// Opacus 1.6 and Google's dp_accounting use, minimised over the orders.
public struct RDPAccountant: Sendable, Hashable, Codable {
    /// One stretch of training: `steps` steps at sampling rate `q` with noise multiplier `σ`.
    public struct Stretch: Sendable, Hashable, Codable {
        public var noiseMultiplier: Double
        public var sampleRate: Double
        public var steps: Int

        public init(noiseMultiplier: Double, sampleRate: Double, steps: Int) {
            self.noiseMultiplier = noiseMultiplier
            self.sampleRate = sampleRate
            self.steps = steps
        }
    }

    /// Opacus's default orders: 1.1, 1.2, …, 10.9, then 12, 13, …, 63.
    public static let defaultOrders: [Double] = (1..<100).map { 1 + Double($0) / 10 } + (12..<64).map(Double.init)

    public let orders: [Double]
    /// Everything spent so far.
    public private(set) var history: [Stretch] = []

    public init(orders: [Double] = RDPAccountant.defaultOrders) {
        self.orders = orders
    }

    /// Records `steps` more steps.
    public mutating func step(noiseMultiplier: Double, sampleRate: Double, steps: Int = 1) {
        if let last = history.last, last.noiseMultiplier == noiseMultiplier, last.sampleRate == sampleRate {
            history[history.count - 1].steps += steps
        } else {
            history.append(Stretch(noiseMultiplier: noiseMultiplier, sampleRate: sampleRate, steps: steps))
        }
    }

    /// The total RDP at each order.
    public func rdp(of stretches: [Stretch]? = nil) -> [Double] {
        orders.map { alpha in
            (stretches ?? history).reduce(0) { $0 + Double($1.steps) * Self.rdp(q: $1.sampleRate, sigma: $1.noiseMultiplier, alpha: alpha) }
        }
    }

    /// ε for `delta` after what was spent (and, when given, `more` on top: what a round would
    /// cost), with the order that gave it.
    public func epsilon(delta: Double, adding more: [Stretch] = []) -> (epsilon: Double, order: Double) {
        Self.epsilon(rdp: rdp(of: history + more), orders: orders, delta: delta)
    }

    /// Balle et al. 2020, Thm 21: ε = RDP(α) − (ln δ + ln α)/(α − 1) + ln((α − 1)/α), minimised.
    public static func epsilon(rdp: [Double], orders: [Double], delta: Double) -> (epsilon: Double, order: Double) {
        var best = (epsilon: Double.infinity, order: orders.first ?? 0)
        for (value, alpha) in zip(rdp, orders) where alpha > 1 {
            let epsilon = value - (log(delta) + log(alpha)) / (alpha - 1) + log((alpha - 1) / alpha)
            if epsilon.isFinite, epsilon < best.epsilon { best = (epsilon, alpha) }
        }
        return (max(best.epsilon, 0), best.order)
    }

    /// The older conversion, ε = RDP(α) − ln δ / (α − 1) (Mironov 2017, Prop. 3), for comparison.
    public static func classicEpsilon(rdp: [Double], orders: [Double], delta: Double) -> Double {
        var best = Double.infinity
        for (value, alpha) in zip(rdp, orders) where alpha > 1 {
            let epsilon: Double = value - log(delta) / (alpha - 1)
            if epsilon.isFinite { best = min(best, epsilon) }
        }
        return best
    }

    /// The RDP of one step of the sampled Gaussian mechanism at order α.
    public static func rdp(q: Double, sigma: Double, alpha: Double) -> Double {
        if q == 0 { return 0 }
        if sigma == 0 { return .infinity }
        if q == 1 { return alpha / (2 * sigma * sigma) }
        if alpha.isInfinite { return .infinity }
        return logA(q: q, sigma: sigma, alpha: alpha) / (alpha - 1)
    }

    static func logA(q: Double, sigma: Double, alpha: Double) -> Double {
        alpha == alpha.rounded() ? logAInteger(q: q, sigma: sigma, alpha: Int(alpha)) : logAFractional(q: q, sigma: sigma, alpha: alpha)
    }

    /// log A_α for integer α: log Σ_i C(α, i) q^i (1−q)^(α−i) exp((i² − i) / 2σ²).
    static func logAInteger(q: Double, sigma: Double, alpha: Int) -> Double {
        var logA = -Double.infinity
        var logBinomial = 0.0  // log C(alpha, 0)
        for i in 0...alpha {
            if i > 0 { logBinomial += log(Double(alpha - i + 1)) - log(Double(i)) }
            let term = logBinomial + Double(i) * log(q) + Double(alpha - i) * log(1 - q) + Double(i * i - i) / (2 * sigma * sigma)
            logA = logAdd(logA, term)
        }
        return logA
    }

    /// log A_α for fractional α (Mironov et al. 2019, §3.3), summing both tails until they vanish.
    static func logAFractional(q: Double, sigma: Double, alpha: Double) -> Double {
        var logA0 = -Double.infinity, logA1 = -Double.infinity
        var i = 0.0
        var coefficient = 1.0  // C(alpha, 0), generalised binomial
        let z0 = sigma * sigma * log(1 / q - 1) + 0.5
        while true {
            if i > 0 { coefficient *= (alpha - i + 1) / i }
            let logCoefficient = log(abs(coefficient))
            let j = alpha - i
            let logT0 = logCoefficient + i * log(q) + j * log(1 - q)
            let logT1 = logCoefficient + j * log(q) + i * log(1 - q)
            let logE0 = log(0.5) + logErfc((i - z0) / (2.0.squareRoot() * sigma))
            let logE1 = log(0.5) + logErfc((z0 - j) / (2.0.squareRoot() * sigma))
            let logS0 = logT0 + (i * i - i) / (2 * sigma * sigma) + logE0
            let logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1
            if coefficient > 0 {
                logA0 = logAdd(logA0, logS0)
                logA1 = logAdd(logA1, logS1)
            } else {
                logA0 = logSubtract(logA0, logS0)
                logA1 = logSubtract(logA1, logS1)
            }
            i += 1
            if max(logS0, logS1) < -30 { break }
        }
        return logAdd(logA0, logA1)
    }

    static func logAdd(_ x: Double, _ y: Double) -> Double {
        let (a, b) = (min(x, y), max(x, y))
        if a == -.infinity { return b }
        return log1p(exp(a - b)) + b
    }

    static func logSubtract(_ x: Double, _ y: Double) -> Double {
        if y == -.infinity { return x }
        if x <= y { return -.infinity }  // Opacus treats a non-positive difference as log 0
        return log(expm1(x - y)) + y
    }

    /// log erfc(x), stable for large x (the asymptotic series where erfc underflows).
    static func logErfc(_ x: Double) -> Double {
        if x < 20 { return log(erfc(x)) }
        let inverse = 1 / (x * x)
        return -x * x - log(x) - 0.5 * log(Double.pi) + log(1 - 0.5 * inverse + 0.75 * inverse * inverse)
    }
}
