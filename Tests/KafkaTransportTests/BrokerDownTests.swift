import KafkaTransport
import TestSupport
import Testing

extension KafkaTransportSuite {
@Suite struct BrokerDownTests {
    /// Stops the broker under a running consumer and producer: the owner learns "all brokers
    /// down" as a value and, past the bound, as one typed error naming the broker, while
    /// librdkafka's repeated connection errors come out as a few lines, not hundreds.
    @Test func aDeadBrokerIsOneClearErrorAndFewLogLines() async throws {
        let broker = try await EmbeddedBroker.start(logger: testLogger("embedded-broker"))
        let bootstrap = broker.bootstrapServer
        let recorder = LogRecorder()
        do {
            let topic = uniqueTopicName("down")
            try await createTopic(topic, bootstrap: bootstrap)

            var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: [bootstrap])
            producerConfiguration.allBrokersDownTimeout = .seconds(2)
            let producer = try KafkaProducer(configuration: producerConfiguration, logger: recorder.logger("producer", level: .info))
            var consumerConfiguration = KafkaConsumerConfiguration(
                bootstrapServers: [bootstrap],
                subscription: .partitions([KafkaTopicPartition(topic: topic, partition: 0)], from: .beginning, groupID: nil))
            consumerConfiguration.allBrokersDownTimeout = .seconds(3)
            let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: recorder.logger("consumer", level: .info))

            _ = try await producer.send(KafkaRecord(topic: topic, value: [1]))
            let reader = Task { () -> (count: Int, error: KafkaError?) in
                var count = 0
                do {
                    for try await _ in consumer.messages { count += 1 }
                    return (count, nil)
                } catch let error as KafkaError {
                    return (count, error)
                } catch {
                    return (count, .consume(reason: "unexpected \(error)"))
                }
            }
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(20)
            while consumer.statistics.delivered < 1, clock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(producer.brokerHealth.isReachable)
            #expect(consumer.brokerHealth.isReachable)

            let stoppedAt = clock.now
            await broker.stop()
            // Enqueued while the producer does not know yet: its delivery can only fail.
            try producer.enqueue(KafkaRecord(topic: topic, value: [2]))
            let outcome = try? await withTimeout(.seconds(30)) {
                await withTaskCancellationHandler { await reader.value } onCancel: { reader.cancel() }
            }
            guard let (count, error) = outcome else {
                Issue.record("the consumer did not end within 30 s of the broker stopping; log: \(recorder.lines.map(\.text))")
                await consumer.close()
                await producer.shutdown()
                return
            }
            let consumerEnded = clock.now - stoppedAt
            #expect(count == 1)
            guard case let .allBrokersDown(brokers, waited, _)? = error else {
                Issue.record("expected .allBrokersDown, got \(String(describing: error)); log: \(recorder.lines.map(\.text))")
                await consumer.close()
                await producer.shutdown()
                return
            }
            #expect(brokers == [bootstrap])
            #expect(waited >= .seconds(3))
            #expect(consumerEnded < .seconds(20))
            #expect(error?.description.contains(bootstrap) == true)
            #expect(!consumer.brokerHealth.isReachable)

            // The producer learns it too; past its bound, flush ends with the same error.
            while producer.brokerHealth.isReachable, clock.now - stoppedAt < .seconds(20) {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(!producer.brokerHealth.isReachable)
            let flushError = await #expect(throws: KafkaError.self) { try await producer.flush(timeout: .seconds(20)) }
            guard case .allBrokersDown? = flushError else {
                Issue.record("expected .allBrokersDown from flush, got \(String(describing: flushError))")
                return
            }
            let enqueueError = #expect(throws: KafkaError.self) { try producer.enqueue(KafkaRecord(topic: topic, value: [3])) }
            #expect(enqueueError?.description.contains(bootstrap) == true)
            await consumer.close()
            await producer.shutdown()

            let lines = recorder.lines
            let librdkafka = lines.filter { $0.text.hasPrefix("librdkafka") || $0.text.contains("(librdkafka retries)") }
            print("broker down for \(clock.now - stoppedAt): \(lines.count) log line(s), \(librdkafka.count) from librdkafka:")
            for line in lines { print("  [\(line.level)] \(line.text)") }
            #expect(librdkafka.count <= 25)
            #expect(lines.filter { $0.text.hasPrefix("all Kafka brokers unreachable") }.count == 2)
        } catch {
            await broker.stop()
            throw error
        }
    }
}
}
