import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One role running as a child process of the launcher, its output in a log file of its own.
public final class ChildProcess: Sendable {
    public let name: String
    public let logFile: URL
    private let process: Process
    private let exit = ExitLatch()

    /// Starts `executable arguments…`; stdout and stderr go to `logFile`.
    public init(name: String, executable: URL, arguments: [String], logFile: URL, environment: [String: String]? = nil) throws {
        self.name = name
        self.logFile = logFile
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        if let environment { process.environment = environment }
        let exit = self.exit
        process.terminationHandler = { finished in
            try? handle.close()
            exit.open(finished.terminationStatus)
        }
        self.process = process
        try process.run()
    }

    public var processIdentifier: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Waits for the process to end and returns its exit status.
    public func waitForExit() async -> Int32 {
        await exit.wait()
    }

    /// Sends `signal` (SIGTERM asks the role to drain, commit and exit 0).
    public func send(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
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

/// Wakes every waiter once the process has exited; any number of tasks may wait.
private final class ExitLatch: Sendable {
    private struct State {
        var status: Int32?
        var waiters: [CheckedContinuation<Int32, Never>] = []
    }
    private let state = Mutex(State())

    func open(_ status: Int32) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int32, Never>] in
            state.status = status
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let status = state.withLock { state -> Int32? in
                if let status = state.status { return status }
                state.waiters.append(continuation)
                return nil
            }
            if let status { continuation.resume(returning: status) }
        }
    }
}
