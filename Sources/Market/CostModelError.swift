/// Why a cost model or a round's work could not be built.
public enum CostModelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A price or power figure that is negative, NaN or infinite.
    case invalidParameter(name: String, value: Double)
    /// A quantity of work that is negative, NaN or infinite.
    case invalidWork(field: String, value: Double)

    public var description: String {
        switch self {
        case let .invalidParameter(name, value): "cost model \(name) must be a finite number ≥ 0, got \(value)"
        case let .invalidWork(field, value): "round work \(field) must be a finite number ≥ 0, got \(value)"
        }
    }
}
