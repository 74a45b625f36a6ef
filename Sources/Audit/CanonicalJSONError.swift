/// Why a value has no canonical JSON form.
public enum CanonicalJSONError: Error, Sendable, Hashable, CustomStringConvertible {
    case nonFiniteNumber(path: String)

    public var description: String {
        switch self {
        case .nonFiniteNumber(let path): "the number at \(path) is NaN or infinite, which JSON cannot carry"
        }
    }
}
