/// Why the topic catalog could not be found or read. Every case names the file (or directory) and
/// the field at fault.
public enum TopicCatalogError: Error, Sendable, Hashable, CustomStringConvertible {
    case notFound(searched: [String])
    case directoryUnreadable(directory: String, reason: String)
    case invalidJSON(file: String, reason: String)
    case missingField(file: String, field: String)
    case invalidField(file: String, field: String, reason: String)
    case unknownField(file: String, field: String)
    case unknownMessageType(file: String, value: String)
    case invalidPartitions(file: String, value: Int)
    case duplicateName(name: String, firstFile: String, secondFile: String)
    case duplicateMessageType(type: MessageType, firstFile: String, secondFile: String)
    case missingMessageType(type: MessageType, directory: String)
    case schemaVersionMismatch(file: String, type: MessageType, declared: Int, built: Int)

    public var description: String {
        switch self {
        case .notFound(let searched):
            "no topics directory found; set AGENTFL_TOPICS or pass the directory. Searched: \(searched.joined(separator: ", "))"
        case .directoryUnreadable(let directory, let reason):
            "cannot read the topics directory \(directory): \(reason)"
        case .invalidJSON(let file, let reason):
            "\(file): invalid JSON: \(reason)"
        case .missingField(let file, let field):
            "\(file): missing field '\(field)'"
        case .invalidField(let file, let field, let reason):
            "\(file): field '\(field)' \(reason)"
        case .unknownField(let file, let field):
            "\(file): unknown field '\(field)' (a typo?)"
        case .unknownMessageType(let file, let value):
            "\(file): unknown messageType '\(value)' (known: \(MessageType.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .invalidPartitions(let file, let value):
            "\(file): partitions must be at least 1, not \(value)"
        case .duplicateName(let name, let firstFile, let secondFile):
            "topic name '\(name)' is declared twice: in \(firstFile) and in \(secondFile)"
        case .duplicateMessageType(let type, let firstFile, let secondFile):
            "message type '\(type)' has two topics: \(firstFile) and \(secondFile)"
        case .missingMessageType(let type, let directory):
            "\(directory): no topic carries message type '\(type)'"
        case .schemaVersionMismatch(let file, let type, let declared, let built):
            "\(file): schemaVersion \(declared) for '\(type)', but this build speaks version \(built)"
        }
    }
}
