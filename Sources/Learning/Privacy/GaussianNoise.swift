/// DP-SGD's noise: adds N(0, (σ·C)²) to every coordinate of a batch's sum of clipped per-example
/// gradients, before it is divided by the (expected) batch size, as Abadi et al. 2016 and Opacus do.
///
/// The generator it draws from is the trainer's private one (``LocalTrainer/train(global:data:indices:configuration:seed:privateSeed:)``),
/// never one derived from the announced run seed: whoever could regenerate the noise could
/// subtract it.
public struct GaussianNoise: GradientHook {
    /// σ: the noise's standard deviation in units of the clipping norm.
    public var noiseMultiplier: Double
    /// C: the per-example clipping norm the noise is scaled to.
    public var clipNorm: Double

    public init(noiseMultiplier: Double, clipNorm: Double) {
        self.noiseMultiplier = noiseMultiplier
        self.clipNorm = clipNorm
    }

    public var name: String { "gaussian(σ=\(noiseMultiplier),C=\(clipNorm))" }

    public func adjust(summedGradient: UnsafeMutableBufferPointer<Float>, batchSize: Int, step: Int, rng: inout SplitMix64) {
        GaussianNoise.add(standardDeviation: noiseMultiplier * clipNorm, to: summedGradient, rng: &rng)
    }

    /// Adds N(0, sd²) to every element of `values`.
    public static func add(standardDeviation sd: Double, to values: UnsafeMutableBufferPointer<Float>, rng: inout SplitMix64) {
        guard sd > 0 else { return }
        for i in values.indices { values[i] += Float(sd * rng.nextNormal()) }
    }
}
