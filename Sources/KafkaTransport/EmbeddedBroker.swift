import Foundation
import Logging
import Synchronization

/// The embedded Kafka-compatible broker (Tansu), a child process on a loopback port.
///
/// Tansu keeps everything in memory and never frees it (only deleting a topic does), so a
/// broker lives as long as one run or one test.
public final class EmbeddedBroker: Sendable {
    /// The broker's address, "127.0.0.1:PORT".
    public let bootstrapServer: String
    public let port: Int
    public let processIdentifier: Int32
    /// Where Tansu's own output goes, if anywhere.
    public let logFile: URL?

    private let process: Mutex<Process?>
    private let exited: CompletionSignal
    private let logger: Logger

    private init(port: Int, process: Process, exited: CompletionSignal, logFile: URL?, logger: Logger) {
        self.port = port
        self.bootstrapServer = "127.0.0.1:\(port)"
        self.processIdentifier = process.processIdentifier
        self.process = Mutex(process)
        self.exited = exited
        self.logFile = logFile
        self.logger = logger
    }

    /// Finds the binary: explicit URL, env AGENTFL_TANSU, else `.deps/bin/tansu` searched upward
    /// from the current directory and from the running executable's directory. Waits until it
    /// answers a metadata request. Tansu's output goes to `logFile`, or nowhere.
    public static func start(
        port: Int? = nil,
        executable: URL? = nil,
        logFile: URL? = nil,
        readinessTimeout: Duration = .seconds(15),
        logger: Logger
    ) async throws -> EmbeddedBroker {
        guard LibrdkafkaVersion.speaksToEmbeddedBroker else {
            throw KafkaError.librdkafkaTooOld(loaded: LibrdkafkaVersion.string)
        }
        let binary = try executable ?? TansuLocator.locate()
        let port = try port ?? FreePort.find()

        let process = Process()
        process.executableURL = binary
        process.arguments = [
            "broker",
            "--listener-url", "tcp://127.0.0.1:\(port)",
            "--advertised-listener-url", "tcp://127.0.0.1:\(port)",
        ]
        process.standardInput = FileHandle.nullDevice
        if let logFile {
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
            let handle = try FileHandle(forWritingTo: logFile)
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        let exited = CompletionSignal()
        process.terminationHandler = { _ in exited.fire() }
        do {
            try process.run()
        } catch {
            throw EmbeddedBrokerError.launchFailed(executable: binary.path, reason: "\(error)")
        }
        let broker = EmbeddedBroker(port: port, process: process, exited: exited, logFile: logFile, logger: logger)
        logger.debug("embedded broker starting", metadata: ["pid": "\(process.processIdentifier)", "port": "\(port)"])

        do {
            try await KafkaAdmin(bootstrapServers: [broker.bootstrapServer], logger: logger)
                .waitUntilReachable(timeout: readinessTimeout)
        } catch {
            let status = exited.isFired ? process.terminationStatus : nil
            await broker.stop()
            if let status { throw EmbeddedBrokerError.exitedBeforeReady(status: status, logFile: logFile?.path) }
            throw EmbeddedBrokerError.notReady(error)
        }
        logger.info("embedded broker ready", metadata: ["address": "\(broker.bootstrapServer)", "pid": "\(broker.processIdentifier)"])
        return broker
    }

    /// Whether the broker process is still running.
    public var isRunning: Bool { !exited.isFired }

    /// The broker's resident memory in bytes (VmRSS from /proc), or nil once it has exited.
    public var residentMemoryBytes: Int? {
        guard isRunning else { return nil }
        return ProcessMemory.residentBytes(of: processIdentifier)
    }

    /// Sends SIGTERM and waits for the process to exit (SIGKILL after `grace`). Idempotent.
    public func stop(grace: Duration) async {
        guard let process = self.process.withLock({ $0 }) else { return }
        if process.isRunning { kill(processIdentifier, SIGTERM) }
        let exited = self.exited
        let deadline = ContinuousClock.now + grace
        while !exited.isFired && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if !exited.isFired {
            logger.debug("embedded broker still draining after SIGTERM; killing it", metadata: ["pid": "\(processIdentifier)"])
            kill(processIdentifier, SIGKILL)
            await exited.wait()
        }
        self.process.withLock { $0 = nil }
    }

    /// SIGTERM, wait (SIGKILL after 1 s: Tansu drains connections slowly and keeps nothing on disk), idempotent.
    public func stop() async {
        await stop(grace: .seconds(1))
    }

    deinit {
        // A broker nobody stopped must not outlive its owner.
        if !exited.isFired { kill(processIdentifier, SIGKILL) }
    }
}
