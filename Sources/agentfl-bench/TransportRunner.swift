import KafkaTransport
import Logging

/// What one run measured.
struct TransportRunResult: Sendable {
    var produceSeconds: Double
    var consumeSeconds: Double
    var brokerResidentBytes: Int?
}

/// One run of one case: a fresh broker, a warmed-up producer (its producer id fetched), N records
/// enqueued and flushed, then all of them read back from the beginning by a partition consumer.
struct TransportRunner {
    let benchmarkCase: TransportCase
    let compression: KafkaCompression
    let linger: Int
    let logger: Logger
    var verbose = false

    func run() async throws -> TransportRunResult {
        let broker = try await EmbeddedBroker.start(logger: logger)
        do {
            let result = try await measure(bootstrap: broker.bootstrapServer, broker: broker)
            await broker.stop()
            return result
        } catch {
            await broker.stop()
            throw error
        }
    }

    private func measure(bootstrap: String, broker: EmbeddedBroker) async throws -> TransportRunResult {
        let topic = "bench-\(benchmarkCase.name)"
        let warmUpTopic = "bench-warm-up"
        let admin = KafkaAdmin(bootstrapServers: [bootstrap], logger: logger)
        try await admin.createTopics(
            [KafkaTopicSpecification(name: topic), KafkaTopicSpecification(name: warmUpTopic)], timeout: .seconds(10))

        var configuration = KafkaProducerConfiguration(bootstrapServers: [bootstrap])
        configuration.compression = compression
        configuration.lingerMilliseconds = linger
        configuration.deliveryTimeout = .seconds(120)
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        // Not timed: an idempotent producer's first delivery waits ~0.5 s for its producer id.
        _ = try await producer.send(KafkaRecord(topic: warmUpTopic, value: [0]))

        let payload = [UInt8](repeating: 0x5A, count: benchmarkCase.size)
        let clock = ContinuousClock()
        let produceStart = clock.now
        for _ in 0..<benchmarkCase.count {
            try producer.enqueue(KafkaRecord(topic: topic, value: payload))
        }
        let enqueueTime = clock.now - produceStart
        try await producer.flush(timeout: .seconds(300))
        if verbose { print("  enqueue loop \(enqueueTime), with flush \(clock.now - produceStart)") }
        let produceTime = clock.now - produceStart
        await producer.shutdown()

        let consumeStart = clock.now
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: [bootstrap],
                subscription: .partitions([KafkaTopicPartition(topic: topic, partition: 0)], from: .beginning, groupID: nil)
            ),
            logger: logger
        )
        var received = 0
        var receivedBytes = 0
        for try await message in consumer.messages {
            received += 1
            receivedBytes += message.value.count
            if received == benchmarkCase.count { break }
        }
        let consumeTime = clock.now - consumeStart
        await consumer.close()
        guard received == benchmarkCase.count, receivedBytes == benchmarkCase.totalBytes else {
            throw TransportBenchmarkError.incomplete(expected: benchmarkCase.count, received: received)
        }
        return TransportRunResult(
            produceSeconds: produceTime.seconds,
            consumeSeconds: consumeTime.seconds,
            brokerResidentBytes: broker.residentMemoryBytes
        )
    }
}

enum TransportBenchmarkError: Error, CustomStringConvertible {
    case incomplete(expected: Int, received: Int)

    var description: String {
        switch self {
        case let .incomplete(expected, received): "consumer read \(received) of \(expected) records"
        }
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
