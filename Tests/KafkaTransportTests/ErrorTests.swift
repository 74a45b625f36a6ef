import KafkaTransport
import TestSupport
import Testing

extension KafkaTransportSuite {
@Suite struct ErrorTests {
    @Test func unreachableBrokerIsReportedWithinTheBound() async throws {
        let admin = KafkaAdmin(bootstrapServers: ["127.0.0.1:1"], logger: testLogger())
        let bound = Duration.seconds(2)
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: KafkaError.self) { try await admin.waitUntilReachable(timeout: bound) }
        let elapsed = clock.now - start
        guard case let .brokerUnreachable(brokers, waited, _)? = error else {
            Issue.record("expected .brokerUnreachable, got \(String(describing: error))")
            return
        }
        #expect(brokers == ["127.0.0.1:1"])
        #expect(waited >= bound)
        #expect(elapsed < bound + .seconds(3))
        #expect(error?.description.contains("127.0.0.1:1") == true)
    }

    @Test func unknownProducerPropertyIsAConfigurationError() throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: ["127.0.0.1:1"])
        configuration.additionalProperties = ["no.such.property": "1"]
        let error = #expect(throws: KafkaError.self) { try KafkaProducer(configuration: configuration, logger: testLogger()) }
        guard case let .configuration(key, value, reason)? = error else {
            Issue.record("expected .configuration, got \(String(describing: error))")
            return
        }
        #expect(key == "no.such.property")
        #expect(value == "1")
        #expect(!reason.isEmpty)
    }

    @Test func invalidConsumerValueIsAConfigurationError() throws {
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: ["127.0.0.1:1"], subscription: .group(id: "g", topics: ["t"]))
        configuration.fetchWaitMaxMilliseconds = -5
        let error = #expect(throws: KafkaError.self) { try KafkaConsumer(configuration: configuration, logger: testLogger()) }
        guard case let .configuration(key, _, _)? = error else {
            Issue.record("expected .configuration, got \(String(describing: error))")
            return
        }
        #expect(key == "fetch.wait.max.ms")
    }

    @Test func storedOffsetsWithoutGroupAreRejected() throws {
        let configuration = KafkaConsumerConfiguration(
            bootstrapServers: ["127.0.0.1:1"],
            subscription: .partitions([KafkaTopicPartition(topic: "t", partition: 0)], from: .stored, groupID: nil))
        #expect(throws: KafkaError.self) { try KafkaConsumer(configuration: configuration, logger: testLogger()) }
    }

    @Test func failedDeliveriesAreThrown() async throws {
        try await withEmbeddedBroker { bootstrap in
            let topic = uniqueTopicName("fail")
            try await createTopic(topic, bootstrap: bootstrap)
            var configuration = KafkaProducerConfiguration(bootstrapServers: [bootstrap])
            configuration.deliveryTimeout = .seconds(5)
            let producer = try KafkaProducer(configuration: configuration, logger: testLogger())
            _ = try await producer.send(KafkaRecord(topic: topic, value: [1]))

            // The topic has one partition; partition 7 does not exist.
            let sendError = await #expect(throws: KafkaError.self) {
                try await producer.send(KafkaRecord(topic: topic, value: [2], partition: 7))
            }
            guard case .delivery(topic, _)? = sendError else {
                Issue.record("expected .delivery for \(topic), got \(String(describing: sendError))")
                return
            }

            // Too large for message.max.bytes: refused at once.
            let tooLarge = [UInt8](repeating: 0, count: configuration.messageMaxBytes + 1)
            #expect(throws: KafkaError.self) { try producer.enqueue(KafkaRecord(topic: topic, value: tooLarge)) }

            await producer.shutdown()
            await producer.shutdown()  // idempotent
            await #expect(throws: KafkaError.closed) { try await producer.flush(timeout: .seconds(1)) }
            #expect(throws: KafkaError.closed) { try producer.enqueue(KafkaRecord(topic: topic, value: [3])) }
        }
    }

    @Test func errorDescriptionsSayWhatIsWrong() {
        #expect(KafkaError.librdkafkaTooOld(loaded: "2.0.2").description.contains("scripts/bootstrap.sh"))
        #expect(KafkaError.configuration(key: "k", value: "v", reason: "r").description.contains("k=v"))
        #expect(EmbeddedBrokerError.executableNotFound(searched: ["x"]).description.contains("AGENTFL_TANSU"))
    }
}
}
