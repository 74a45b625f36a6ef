/// Sample-weighted average (McMahan et al. 2017). FedProx changes only the local objective, so
/// it aggregates with this rule too. If every sample count is 0, all updates weigh the same.
public struct FedAvg: AggregationRule {
    public init() {}

    public var name: String { "fedavg" }

    public func aggregate(_ updates: [ClientContribution], global: [Float]) throws(AggregationError) -> [Float] {
        let sorted = try validated(updates, global: global)
        let totalSamples = sorted.reduce(0) { $0 + max($1.sampleCount, 0) }
        var result = [Float](repeating: 0, count: global.count)
        result.withUnsafeMutableBufferPointer { out in
            for update in sorted {
                let weight = totalSamples > 0 ? Float(max(update.sampleCount, 0)) / Float(totalSamples) : 1 / Float(sorted.count)
                guard weight > 0 else { continue }
                update.parameters.withUnsafeBufferPointer { p in
                    BLAS.axpy(count: out.count, alpha: weight, x: p.baseAddress!, y: out.baseAddress!)
                }
            }
        }
        return result
    }
}
