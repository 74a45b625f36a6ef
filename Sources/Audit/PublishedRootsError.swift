/// Why a file of published roots could not be read.
public enum PublishedRootsError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notJSON(line: Int)
    case invalid(line: Int?, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read roots file \(path): \(reason)"
        case .notJSON(let line): "roots file line \(line) is not JSON"
        case .invalid(let line?, let reason): "roots file line \(line): \(reason)"
        case .invalid(nil, let reason): "roots file: \(reason)"
        }
    }
}
