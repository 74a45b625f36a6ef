import Foundation
import KafkaTransport
import Logging
import Synchronization

/// A logger for tests: quiet unless AGENTFL_TEST_LOG_LEVEL (e.g. "debug") asks for more.
public func testLogger(_ label: String = "test") -> Logger {
    var logger = Logger(label: label)
    let level = ProcessInfo.processInfo.environment["AGENTFL_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
    logger.logLevel = level ?? .critical
    return logger
}

/// Starts a fresh embedded broker on a free port, runs `body` with its bootstrap address
/// ("127.0.0.1:PORT"), and stops the broker afterwards, also when `body` throws.
public func withEmbeddedBroker<T>(
    logger: Logger = testLogger("embedded-broker"),
    _ body: (String) async throws -> T
) async throws -> T {
    let broker = try await EmbeddedBroker.start(logger: logger)
    do {
        let result = try await body(broker.bootstrapServer)
        await broker.stop()
        return result
    } catch {
        await broker.stop()
        throw error
    }
}

private let topicCounter = Atomic<Int>(0)

/// A topic name no other test in this process (or an earlier run) uses: prefix, process id, counter, random suffix.
public func uniqueTopicName(_ prefix: String = "test") -> String {
    let count = topicCounter.add(1, ordering: .relaxed).newValue
    let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
    return "\(prefix)-\(getpid())-\(count)-\(suffix)"
}

/// A logger whose lines are kept (level and text) for a test to count and read.
public final class LogRecorder: Sendable {
    public struct Line: Sendable {
        public var level: Logger.Level
        public var text: String
    }

    private let storage = Mutex<[Line]>([])

    public init() {}

    public var lines: [Line] { storage.withLock { $0 } }

    /// A logger writing into this recorder at `level` and above.
    public func logger(_ label: String = "recorded", level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: label) { _ in RecordingHandler(recorder: self) }
        logger.logLevel = level
        return logger
    }

    fileprivate func append(_ line: Line) {
        storage.withLock { $0.append(line) }
    }
}

private struct RecordingHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        recorder.append(LogRecorder.Line(level: event.level, text: event.message.description))
    }
}

/// Keeps `threads` OS threads spinning until `stop()`: CPU load for tests of timing-dependent
/// broker behaviour.
public final class CPULoad: Sendable {
    private let running = Atomic<Bool>(true)
    private let finished = Atomic<Int>(0)
    public let threads: Int

    public init(threads: Int) {
        self.threads = threads
        for _ in 0..<threads {
            let thread = Thread { [self] in
                var x: UInt64 = 1
                while running.load(ordering: .relaxed) {
                    for _ in 0..<10_000 { x = x &* 6364136223846793005 &+ 1442695040888963407 }
                }
                if x == 42 { print("") }  // keeps the loop from being optimised away
                finished.add(1, ordering: .relaxed)
            }
            thread.start()
        }
    }

    /// Stops the threads and waits until they ended.
    public func stop() {
        running.store(false, ordering: .relaxed)
        while finished.load(ordering: .relaxed) < threads { usleep(1000) }
    }
}
