/// Errors of the agent roles and the launcher.
public enum AgentError: Error, CustomStringConvertible, Equatable {
    case invalidFile(String, reason: String)
    case invalidConfiguration(String)
    case roleFailed(role: String, status: Int32)
    case timedOut(String)
    case missingModel(version: Int)

    public var description: String {
        switch self {
        case let .invalidFile(path, reason): "\(path): \(reason)"
        case let .invalidConfiguration(reason): "invalid configuration: \(reason)"
        case let .roleFailed(role, status): "role \(role) exited with status \(status)"
        case let .timedOut(what): "timed out: \(what)"
        case let .missingModel(version): "global model version \(version) never arrived"
        }
    }
}
