import Foundation
import Logging

/// One role the launcher runs: how to start it again after a crash.
public struct RoleSpec: Sendable {
    public var name: String
    /// The `agentfl` arguments, the same on every restart.
    public var arguments: [String]
    public var logFile: URL
    /// A clean exit (status 0) means the role's work is done (the server after its last round);
    /// for every other role any exit before the run stops is a failure.
    public var finishesOnItsOwn: Bool

    public init(name: String, arguments: [String], logFile: URL, finishesOnItsOwn: Bool = false) {
        self.name = name
        self.arguments = arguments
        self.logFile = logFile
        self.finishesOnItsOwn = finishesOnItsOwn
    }
}

/// A restart the supervisor made.
public struct RoleRestart: Sendable {
    public var role: String
    public var termination: ChildTermination
    /// The n-th restart of this role in the run.
    public var count: Int
    public var crashedAt: ContinuousClock.Instant
    public var restartedAt: ContinuousClock.Instant
    public var oldPID: Int32
    public var newPID: Int32

    /// Seconds from the crash to the new process.
    public var downSeconds: Double { crashedAt.duration(to: restartedAt).inSeconds }
}

/// Keeps the roles of one run alive.
///
/// Each role's exit is awaited as an event (its process's termination handler), so a crash is
/// handled the moment it happens. Then, unless the run is stopping:
/// - the broker is checked first: an embedded broker that has ended, or a broker that has not
///   answered for `brokerOutageLimit`, ends the run with an error naming the broker, not the role
///   (roles exit when the broker goes away; the role is not at fault);
/// - a clean exit of a role whose work is done (``RoleSpec/finishesOnItsOwn``: the server after
///   its last round) is left alone;
/// - any other exit — a non-zero status, a signal, or a clean exit of a role that should still
///   be running — is a crash: the role is started again with the same arguments after the
///   ``RestartPolicy``'s back-off, its output appended to the same log file, and a line giving
///   the role, how it ended, the restart count and the time since the run started goes to the
///   launcher's log. Roles resume from their own state (server and aggregator from their
///   checkpoints and the topics, the auditor from its log, guardians from committed offsets).
/// - when the policy's budget is spent, the run ends with ``SupervisionError/restartBudgetSpent``
///   naming the role, its last exit and its log file.
///
/// The broker itself is never restarted (see ``LauncherBroker``). The broker is also probed on a
/// timer, because an unreachable broker makes roles wait, not exit.
public actor RoleSupervisor {
    public let executable: URL
    public let policy: RestartPolicy
    public let broker: LauncherBroker
    /// How long the broker may go unanswered before the run ends.
    public let brokerOutageLimit: Duration
    private let began: ContinuousClock.Instant
    private let logger: Logger
    private let onFailure: @Sendable (SupervisionError) async -> Void
    private let onRestart: @Sendable (RoleRestart) -> Void

    private var current: [String: ChildProcess] = [:]
    private var restartTimes: [String: [ContinuousClock.Instant]] = [:]
    public private(set) var restarts: [RoleRestart] = []
    private var watchers: [Task<Void, Never>] = []
    private var stopping = false
    private var failed: SupervisionError?

    /// `onFailure` is called once, with the error that ends the run.
    public init(
        executable: URL, policy: RestartPolicy, broker: LauncherBroker, brokerOutageLimit: Duration = .seconds(15),
        began: ContinuousClock.Instant = .now, logger: Logger,
        onRestart: @escaping @Sendable (RoleRestart) -> Void = { _ in },
        onFailure: @escaping @Sendable (SupervisionError) async -> Void
    ) {
        self.onRestart = onRestart
        self.executable = executable
        self.policy = policy
        self.broker = broker
        self.brokerOutageLimit = brokerOutageLimit
        self.began = began
        self.logger = logger
        self.onFailure = onFailure
    }

    /// The process now running `role`, if any.
    public func process(_ role: String) -> ChildProcess? { current[role] }

    /// Starts watching the broker: its end (embedded) at once, its silence (any) by a probe every
    /// few seconds.
    public func watchBroker() {
        if let process = broker.process {
            watchers.append(Task {
                guard let termination = await process.waitForTerminationOrCancellation() else { return }
                await self.brokerEnded(termination, logFile: process.logFile.path)
            })
        }
        let limit = brokerOutageLimit
        watchers.append(Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(3))
                if Task.isCancelled { return }
                if await self.isStopping { return }
                if await !self.brokerAnswers(within: limit) { return }
            }
        })
    }

    /// Starts `spec` and keeps it running until ``stop(grace:)``.
    public func start(_ spec: RoleSpec) throws(SupervisionError) {
        let child = try spawn(spec, appending: false)
        watchers.append(Task { await self.supervise(spec, child) })
    }

    /// Stops restarting, asks every role to drain and exit (SIGTERM, SIGKILL after `grace`),
    /// and waits for them.
    public func stop(grace: Duration = .seconds(5)) async {
        await stop(allBut: [], grace: grace)
        for watcher in watchers { watcher.cancel() }
    }

    /// Stops restarting, then stops every role except those named in `kept` (SIGTERM, SIGKILL after
    /// `grace`) and waits for them: the launcher stops the roles that write before the auditor, so
    /// the auditor can read to the end of topics that no longer grow.
    public func stop(allBut kept: Set<String>, grace: Duration = .seconds(5)) async {
        stopping = true
        let children = current.filter { !kept.contains($0.key) }.map(\.value)
        await withTaskGroup(of: Void.self) { group in
            for child in children { group.addTask { _ = await child.stop(grace: grace) } }
        }
    }

    private var isStopping: Bool { stopping || failed != nil }

    private func spawn(_ spec: RoleSpec, appending: Bool) throws(SupervisionError) -> ChildProcess {
        do {
            let child = try ChildProcess(
                name: spec.name, executable: executable, arguments: spec.arguments, logFile: spec.logFile, appending: appending)
            current[spec.name] = child
            return child
        } catch {
            throw .spawnFailed(role: spec.name, reason: "\(error)")
        }
    }

    private func supervise(_ spec: RoleSpec, _ first: ChildProcess) async {
        var child = first
        while true {
            guard let termination = await child.waitForTerminationOrCancellation() else { return }
            let crashedAt = ContinuousClock.now
            if isStopping { return }
            if spec.finishesOnItsOwn && termination.isSuccess {
                logger.info("role \(spec.name) finished", metadata: ["pid": "\(child.processIdentifier)"])
                return
            }
            // A role that ends while the broker is away is a symptom: check the broker first.
            guard await brokerAnswers(within: brokerOutageLimit) else { return }
            if isStopping { return }
            let history = restartTimes[spec.name, default: []]
            switch policy.decide(restarts: history, now: crashedAt) {
            case .giveUp:
                let recent = history.filter { crashedAt - $0 < policy.window }.count
                fail(.restartBudgetSpent(
                    role: spec.name, last: termination, restarts: recent, window: policy.window, logFile: spec.logFile.path))
                return
            case let .restart(after: backoff):
                let count = history.count + 1
                logger.warning("""
                    role \(spec.name) (pid \(child.processIdentifier)) ended with \(termination) after \
                    \(Self.seconds(child.startedAt.duration(to: crashedAt))) s, \(Self.seconds(began.duration(to: crashedAt))) s \
                    into the run; restart \(count) (\(history.filter { crashedAt - $0 < policy.window }.count + 1) of at most \
                    \(policy.maxRestarts) within \(Int(policy.window.inSeconds)) s) in \(Self.seconds(backoff)) s
                    """)
                restartTimes[spec.name, default: []].append(crashedAt)
                try? await Task.sleep(for: backoff)
                if isStopping { return }
                let old = child.processIdentifier
                do {
                    child = try spawn(spec, appending: true)
                } catch {
                    fail(error)
                    return
                }
                let restartedAt = ContinuousClock.now
                restarts.append(RoleRestart(
                    role: spec.name, termination: termination, count: count, crashedAt: crashedAt,
                    restartedAt: restartedAt, oldPID: old, newPID: child.processIdentifier))
                logger.warning("role \(spec.name) restarted as pid \(child.processIdentifier), \(Self.seconds(crashedAt.duration(to: restartedAt))) s after it ended")
                onRestart(restarts[restarts.count - 1])
            }
        }
    }

    /// Whether the broker answers; when it has not for `limit` (or the embedded one has ended),
    /// fails the run naming the broker and returns false.
    private func brokerAnswers(within limit: Duration) async -> Bool {
        if let process = broker.process, let termination = process.termination {
            brokerEnded(termination, logFile: process.logFile.path)
            return false
        }
        if await broker.answers(within: limit, logger: logger) { return true }
        if let process = broker.process, let termination = process.termination {
            brokerEnded(termination, logFile: process.logFile.path)
        } else {
            fail(.brokerUnreachable(addresses: broker.addresses, waited: limit))
        }
        return false
    }

    private func brokerEnded(_ termination: ChildTermination, logFile: String) {
        guard !stopping else { return }
        fail(.brokerExited(address: broker.addresses[0], termination: termination, logFile: logFile))
    }

    private func fail(_ error: SupervisionError) {
        guard failed == nil, !stopping else { return }
        failed = error
        let onFailure = self.onFailure
        Task { await onFailure(error) }
    }

    private static func seconds(_ duration: Duration) -> String {
        String(format: "%.2f", duration.inSeconds)
    }
}
