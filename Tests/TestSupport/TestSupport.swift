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
