/// HeteroFL averaging (Diao et al. 2021): each coordinate of the full model is the
/// sample-weighted mean of the updates whose sub-model contains it; coordinates no update
/// covers keep the global value. With all widths 1 it is FedAvg.
public struct WidthMixedAveraging: AggregationRule {
    public let fullModel: Model

    /// `fullModel` must have width 1; sub-models of each width are derived from it.
    public init(fullModel: Model) {
        self.fullModel = fullModel
    }

    public var name: String { "heterofl" }

    public func aggregate(_ updates: [ClientContribution], global: [Float]) throws(AggregationError) -> [Float] {
        guard !updates.isEmpty else { throw .noUpdates }
        guard global.count == fullModel.parameterCount else {
            throw .lengthMismatch(clientID: -1, expected: fullModel.parameterCount, actual: global.count)
        }
        var sum = [Double](repeating: 0, count: global.count)
        var weight = [Double](repeating: 0, count: global.count)
        var slicings: [Double: ParameterSlicing] = [:]
        for update in updates.sorted(by: { $0.clientID < $1.clientID }) {
            let slicing: ParameterSlicing
            if let known = slicings[update.width] {
                slicing = known
            } else {
                do {
                    let sub = try makeModel(fullModel.architecture, inputShape: fullModel.sampleShape, classes: fullModel.classCount, width: update.width)
                    slicing = try ParameterSlicing(full: fullModel, sub: sub)
                } catch {
                    throw .invalidParameter("client \(update.clientID): \(error)")
                }
                slicings[update.width] = slicing
            }
            guard update.parameters.count == slicing.fullIndices.count else {
                throw .lengthMismatch(clientID: update.clientID, expected: slicing.fullIndices.count, actual: update.parameters.count)
            }
            guard update.parameters.allSatisfy(\.isFinite) else { throw .nonFinite(clientID: update.clientID) }
            let w = Double(max(update.sampleCount, 0))
            for (value, index) in zip(update.parameters, slicing.fullIndices) {
                sum[index] += w * Double(value)
                weight[index] += w
            }
        }
        return (0..<global.count).map { weight[$0] > 0 ? Float(sum[$0] / weight[$0]) : global[$0] }
    }
}
