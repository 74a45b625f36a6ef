import Foundation
import Synchronization

/// The one thread every supervised child is spawned from.
///
/// Linux sends a child's parent-death signal (`PR_SET_PDEATHSIG`, see ``ParentDeath``) when the
/// *thread* that forked it ends, not when the process ends. Swift's cooperative pool and
/// Dispatch's worker threads come and go (an idle Dispatch worker exits after a few seconds), so a
/// role spawned from one of them would be killed at a random moment while the launcher is alive.
/// Spawning from this thread, which is never stopped, ties the signal to the launcher process.
public final class SpawnThread: Sendable {
    /// The process's spawn thread, started on first use and never stopped.
    public static let shared = SpawnThread()

    private struct Queue {
        var jobs: [@Sendable () -> Void] = []
    }
    private let queue = Mutex(Queue())
    private let available = DispatchSemaphore(value: 0)

    private init() {
        // The thread holds the (never released) shared instance for the life of the process.
        let thread = Thread { [self] in
            while true {
                available.wait()
                let job = queue.withLock { $0.jobs.isEmpty ? nil : $0.jobs.removeFirst() }
                job?()
            }
        }
        thread.name = "agentfl-spawn"
        thread.start()
    }

    /// Runs `body` on the spawn thread and returns its result; the caller blocks for as long as
    /// `body` takes (a `posix_spawn`, a few milliseconds).
    public func perform<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<T, any Error>?>(nil)
        queue.withLock { $0.jobs.append {
            let outcome = Result { try body() }
            result.withLock { $0 = outcome }
            done.signal()
        } }
        available.signal()
        done.wait()
        return try result.withLock { $0! }.get()
    }
}
