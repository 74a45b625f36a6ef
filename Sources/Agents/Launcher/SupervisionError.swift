import Foundation

/// Why the launcher ended a run early: the one error it reports.
public enum SupervisionError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A role crashed more often than its ``RestartPolicy`` allows.
    case restartBudgetSpent(role: String, last: ChildTermination, restarts: Int, window: Duration, logFile: String)
    /// A role could not be (re)started at all.
    case spawnFailed(role: String, reason: String)
    /// The embedded broker process ended while the run needed it.
    case brokerExited(address: String, termination: ChildTermination, logFile: String)
    /// The broker did not answer a metadata request for `waited`.
    case brokerUnreachable(addresses: [String], waited: Duration)
    /// The embedded broker could not be started.
    case brokerNotStarted(reason: String)

    public var description: String {
        switch self {
        case let .restartBudgetSpent(role, last, restarts, window, logFile):
            "role \(role) failed again (\(last)) after \(restarts) restart\(restarts == 1 ? "" : "s") within "
                + "\(Int(window.inSeconds)) s; not restarting it again. Its output is in \(logFile)"
        case let .spawnFailed(role, reason):
            "could not start role \(role): \(reason)"
        case let .brokerExited(address, termination, logFile):
            "the embedded broker at \(address) ended (\(termination)); its output is in \(logFile). "
                + "The run cannot go on: the embedded broker keeps every topic in memory and is not restarted"
        case let .brokerUnreachable(addresses, waited):
            "the broker at \(addresses.joined(separator: ",")) has not answered for \(Int(waited.inSeconds.rounded())) s; "
                + "stopping the run (the roles cannot make progress without it)"
        case let .brokerNotStarted(reason):
            "the embedded broker did not start: \(reason)"
        }
    }
}
