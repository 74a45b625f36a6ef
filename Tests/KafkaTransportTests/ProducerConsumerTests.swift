import KafkaTransport
import TestSupport
import Testing

extension KafkaTransportSuite {
@Suite struct ProducerConsumerTests {
    @Test func roundTripKeepsKeysHeadersAndOrder() async throws {
        try await withEmbeddedBroker { bootstrap in
            let topic = uniqueTopicName("roundtrip")
            try await createTopic(topic, bootstrap: bootstrap)
            let producer = try KafkaProducer(configuration: .init(bootstrapServers: [bootstrap]), logger: testLogger())
            var reports: [KafkaDeliveryReport] = []
            for index in 0..<3 {
                let record = KafkaRecord(
                    topic: topic,
                    key: Array("key-\(index)".utf8),
                    value: Array("value-\(index)".utf8),
                    headers: [KafkaHeader(key: "index", value: [UInt8(index)]), KafkaHeader(key: "kind", value: Array("test".utf8))]
                )
                reports.append(try await producer.send(record))
            }
            #expect(reports.map(\.offset) == [0, 1, 2])
            #expect(reports.allSatisfy { $0.topic == topic && $0.partition == 0 })
            // A record without key or headers crosses too.
            _ = try await producer.send(KafkaRecord(topic: topic, value: [42]))
            await producer.shutdown()

            let consumer = try partitionConsumer(bootstrap, topic: topic)
            let messages = try await withTimeout(.seconds(20)) { try await collect(4, from: consumer) }
            await consumer.close()
            try #require(messages.count == 4)
            for (index, message) in messages.prefix(3).enumerated() {
                #expect(message.topic == topic)
                #expect(message.offset == Int64(index))
                #expect(message.key == Array("key-\(index)".utf8))
                #expect(message.value == Array("value-\(index)".utf8))
                #expect(message.headers == [KafkaHeader(key: "index", value: [UInt8(index)]), KafkaHeader(key: "kind", value: Array("test".utf8))])
                #expect(message.header("kind") == Array("test".utf8))
                #expect(message.timestamp != nil)
            }
            #expect(messages[3].key == nil)
            #expect(messages[3].headers.isEmpty)
            #expect(messages[3].value == [42])
        }
    }

    @Test func groupConsumerResumesAfterCommittedOffset() async throws {
        try await withEmbeddedBroker { bootstrap in
            let topic = uniqueTopicName("group")
            let group = uniqueTopicName("group-id")
            try await createTopic(topic, bootstrap: bootstrap)
            let producer = try KafkaProducer(configuration: .init(bootstrapServers: [bootstrap]), logger: testLogger())
            for index in 0..<5 { try producer.enqueue(KafkaRecord(topic: topic, value: [UInt8(index)])) }
            try await producer.flush(timeout: .seconds(10))
            await producer.shutdown()

            let configuration = KafkaConsumerConfiguration(bootstrapServers: [bootstrap], subscription: .group(id: group, topics: [topic]))
            let first = try KafkaConsumer(configuration: configuration, logger: testLogger())
            let firstRead = try await withTimeout(.seconds(30)) { try await collect(3, from: first) }
            #expect(firstRead.map(\.value) == [[0], [1], [2]])
            // Handled 0 and 1; message 2 was read but not committed, so it must come again.
            try await first.commit(firstRead[1])
            await first.close()

            let second = try KafkaConsumer(configuration: configuration, logger: testLogger())
            let secondRead = try await withTimeout(.seconds(30)) { try await collect(3, from: second) }
            #expect(secondRead.map(\.offset) == [2, 3, 4])
            #expect(secondRead.map(\.value) == [[2], [3], [4]])
            try await second.commit(secondRead[2])
            await second.close()

            // A consumer reading the group's stored offset in partition mode starts after everything.
            let stored = try partitionConsumer(bootstrap, topic: topic, from: .stored, groupID: group)
            let producerAgain = try KafkaProducer(configuration: .init(bootstrapServers: [bootstrap]), logger: testLogger())
            _ = try await producerAgain.send(KafkaRecord(topic: topic, value: [5]))
            await producerAgain.shutdown()
            let storedRead = try await withTimeout(.seconds(20)) { try await collect(1, from: stored) }
            #expect(storedRead.map(\.offset) == [5])
            await stored.close()
        }
    }

