/// Client-level differential privacy on the update itself (as in DP-FedAvg, McMahan et al. 2018,
/// but applied by the client before it sends): the change from the global model is clipped to an
/// L2 norm of at most C and N(0, (σ·C)²) is added to every coordinate.
public struct UpdateNoise: Sendable, Hashable {
    public var noiseMultiplier: Double
    public var clipNorm: Double

    public init(noiseMultiplier: Double, clipNorm: Double) {
        self.noiseMultiplier = noiseMultiplier
        self.clipNorm = clipNorm
    }

    /// Returns global + noise + clip(trained − global), and the norm of the change before clipping.
    public func apply(trained: [Float], global: [Float], rng: inout SplitMix64) -> (parameters: [Float], updateNorm: Double) {
        precondition(trained.count == global.count, "update and global model differ in size")
        var delta = [Float](repeating: 0, count: trained.count)
        var squares = 0.0
        for i in delta.indices {
            delta[i] = trained[i] - global[i]
            squares += Double(delta[i]) * Double(delta[i])
        }
        let norm = squares.squareRoot()
        let scale = norm > clipNorm ? Float(clipNorm / norm) : 1
        delta.withUnsafeMutableBufferPointer { values in
            for i in values.indices { values[i] *= scale }
            GaussianNoise.add(standardDeviation: noiseMultiplier * clipNorm, to: values, rng: &rng)
        }
        return (zip(global, delta).map { $0 + $1 }, norm)
    }
}
