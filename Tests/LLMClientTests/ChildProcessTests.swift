import Foundation
import Testing
@testable import LLMClient

/// The helper that runs llama-server for the real-model suite must leave nothing behind.
@Suite("Child process helper")
struct ChildProcessTests {
    @Test func terminateStopsAndReapsTheChild() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-child-\(getpid()).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let child = try await ModelServerProcess.spawn("/bin/sleep", ["30"], logPath: log)
        #expect(child.exited == nil, "the child ended at once: \(child.exitDescription ?? "")")
        #expect(kill(child.pid, 0) == 0)
        #expect(getpgid(child.pid) == child.pid, "the child leads its own process group")
        await child.terminate()
        // How it ended, not how long it took: SIGTERM must have stopped it, not the SIGKILL that
        // follows the grace period (a timed check failed on a loaded machine for no fault).
        #expect(child.exitDescription == "signal \(SIGTERM)", "ended with \(child.exitDescription ?? "nothing"), not SIGTERM")
        #expect(kill(child.pid, 0) == -1 && errno == ESRCH, "pid \(child.pid) still exists")
    }

    @Test func aMissingExecutableIsReportedByName() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-child-missing-\(getpid()).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        // setpriv itself starts, then fails to exec the target and exits non-zero, naming it in the log.
        let child = try await ModelServerProcess.spawn("/nonexistent/llama-server", [], logPath: log)
        while child.exited == nil { try await Task.sleep(for: .milliseconds(10)) }
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("/nonexistent/llama-server"), "log: \(text)")
    }
}
