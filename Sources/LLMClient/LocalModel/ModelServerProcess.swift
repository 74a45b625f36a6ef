import Foundation
import Synchronization

/// A child process started from a dedicated thread that then waits for it. The child runs under
/// `setpriv --pdeathsig KILL`, so it dies with that thread: a crashed or killed parent leaves no
/// model server behind. (The parent-death signal follows the spawning *thread*, which is why the
/// spawn cannot happen on a pool thread that may be retired while the child runs.)
final class ModelServerProcess: Sendable {
    let pid: pid_t
    private let exitStatus = Mutex<Int32?>(nil)

    private init(pid: pid_t) { self.pid = pid }

    /// Starts `executable arguments…` with stdin from /dev/null and stdout and stderr into `logPath`.
    static func spawn(_ executable: String, _ arguments: [String], logPath: String) async throws -> ModelServerProcess {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                let argv = ["/usr/bin/setpriv", "--pdeathsig", "KILL", "--", executable] + arguments
                var actions = posix_spawn_file_actions_t()
                posix_spawn_file_actions_init(&actions)
                defer { posix_spawn_file_actions_destroy(&actions) }
                posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
                posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                posix_spawn_file_actions_adddup2(&actions, 1, 2)
                // The child starts with no blocked signals and default dispositions: this thread may
                // block some (SIGTERM did not reach a child spawned without this), and ignored
                // dispositions would be inherited too.
                var attributes = posix_spawnattr_t()
                posix_spawnattr_init(&attributes)
                defer { posix_spawnattr_destroy(&attributes) }
                var noSignals = sigset_t(), allSignals = sigset_t()
                sigemptyset(&noSignals)
                sigfillset(&allSignals)
                posix_spawnattr_setsigmask(&attributes, &noSignals)
                posix_spawnattr_setsigdefault(&attributes, &allSignals)
                // Its own process group (0: the child's pid): a `waitpid(0, …)` elsewhere in this
                // process (Foundation's `Process` can issue one while its pid is still unset) then
                // cannot reap it, and a signal to our group does not reach it.
                posix_spawnattr_setpgroup(&attributes, 0)
                posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
                let cArguments = argv.map { strdup($0) } + [nil]
                defer { cArguments.forEach { free($0) } }
                var pid: pid_t = 0
                let code = posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, environ)
                guard code == 0 else {
                    continuation.resume(throwing: LocalModelError("posix_spawn \(argv.joined(separator: " ")): \(String(cString: strerror(code)))"))
                    return
                }
                let child = ModelServerProcess(pid: pid)
                continuation.resume(returning: child)
                var status: Int32 = 0
                var waited: pid_t
                repeat { waited = waitpid(pid, &status, 0) } while waited == -1 && errno == EINTR
                // ECHILD: another waiter in this process reaped it first and took its status.
                let recorded = waited == pid ? status : ModelServerProcess.reapedElsewhere
                child.exitStatus.withLock { $0 = recorded }
            }
            thread.name = "agentfl-child-\(URL(fileURLWithPath: executable).lastPathComponent)"
            thread.start()
        }
    }

    /// Recorded instead of a wait status when `waitpid` found no such child: something else in
    /// this process reaped it (a status no real exit produces: the low byte 0x7f means "stopped").
    static let reapedElsewhere: Int32 = -1

    /// The raw wait status once the child has exited, nil while it runs.
    var exited: Int32? { exitStatus.withLock { $0 } }

    /// "exit code N" or "signal N", once exited.
    var exitDescription: String? {
        guard let status = exited else { return nil }
        if status == Self.reapedElsewhere { return "exit unknown (reaped by another waiter in this process)" }
        return status & 0x7f == 0 ? "exit code \((status >> 8) & 0xff)" : "signal \(status & 0x7f)"
    }

    /// SIGTERM, then SIGKILL if it has not exited within `grace`; returns once it has been reaped.
    func terminate(grace: Duration = .seconds(5)) async {
        guard exited == nil else { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while exited == nil {
            if ContinuousClock.now > deadline { kill(pid, SIGKILL) }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
