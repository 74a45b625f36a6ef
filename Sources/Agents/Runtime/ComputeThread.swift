import Foundation

/// Runs CPU-bound work (training, evaluation) on a thread of its own, so that it never occupies a
/// thread of Swift's cooperative pool, where it would hold up every other task of the process
/// (message handling, heartbeats, timers) for as long as it computes.
enum ComputeThread {
    static func run<T: Sendable>(named name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        let result: Result<T, any Error> = await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: Result { try body() }) }
            thread.name = name
            thread.stackSize = 8 << 20
            thread.start()
        }
        return try result.get()
    }
}
