import Foundation
import KafkaTransport
import ServiceLifecycle
import TestSupport
import Testing

extension KafkaTransportSuite {
@Suite struct EmbeddedBrokerTests {
    @Test func startsOnAFreePortAndStopsIdempotently() async throws {
        let broker = try await EmbeddedBroker.start(logger: testLogger())
        #expect(broker.bootstrapServer.hasPrefix("127.0.0.1:"))
        #expect(broker.processIdentifier > 0)
        #expect(broker.isRunning)
        let rss = try #require(broker.residentMemoryBytes)
        #expect(rss > 1 << 20)
        let admin = KafkaAdmin(bootstrapServers: [broker.bootstrapServer], logger: testLogger())
        try await admin.waitUntilReachable(timeout: .seconds(5))

        let topic = uniqueTopicName("admin")
        try await admin.createTopics([KafkaTopicSpecification(name: topic, partitions: 2)], timeout: .seconds(5))
        try await admin.createTopics([KafkaTopicSpecification(name: topic, partitions: 2)], timeout: .seconds(5))  // exists: fine
        #expect(try await admin.listTopics(timeout: .seconds(5))[topic] == 2)
        try await admin.deleteTopics([topic], timeout: .seconds(5))
        #expect(try await admin.listTopics(timeout: .seconds(5))[topic] == nil)

        await broker.stop()
        #expect(!broker.isRunning)
        #expect(kill(broker.processIdentifier, 0) != 0)  // reaped
        await broker.stop()
    }

    @Test func explicitMissingExecutableIsReported() async throws {
        await #expect(throws: (any Error).self) {
            _ = try await EmbeddedBroker.start(executable: URL(fileURLWithPath: "/nonexistent/tansu"), logger: testLogger())
        }
    }

    @Test func brokerServiceStopsTheBrokerOnGracefulShutdown() async throws {
        let ready = AsyncStream<EmbeddedBroker>.makeStream()
        let service = BrokerService(logger: testLogger()) { broker in ready.continuation.yield(broker) }
        let group = ServiceGroup(services: [service], gracefulShutdownSignals: [], cancellationSignals: [], logger: testLogger())
        let running = Task { try await group.run() }
        var iterator = ready.stream.makeAsyncIterator()
        let broker = try #require(await iterator.next())
        #expect(broker.isRunning)
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(!broker.isRunning)
    }
}
}