    @Test func explicitPartitionModeReadsOnlyTheAssignedPartitionFromTheGivenOffset() async throws {
        try await withEmbeddedBroker { bootstrap in
            let topic = uniqueTopicName("partitions")
            try await createTopic(topic, partitions: 3, bootstrap: bootstrap)
            let admin = KafkaAdmin(bootstrapServers: [bootstrap], logger: testLogger())
            #expect(try await admin.listTopics(timeout: .seconds(5))[topic] == 3)

            let producer = try KafkaProducer(configuration: .init(bootstrapServers: [bootstrap]), logger: testLogger())
            for index in 0..<4 {
                for partition: Int32 in 0..<3 {
                    try producer.enqueue(KafkaRecord(topic: topic, value: [UInt8(partition), UInt8(index)], partition: partition))
                }
            }
            try await producer.flush(timeout: .seconds(10))

            let fromOffset = try partitionConsumer(bootstrap, topic: topic, partition: 2, from: .offset(1))
            let read = try await withTimeout(.seconds(20)) { try await collect(3, from: fromOffset) }
            #expect(read.map(\.partition) == [2, 2, 2])
            #expect(read.map(\.offset) == [1, 2, 3])
            #expect(read.map(\.value) == [[2, 1], [2, 2], [2, 3]])
            await fromOffset.close()

            // From the end: what is produced after the assignment arrives. (Tansu resolves "end"
            // to the base offset of the last batch, so at most that batch's records come first.)
            let fromEnd = try partitionConsumer(bootstrap, topic: topic, partition: 1, from: .end)
            let reader = Task {
                var received: [KafkaConsumerMessage] = []
                for try await message in fromEnd.messages {
                    received.append(message)
                    if message.value == [9] { break }
                }
                return received
            }
            try await Task.sleep(for: .milliseconds(500))
            let report = try await producer.send(KafkaRecord(topic: topic, value: [9], partition: 1))
            #expect(report.offset == 4)
            let fresh = try await withTimeout(.seconds(20)) { try await reader.value }
            #expect(fresh.last?.offset == 4)
            #expect(fresh.count <= 4)
            #expect(fresh.allSatisfy { $0.partition == 1 })
            await fromEnd.close()
            await producer.shutdown()

            // Without a group id there is nowhere to commit.
            await #expect(throws: KafkaError.self) { try await fromEnd.commit(fresh[0]) }
        }
    }

    @Test func enqueueAndFlushDeliverManyRecords() async throws {
        try await withEmbeddedBroker { bootstrap in
            let topic = uniqueTopicName("many")
            try await createTopic(topic, bootstrap: bootstrap)
            var configuration = KafkaProducerConfiguration(bootstrapServers: [bootstrap])
            configuration.queueBufferingMaxMessages = 1000  // small, so that enqueue meets a full queue and waits
            let producer = try KafkaProducer(configuration: configuration, logger: testLogger())
            let count = 20_000
            for index in 0..<count {
                let value = withUnsafeBytes(of: UInt32(index).littleEndian) { Array($0) } + [UInt8](repeating: 7, count: 96)
                try producer.enqueue(KafkaRecord(topic: topic, value: value))
            }
            try await producer.flush(timeout: .seconds(30))
            #expect(producer.outstandingRecords == 0)
            await producer.shutdown()

            let consumer = try partitionConsumer(bootstrap, topic: topic)
            let read = try await withTimeout(.seconds(30)) { try await collect(count, from: consumer) }
            await consumer.close()
            #expect(read.count == count)
            let indices = read.map { message in
                message.value.prefix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
            }
            #expect(indices == (0..<UInt32(count)).map { $0 })
            #expect(read.last?.offset == Int64(count - 1))
        }
    }

    @Test(arguments: [KafkaCompression.none, .lz4, .zstd])
    func eightMebibyteRecordCrosses(compression: KafkaCompression) async throws {
        try await withEmbeddedBroker { bootstrap in
            let topic = uniqueTopicName("large")
            try await createTopic(topic, bootstrap: bootstrap)
            var configuration = KafkaProducerConfiguration(bootstrapServers: [bootstrap])
            configuration.compression = compression
            let producer = try KafkaProducer(configuration: configuration, logger: testLogger())
            let value = pseudoRandomBytes(count: 8 << 20, seed: 42)
            let report = try await producer.send(KafkaRecord(topic: topic, key: [1], value: value))
            #expect(report.offset == 0)
            await producer.shutdown()

            let consumer = try partitionConsumer(bootstrap, topic: topic)
            let read = try await withTimeout(.seconds(30)) { try await collect(1, from: consumer) }
            await consumer.close()
            #expect(read.first?.value.count == value.count)
            #expect(read.first?.value == value)
        }
    }

    @Test func closeEndsTheMessageSequence() async throws {
        try await withEmbeddedBroker { bootstrap in
            let topic = uniqueTopicName("close")
            try await createTopic(topic, bootstrap: bootstrap)
            let consumer = try partitionConsumer(bootstrap, topic: topic)
            let reader = Task { try await collect(10, from: consumer).count }
            try await Task.sleep(for: .milliseconds(300))
            await consumer.close()
            #expect(try await withTimeout(.seconds(5)) { try await reader.value } == 0)
            await consumer.close()  // idempotent
            let message = KafkaConsumerMessage(topic: topic, partition: 0, offset: 0, key: nil, value: [], headers: [], timestamp: nil)
            await #expect(throws: KafkaError.self) { try await consumer.commit(message) }
        }
    }
}
}
