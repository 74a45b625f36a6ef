/// Why the embedded broker could not be started.
public enum EmbeddedBrokerError: Error, CustomStringConvertible, Sendable {
    case executableNotFound(searched: [String])
    case noFreePort(reason: String)
    case launchFailed(executable: String, reason: String)
    case exitedBeforeReady(status: Int32, logFile: String?)
    case notReady(KafkaError)

    public var description: String {
        switch self {
        case let .executableNotFound(searched):
            "the Tansu broker binary was not found (looked at \(searched.joined(separator: ", "))); "
                + "run scripts/bootstrap.sh or set AGENTFL_TANSU to its path"
        case let .noFreePort(reason):
            "could not find a free loopback port: \(reason)"
        case let .launchFailed(executable, reason):
            "could not launch \(executable): \(reason)"
        case let .exitedBeforeReady(status, logFile):
            "the embedded broker exited with status \(status) before it answered"
                + (logFile.map { " (its output is in \($0))" } ?? "")
        case let .notReady(error):
            "the embedded broker did not become ready: \(error)"
        }
    }
}
