/// Combines client updates into the next global model.
///
/// Rules sort the updates by client id first, so the result never depends on arrival order.
public protocol AggregationRule: Sendable {
    /// Short name for logs and result files, e.g. "fedavg", "krum(f=2)".
    var name: String { get }
    func aggregate(_ updates: [ClientContribution], global: [Float]) throws(AggregationError) -> [Float]
}

extension AggregationRule {
    /// Sorted by client id, all of the global model's length and finite.
    func validated(_ updates: [ClientContribution], global: [Float]) throws(AggregationError) -> [ClientContribution] {
        guard !updates.isEmpty else { throw .noUpdates }
        let sorted = updates.sorted { $0.clientID < $1.clientID }
        for update in sorted {
            guard update.parameters.count == global.count else {
                throw .lengthMismatch(clientID: update.clientID, expected: global.count, actual: update.parameters.count)
            }
            guard update.parameters.allSatisfy(\.isFinite) else { throw .nonFinite(clientID: update.clientID) }
        }
        return sorted
    }
}

/// The rules `agentfl simulate --aggregation` names, with their parameters.
public enum AggregationChoice: Sendable, Hashable, CustomStringConvertible {
    case fedAvg
    case median
    case trimmedMean(trimFraction: Double)
    case krum(byzantine: Int, selected: Int)

    /// Parses the CLI spelling (`fedavg`, `median`, `trimmed-mean`, `krum`).
    public static func parse(_ name: String, trim: Double = 0.1, krumF: Int = 1, krumM: Int = 1) throws(AggregationError) -> AggregationChoice {
        switch name.lowercased() {
        case "fedavg", "fedprox": return .fedAvg
        case "median": return .median
        case "trimmed-mean", "trimmedmean":
            guard trim >= 0, trim < 0.5 else { throw .invalidParameter("trim fraction must be in [0, 0.5), got \(trim)") }
            return .trimmedMean(trimFraction: trim)
        case "krum", "multi-krum":
            guard krumF >= 0 else { throw .invalidParameter("Krum's f must not be negative, got \(krumF)") }
            guard krumM >= 1 else { throw .invalidParameter("multi-Krum's m must be at least 1, got \(krumM)") }
            return .krum(byzantine: krumF, selected: krumM)
        default:
            throw .invalidParameter("unknown aggregation '\(name)' (expected fedavg, median, trimmed-mean or krum)")
        }
    }

    public func makeRule() -> any AggregationRule {
        switch self {
        case .fedAvg: FedAvg()
        case .median: CoordinateWiseMedian()
        case .trimmedMean(let fraction): TrimmedMean(trimFraction: fraction)
        case .krum(let f, let m): Krum(byzantine: f, selected: m)
        }
    }

    public var name: String {
        switch self {
        case .fedAvg: "fedavg"
        case .median: "median"
        case .trimmedMean: "trimmed-mean"
        case .krum: "krum"
        }
    }

    public var description: String { makeRule().name }
}
