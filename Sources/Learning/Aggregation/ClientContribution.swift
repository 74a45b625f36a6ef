/// One client's update as the aggregator sees it.
public struct ClientContribution: Sendable {
    public let clientID: Int
    public let parameters: [Float]
    public let sampleCount: Int
    /// Width multiplier of the sub-model the client trained (HeteroFL); 1 for the full model.
    public let width: Double

    public init(clientID: Int, parameters: [Float], sampleCount: Int, width: Double = 1.0) {
        self.clientID = clientID
        self.parameters = parameters
        self.sampleCount = sampleCount
        self.width = width
    }
}

/// Why a set of updates cannot be aggregated.
public enum AggregationError: Error, Sendable, Equatable, CustomStringConvertible {
    case noUpdates
    case lengthMismatch(clientID: Int, expected: Int, actual: Int)
    case notEnoughUpdates(rule: String, needed: Int, actual: Int)
    case nonFinite(clientID: Int)
    case invalidParameter(String)

    public var description: String {
        switch self {
        case .noUpdates: "no updates to aggregate"
        case .lengthMismatch(let id, let expected, let actual):
            "client \(id) sent \(actual) parameters, expected \(expected)"
        case .notEnoughUpdates(let rule, let needed, let actual):
            "\(rule) needs at least \(needed) updates, got \(actual)"
        case .nonFinite(let id): "client \(id) sent a non-finite parameter"
        case .invalidParameter(let reason): "invalid aggregation parameter: \(reason)"
        }
    }
}
