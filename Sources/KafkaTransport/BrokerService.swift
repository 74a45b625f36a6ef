import struct Foundation.URL
import Logging
import ServiceLifecycle

/// Runs an embedded broker inside a `ServiceGroup`: starts it, serves until graceful shutdown
/// (SIGINT/SIGTERM) or cancellation, then stops it.
public struct BrokerService: Service {
    public var port: Int?
    public var executable: URL?
    public var logFile: URL?
    public let logger: Logger
    private let onReady: @Sendable (EmbeddedBroker) async -> Void

    /// `onReady` runs once the broker answers (e.g. to print its address or create topics).
    public init(
        port: Int? = nil,
        executable: URL? = nil,
        logFile: URL? = nil,
        logger: Logger,
        onReady: @escaping @Sendable (EmbeddedBroker) async -> Void = { _ in }
    ) {
        self.port = port
        self.executable = executable
        self.logFile = logFile
        self.logger = logger
        self.onReady = onReady
    }

    public func run() async throws {
        let broker = try await EmbeddedBroker.start(port: port, executable: executable, logFile: logFile, logger: logger)
        await onReady(broker)
        // Returns on graceful shutdown; throws CancellationError on cancellation. Stop either way.
        try? await gracefulShutdown()
        logger.info("stopping embedded broker", metadata: ["address": "\(broker.bootstrapServer)"])
        await broker.stop()
    }
}
