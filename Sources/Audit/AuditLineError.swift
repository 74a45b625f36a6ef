/// Why a line of the log could not be read as an entry.
public enum AuditLineError: Error, Sendable, Hashable, CustomStringConvertible {
    case emptyLine
    case notJSON
    case notAnObject
    case missingField(String)
    case wrongKind(field: String, expected: String)
    case invalidValue(field: String, reason: String)

    public var description: String {
        switch self {
        case .emptyLine: "empty line"
        case .notJSON: "not valid JSON (truncated or corrupted line)"
        case .notAnObject: "not a JSON object"
        case .missingField(let name): "missing field \"\(name)\""
        case .wrongKind(let name, let expected): "field \"\(name)\" is not \(expected)"
        case .invalidValue(let name, let reason): "field \"\(name)\": \(reason)"
        }
    }
}
