import ServiceLifecycle

/// Runs a role's main loop until it returns or graceful shutdown (SIGINT/SIGTERM) cancels it; the
/// cancellation that shutdown causes is a clean stop, not an error.
func runUntilShutdown(_ body: @escaping @Sendable () async throws -> Void) async throws {
    do {
        try await cancelWhenGracefulShutdown(body)
    } catch is CancellationError where Task.isShuttingDownGracefully {
    }
}
