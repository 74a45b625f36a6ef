import Foundation
import KafkaTransport
import TestSupport
import Testing

@Suite struct ClientPropertiesParsingTests {
    @Test func keysValuesCommentsAndBlankLines() throws {
        let text = """
            # a comment
            ! another comment
              security.protocol = SASL_SSL\t
            sasl.mechanisms=SCRAM-SHA-512

            sasl.username: guardian
            sasl.password=p=ss:word
            ssl.ca.location=/etc/agentfl/ca.crt
            """
        let properties = try KafkaClientProperties.parse(text, file: "guardian.properties")
        #expect(properties.entries.map(\.key) == ["security.protocol", "sasl.mechanisms", "sasl.username", "sasl.password", "ssl.ca.location"])
        #expect(properties["security.protocol"] == "SASL_SSL")
        #expect(properties["sasl.username"] == "guardian")
        // Only the first separator splits: the value keeps its own '=' and ':'.
        #expect(properties["sasl.password"] == "p=ss:word")
        #expect(properties.dictionary.count == 5)
        #expect(try KafkaClientProperties.parse("\n# nothing\n", file: "empty").isEmpty)
    }

    @Test func badLinesNameTheFileAndLine() {
        let cases: [(String, Int, String)] = [
            ("security.protocol=ssl\njust-a-word\n", 2, "expected key=value"),
            ("=value", 1, "without a key"),
            ("ssl ca=x", 1, "whitespace"),
            ("debug=all\nclient.id=a\ndebug=broker", 3, "already set on line 1"),
        ]
        for (text, line, fragment) in cases {
            let error = #expect(throws: KafkaError.self) { try KafkaClientProperties.parse(text, file: "role.properties") }
            guard case let .clientProperties(file, errorLine, reason)? = error else {
                Issue.record("expected .clientProperties for \(text.debugDescription), got \(String(describing: error))")
                continue
            }
            #expect(file == "role.properties")
            #expect(errorLine == line)
            #expect(reason.contains(fragment), "\(reason)")
            #expect(error?.description.contains("role.properties:\(line)") == true)
        }
    }

    @Test(arguments: ["enable.auto.commit", "enable.auto.offset.store", "enable.idempotence", "acks", "request.required.acks",
                      "group.id", "bootstrap.servers", "metadata.broker.list", "auto.offset.reset", "transactional.id", "Enable.Auto.Commit"])
    func keysThatBreakTheGuaranteesAreRefused(key: String) {
        let error = #expect(throws: KafkaError.self) {
            try KafkaClientProperties.parse("security.protocol=plaintext\n\(key)=x\n", file: "f.properties")
        }
        guard case let .clientProperties(_, line, reason)? = error else {
            Issue.record("expected .clientProperties, got \(String(describing: error))")
            return
        }
        #expect(line == 2)
        #expect(reason.contains("'\(key)' may not be set"))
    }

    @Test func aMissingFileIsNamed() {
        let error = #expect(throws: KafkaError.self) {
            try KafkaClientProperties.load(from: URL(fileURLWithPath: "/nonexistent/agentfl.properties"))
        }
        #expect(error?.description.contains("/nonexistent/agentfl.properties") == true)
    }

    @Test func loadsFromAFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("props-\(UUID().uuidString).properties")
        try "client.id=from-file\nsocket.keepalive.enable=true\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let properties = try KafkaClientProperties.load(from: url)
        #expect(properties.dictionary == ["client.id": "from-file", "socket.keepalive.enable": "true"])
    }
}

extension KafkaTransportSuite {
@Suite struct ClientPropertiesBrokerTests {
    @Test func clientsBuiltWithFilePropertiesWork() async throws {
        try await withEmbeddedBroker { bootstrap in
            let properties = try KafkaClientProperties.parse(
                "security.protocol=plaintext\nsocket.keepalive.enable=true\nclient.id=props-test\n", file: "plain.properties")
            let topic = uniqueTopicName("props")
            var admin = KafkaAdmin(bootstrapServers: [bootstrap], logger: testLogger())
            admin.additionalProperties = properties.dictionary
            try await admin.createTopics([KafkaTopicSpecification(name: topic, partitions: 1)], timeout: .seconds(10))
            #expect(try await admin.listTopics(timeout: .seconds(5))[topic] == 1)

            var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: [bootstrap])
            producerConfiguration.additionalProperties = properties.dictionary
            let producer = try KafkaProducer(configuration: producerConfiguration, logger: testLogger())
            for index in 0..<3 { _ = try await producer.send(KafkaRecord(topic: topic, value: [UInt8(index)])) }
            await producer.shutdown()

            var consumerConfiguration = KafkaConsumerConfiguration(
                bootstrapServers: [bootstrap],
                subscription: .partitions([KafkaTopicPartition(topic: topic, partition: 0)], from: .beginning, groupID: nil))
            consumerConfiguration.additionalProperties = properties.dictionary
            let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: testLogger())
            let read = try await withTimeout(.seconds(20)) { try await collect(3, from: consumer) }
            await consumer.close()
            #expect(read.map(\.value) == [[0], [1], [2]])
        }
    }

    @Test func aMissingCertificateAuthorityFileIsAClearError() throws {
        let properties = try KafkaClientProperties.parse(
            "security.protocol=ssl\nssl.ca.location=/nonexistent/agentfl-ca.crt\n", file: "ssl.properties")
        var configuration = KafkaProducerConfiguration(bootstrapServers: ["127.0.0.1:1"])
        configuration.additionalProperties = properties.dictionary
        let error = #expect(throws: KafkaError.self) { try KafkaProducer(configuration: configuration, logger: testLogger()) }
        #expect(error?.description.contains("ssl.ca.location") == true, "\(String(describing: error))")

        var consumerConfiguration = KafkaConsumerConfiguration(bootstrapServers: ["127.0.0.1:1"], subscription: .group(id: "g", topics: ["t"]))
        consumerConfiguration.additionalProperties = properties.dictionary
        let consumerError = #expect(throws: KafkaError.self) { try KafkaConsumer(configuration: consumerConfiguration, logger: testLogger()) }
        #expect(consumerError?.description.contains("ssl.ca.location") == true, "\(String(describing: consumerError))")

        // A protocol librdkafka does not know is refused with the key and value named.
        var unknown = KafkaProducerConfiguration(bootstrapServers: ["127.0.0.1:1"])
        unknown.additionalProperties = ["security.protocol": "tls-please"]
        let unknownError = #expect(throws: KafkaError.self) { try KafkaProducer(configuration: unknown, logger: testLogger()) }
        #expect(unknownError?.description.contains("security.protocol=tls-please") == true)
    }
}
}
