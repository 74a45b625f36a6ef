import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended.
public enum ChildTermination: Sendable, Equatable, CustomStringConvertible {
    /// It called `exit(code)` (or returned from `main`).
    case exited(Int32)
    /// A signal ended it (SIGKILL, SIGSEGV, …).
    case signaled(Int32)

    /// A clean exit: status 0.
    public var isSuccess: Bool { self == .exited(0) }

    /// The exit code, or 128 + the signal number as a shell reports it.
    public var shellStatus: Int32 {
        switch self {
        case let .exited(code): code
        case let .signaled(signal): 128 + signal
        }
    }

    public var description: String {
        switch self {
        case let .exited(code): "exit status \(code)"
        case let .signaled(signal):
            if let name = strsignal(signal) { "signal \(signal) (\(String(cString: name)))" } else { "signal \(signal)" }
        }
    }
}

/// One child process of the launcher, its output in a log file of its own.
///
/// The exit is an event, not a poll: Foundation's termination handler opens a latch that any
/// number of tasks await (``waitForTermination()``). Children are spawned from ``SpawnThread`` and,
/// unless `diesWithParent` is false, told through their environment to die with this process
/// (see ``ParentDeath``; only `agentfl` children honour it).
public final class ChildProcess: Sendable {
    public let name: String
    public let logFile: URL
    /// When the process was started.
    public let startedAt: ContinuousClock.Instant
    private let process: Process
    private let exit = ExitLatch()

    /// Starts `executable arguments…`; stdout and stderr go to `logFile`, which is emptied first
    /// unless `appending` (a restarted role keeps its earlier output in the same file).
    public init(
        name: String, executable: URL, arguments: [String], logFile: URL, environment: [String: String]? = nil,
        diesWithParent: Bool = true, appending: Bool = false
    ) throws {
        self.name = name
        self.logFile = logFile
        if !appending || !FileManager.default.fileExists(atPath: logFile.path) {
            FileManager.default.createFile(atPath: logFile.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: logFile)
        try handle.seekToEnd()
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        let base = environment ?? ProcessInfo.processInfo.environment
        process.environment = diesWithParent ? ParentDeath.childEnvironment(base) : base
        let exit = self.exit
        process.terminationHandler = { finished in
            try? handle.close()
            let status = finished.terminationStatus
            exit.open(finished.terminationReason == .uncaughtSignal ? .signaled(status) : .exited(status))
        }
        self.process = process
        self.startedAt = .now
        try SpawnThread.shared.perform { try process.run() }
    }

    public var processIdentifier: Int32 { process.processIdentifier }
    public var isRunning: Bool { exit.termination == nil }
    /// How it ended, or nil while it runs.
    public var termination: ChildTermination? { exit.termination }

    /// Waits for the process to end and returns how.
    public func waitForTermination() async -> ChildTermination {
        await exit.wait(cancellable: false)!
    }

    /// Waits for the process to end, or for the task to be cancelled (then nil).
    public func waitForTerminationOrCancellation() async -> ChildTermination? {
        await exit.wait(cancellable: true)
    }

    /// Waits for the process to end and returns its exit status (128 + n for signal n).
    public func waitForExit() async -> Int32 {
        await waitForTermination().shellStatus
    }

    /// Sends `signal` (SIGTERM asks the role to drain, commit and exit 0).
    public func send(_ signal: Int32) {
        if isRunning { kill(process.processIdentifier, signal) }
    }

    /// SIGTERM, then SIGKILL if it has not exited after `grace`. Returns the exit status.
    @discardableResult
    public func stop(grace: Duration = .seconds(5)) async -> Int32 {
        send(SIGTERM)
        return await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await self.waitForExit() }
            group.addTask {
                try? await Task.sleep(for: grace)
                return nil
            }
            for await result in group {
                if let status = result {
                    group.cancelAll()
                    return status
                }
                self.send(SIGKILL)
            }
            return await self.waitForExit()
        }
    }
}

/// Wakes every waiter once the process has exited; any number of tasks may wait, and a waiter
/// that is cancelled can leave without the process having exited.
private final class ExitLatch: Sendable {
    private struct State {
        var termination: ChildTermination?
        var waiters: [UInt64: CheckedContinuation<ChildTermination?, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }
    private let state = Mutex(State())

    var termination: ChildTermination? { state.withLock { $0.termination } }

    func open(_ termination: ChildTermination) {
        let waiters = state.withLock { state -> [CheckedContinuation<ChildTermination?, Never>] in
            state.termination = termination
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: termination) }
    }

    /// The termination; nil only if `cancellable` and the task was cancelled first.
    func wait(cancellable: Bool) async -> ChildTermination? {
        let id = state.withLock { state -> UInt64 in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let termination = state.withLock { state -> ChildTermination?? in
                    if let termination = state.termination { return .some(termination) }
                    if cancellable && Task.isCancelled { return .some(nil) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let termination { continuation.resume(returning: termination) }
            }
        } onCancel: {
            guard cancellable else { return }
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: nil)
        }
    }
}
