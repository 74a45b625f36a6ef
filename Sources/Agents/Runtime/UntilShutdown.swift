import ServiceLifecycle

/// Runs a role's main loop until it returns or graceful shutdown (SIGINT/SIGTERM) cancels it; the
/// cancellation that shutdown causes is a clean stop, not an error.
func runUntilShutdown(_ body: @escaping @Sendable () async throws -> Void) async throws {
    do {
        try await cancelWhenGracefulShutdown(body)
    } catch is CancellationError where Task.isShuttingDownGracefully {
    }
}

/// As ``runUntilShutdown(_:)``, but when graceful shutdown comes, `beforeStopping` runs while
/// `body` still runs (to let a reader catch up with what is already written), and only then is
/// `body` cancelled. `body` ending on its own ends the call without `beforeStopping`.
func runUntilShutdown(
    _ body: @escaping @Sendable () async throws -> Void, beforeStopping: @escaping @Sendable () async -> Void
) async throws {
    try await withThrowingTaskGroup(of: Bool.self) { group in
        group.addTask {
            try await body()
            return true
        }
        group.addTask {
            // Returns when shutdown begins; throws CancellationError when the group is cancelled.
            try await gracefulShutdown()
            await beforeStopping()
            return false
        }
        do {
            while let finishedBody = try await group.next() {
                // The body ended on its own (or after `beforeStopping`): stop the other child.
                group.cancelAll()
                if finishedBody { break }
            }
        } catch is CancellationError where Task.isShuttingDownGracefully {
        }
    }
}
