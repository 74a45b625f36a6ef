import Foundation
import KafkaTransport
import Logging
import Synchronization
import Testing
import TestSupport
@testable import WireProtocol

/// The protocol over the real embedded broker: every test starts its own Tansu.
@Suite(.serialized) struct ProtocolOverKafkaTests {
    private let logger = testLogger("wire-protocol")

    private func catalog() throws -> TopicCatalog {
        try TopicCatalog.load(directory: URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("topics"))
    }

    private static let runID = "test-run"

    private func setUp(_ broker: String, catalog: TopicCatalog, sender: String = "test-sender") async throws -> ProtocolPublisher {
        try await catalog.createTopics(using: KafkaAdmin(bootstrapServers: [broker], logger: logger), replicationFactor: 1)
        var configuration = KafkaProducerConfiguration(bootstrapServers: [broker])
        configuration.lingerMilliseconds = 1
        return try ProtocolPublisher(configuration: configuration, catalog: catalog, sender: sender, runID: Self.runID, logger: logger)
    }

    /// Every partition of the catalog's topics for `types`.
    private func partitions(_ catalog: TopicCatalog, _ types: [MessageType]) -> [KafkaTopicPartition] {
        types.flatMap { type in
            let topic = catalog.topic(for: type)
            return (0..<topic.partitions).map { KafkaTopicPartition(topic: topic.name, partition: $0) }
        }
    }

    private func subscriber(
        _ broker: String, _ catalog: TopicCatalog, types: [MessageType], groupID: String?,
        deduplication: any DeduplicationStore = InMemoryDeduplicator(), trust: TrustPolicy = .insecure
    ) throws -> ProtocolSubscriber {
        let configuration = KafkaConsumerConfiguration(
            bootstrapServers: [broker],
            subscription: .partitions(partitions(catalog, types), from: groupID == nil ? .beginning : .stored, groupID: groupID))
        return try ProtocolSubscriber(configuration: configuration, runID: Self.runID, trust: trust,
                                      deduplication: deduplication, logger: logger)
    }

    /// Runs `subscriber` until `done` holds for what it received (or the timeout passes), then closes it.
    private func collect(
        _ subscriber: ProtocolSubscriber, timeout: Duration = .seconds(30),
        until done: @escaping @Sendable ([ReceivedEnvelope]) -> Bool
    ) async throws -> [ReceivedEnvelope] {
        let received = Mutex<[ReceivedEnvelope]>([])
        let runner = Task {
            try await subscriber.run { message in received.withLock { $0.append(message) } }
        }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !done(received.withLock { $0 }) {
            try await Task.sleep(for: .milliseconds(20))
        }
        await subscriber.close()
        try await runner.value
        return received.withLock { $0 }
    }

    private func encoded(_ message: some ProtocolMessage) throws -> [UInt8] {
        try PayloadCodec.encode(message)
    }

    @Test func everyMessageTypeCrossesTheBroker() async throws {
        let catalog = try catalog()
        try await withEmbeddedBroker { broker in
            // Each type goes out under the sender its authorship requires.
            let publisher = try await setUp(broker, catalog: catalog)
            var sent: [MessageType: PublishReceipt] = [:]
            for type in MessageType.allCases {
                let message = SampleMessages.message(for: type, round: 4, runID: Self.runID)
                let sender = ProtocolPublisher(
                    producer: publisher.producer, catalog: catalog, sender: message.authorship.sender.onlySender ?? "test-sender",
                    runID: Self.runID, logger: logger)
                sent[type] = try await sender.publishReporting(message, round: 4)
            }
            await publisher.shutdown()
            let subscriber = try subscriber(broker, catalog, types: MessageType.allCases, groupID: nil)
            let received = try await collect(subscriber) { $0.count >= MessageType.allCases.count }
            #expect(received.count == MessageType.allCases.count)
            for message in received {
                let type = message.envelope.type
                #expect(message.envelope.id == sent[type]?.id)
                #expect(message.topic == catalog.topic(for: type).name)
                #expect(message.envelope.sender == (message.message.authorship.sender.onlySender ?? "test-sender"))
                #expect(message.envelope.round == 4)
                let expected = SampleMessages.message(for: type, round: 4, runID: Self.runID)
                if type == .heartbeat {
                    #expect((message.message as? Heartbeat)?.instance == (expected as? Heartbeat)?.instance)
                } else {
                    let payload: any ProtocolMessage = message.message
                    let got = try encoded(payload)
                    let want = try encoded(expected)
                    #expect(got == want)
                }
            }
            #expect(subscriber.statistics.totalRejections == 0)
        }
    }

    @Test func aFiftyMegabyteTensorCrossesByteIdentical() async throws {
        let catalog = try catalog()
        let count = 50 * (1 << 20) / 4
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            var state: UInt32 = 12345
            for index in 0..<count {
                state = state &* 1_664_525 &+ 1_013_904_223
                buffer[index] = Float(bitPattern: (state >> 9) | 0x3F80_0000) - 1.5
            }
            initialized = count
        }
        let update = ClientUpdate(round: 1, clientID: 3, baseModelVersion: 0, sampleCount: 600, trainLoss: 0.1,
                                  trainSeconds: 1, parameters: Tensor(shape: [count], values: values))
        try await withEmbeddedBroker { broker in
            let publisher = try await setUp(broker, catalog: catalog, sender: "guardian-3")
            let receipt = try await publisher.publishReporting(update, round: 1)
            await publisher.shutdown()
            #expect(receipt.frames == 51)
            let subscriber = try subscriber(broker, catalog, types: [.clientUpdate], groupID: nil)
            let received = try await collect(subscriber, timeout: .seconds(60)) { !$0.isEmpty }
            let got = try #require(received.first).message(as: ClientUpdate.self)
            #expect(received.first?.frames == 51)
            #expect(got.digest == update.digest)
            #expect(got.digestMatches)
            #expect(got.parameters.shape == [count])
            #expect(got.parameters.littleEndianBytes == update.parameters.littleEndianBytes)
        }
    }

    @Test func aConsumerRestartedBeforeCommittingAppliesNothingTwiceAndLosesNothing() async throws {
        let catalog = try catalog()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("seen-\(UUID().uuidString).ids")
        defer { try? FileManager.default.removeItem(at: file) }
        try await withEmbeddedBroker { broker in
            let publisher = try await setUp(broker, catalog: catalog)
            var ids: [MessageID] = []
            for round in 1...5 {
                ids.append(try await publisher.publish(AuditEvent(kind: "step", round: round), round: round))
            }
            // The first consumer handles everything but none of its commits lands (it has no group):
            // as if it crashed after handling, before committing.
            let first = try subscriber(broker, catalog, types: [.auditEvent], groupID: nil,
                                       deduplication: PersistentDeduplicator(file: file))
            let applied = try await collect(first) { $0.count >= 5 }.map(\.envelope.id)
            #expect(applied == ids)

            // The restarted consumer gets all five again, skips them, and handles the new ones.
            for round in 6...7 {
                ids.append(try await publisher.publish(AuditEvent(kind: "step", round: round), round: round))
            }
            await publisher.shutdown()
            let second = try subscriber(broker, catalog, types: [.auditEvent], groupID: "auditor",
                                        deduplication: PersistentDeduplicator(file: file))
            let appliedAgain = try await collect(second) { $0.count >= 2 }.map(\.envelope.id)
            #expect(appliedAgain == Array(ids[5...]))
            #expect(second.statistics.duplicates == 5)
            #expect(Set(applied + appliedAgain).count == 7)
        }
    }

    @Test func badRecordsAreRejectedCountedAndDoNotBlockTheNextOne() async throws {
        let catalog = try catalog()
        let signer = EnvelopeSigner()
        let stranger = EnvelopeSigner()
        let keyring = Keyring(keys: ["guardian-7": signer.publicKeyBase64, "guardian-9": EnvelopeSigner().publicKeyBase64])
        try await withEmbeddedBroker { broker in
            let publisher = try await setUp(broker, catalog: catalog)
            let topic = catalog.topic(for: .bid).name
            let bid = try #require(SampleMessages.message(for: .bid) as? Bid)
            let good = try signer.sign(Envelope.make(bid, sender: "guardian-7", runID: Self.runID, round: 1))
            let frame = try EnvelopeCodec.encode(good)
            var tampered = frame
            tampered[frame.count / 2] ^= 0x10
            var otherVersion = good
            otherVersion.schemaVersion = 9
            var forged = good
            forged.payload[forged.payload.count / 2] ^= 0x01
            var firstFrameVersion = frame
            firstFrameVersion[4] = 1
            // Signed by a key the keyring does not hold for the name it uses.
            let impostor = try stranger.sign(Envelope.make(bid, sender: "guardian-7", runID: Self.runID, round: 1))
            // A valid key speaking for a client it does not host.
            var otherClient = bid
            otherClient.clientID = 9
            let overreach = try signer.sign(Envelope.make(otherClient, sender: "guardian-7", runID: Self.runID, round: 1))
            // A sender the keyring does not know at all.
            let unknown = try stranger.sign(Envelope.make(bid, sender: "guardian-8", runID: Self.runID, round: 1))
            // The guardian's own bid, re-labelled for another round: the signature covers the round.
            var relabelled = good
            relabelled.round = 6
            // A bid of round 1 sent under round 2 by its own key: the payload contradicts the envelope.
            let misfiled = try signer.sign(Envelope.make(bid, sender: "guardian-7", runID: Self.runID, round: 2))
            // A message of another run on the same broker: passed over, not rejected.
            let otherRun = try signer.sign(Envelope.make(bid, sender: "guardian-7", runID: "another-run", round: 1))
            let bad: [[UInt8]] = [
                Array("definitely not a frame".utf8),
                Array(frame.prefix(frame.count - 40)),
                try EnvelopeCodec.encode(typeName: "weather-report", envelope: good),
                try EnvelopeCodec.encode(otherVersion),
                tampered,
                try EnvelopeCodec.encode(forged),
                firstFrameVersion,
                try EnvelopeCodec.encode(impostor),
                try EnvelopeCodec.encode(overreach),
                try EnvelopeCodec.encode(unknown),
                try EnvelopeCodec.encode(relabelled),
                try EnvelopeCodec.encode(misfiled),
                try EnvelopeCodec.encode(otherRun),
            ]
            for value in bad {
                _ = try await publisher.producer.send(KafkaRecord(topic: topic, key: Array("7".utf8), value: value, partition: 0))
            }
            _ = try await publisher.producer.send(KafkaRecord(topic: topic, key: Array("7".utf8), value: frame, partition: 0))
            // A verbatim replay is handled once.
            _ = try await publisher.producer.send(KafkaRecord(topic: topic, key: Array("7".utf8), value: frame, partition: 0))
            await publisher.shutdown()

            let subscriber = try subscriber(broker, catalog, types: [.bid], groupID: "server",
                                            trust: .keyring(try KeyringVerifier(keyring)))
            let received = try await collect(subscriber) { $0.count >= 1 && subscriber.statistics.duplicates >= 1 }
            #expect(received.map(\.envelope.id) == [good.id])
            #expect(subscriber.rejections == [
                .corrupt: 1, .truncated: 1, .unknownMessageType: 1, .unsupportedSchemaVersion: 1,
                .checksumMismatch: 1, .badSignature: 3, .unsupportedFrameVersion: 1, .bindingMismatch: 2,
                .unknownSigner: 1,
            ])
            #expect(subscriber.statistics.otherRun == 1)
            #expect(subscriber.statistics.duplicates == 1)
        }
    }

    @Test func aHandlerRejectionIsReportedAndCommittedPastAndATransientFailureIsRetried() async throws {
        let catalog = try catalog()
        try await withEmbeddedBroker { broker in
            let publisher = try await setUp(broker, catalog: catalog)
            for round in 1...3 { try await publisher.publish(AuditEvent(kind: "step", round: round)) }
            await publisher.shutdown()
            let subscriber = try ProtocolSubscriber(
                configuration: KafkaConsumerConfiguration(
                    bootstrapServers: [broker],
                    subscription: .partitions(partitions(catalog, [.auditEvent]), from: .stored, groupID: "judge")),
                runID: Self.runID, trust: .insecure,
                retry: HandlerRetry(attempts: 3, initialDelay: .milliseconds(10)), logger: logger)
            struct Transient: Error {}
            let failures = Mutex(0)
            let reported = Mutex<[RejectedRecord]>([])
            let accepted = Mutex<[Int]>([])
            let runner = Task {
                try await subscriber.run(onRejection: { record in reported.withLock { $0.append(record) } }) { received in
                    let round = received.envelope.round ?? 0
                    if round == 1 { return .invalid("round 1 is refused") }
                    if round == 2, failures.withLock({ $0 += 1; return $0 }) < 3 { throw Transient() }
                    accepted.withLock { $0.append(round) }
                    return .accepted
                }
            }
            let deadline = ContinuousClock.now + .seconds(20)
            // The offset is committed after the handler returns: wait for the third commit too.
            while accepted.withLock({ $0.count }) < 2 || subscriber.statistics.commits < 3, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            await subscriber.close()
            try await runner.value
            #expect(accepted.withLock { $0 } == [2, 3])
            #expect(subscriber.statistics.retries == 2)
            #expect(subscriber.rejections == [.invalidContent: 1])
            let record = try #require(reported.withLock { $0.first })
            #expect(record.reason == .invalidContent && record.detail == "round 1 is refused" && record.envelope?.round == 1)
            #expect(subscriber.statistics.commits == 3)
        }
    }

    @Test func aRestartInsideAChunkSetRereadsTheWholeSet() async throws {
        let catalog = try catalog()
        let seen = InMemoryDeduplicator()
        try await withEmbeddedBroker { broker in
            let publisher = try await setUp(broker, catalog: catalog)
            let topic = catalog.topic(for: .clientUpdate).name
            let update = ClientUpdate(round: 1, clientID: 1, baseModelVersion: 0, sampleCount: 1, trainLoss: 0,
                                      trainSeconds: 0, parameters: Tensor((0..<100_000).map(Float.init)))
            let big = try Envelope.make(update, sender: "guardian-1", runID: Self.runID, round: 1)
            let chunks = Chunker(maximumFrameSize: 64 << 10).frames(for: try EnvelopeCodec.encode(big), payloadID: big.id)
            #expect(chunks.count > 4)
            let small = try Envelope.make(
                ClientUpdate(round: 1, clientID: 2, baseModelVersion: 0, sampleCount: 1, trainLoss: 0, trainSeconds: 0,
                             parameters: Tensor([1, 2])), sender: "guardian-2", runID: Self.runID, round: 1)
            func send(_ value: [UInt8]) async throws {
                _ = try await publisher.producer.send(KafkaRecord(topic: topic, value: value, partition: 0))
            }
            // Half the chunks, then a whole message behind them in the same partition.
            for chunk in chunks.prefix(2) { try await send(chunk) }
            try await send(EnvelopeCodec.encode(small))

            let first = try subscriber(broker, catalog, types: [.clientUpdate], groupID: "aggregator", deduplication: seen)
            let beforeRestart = try await collect(first) { $0.count >= 1 }
            #expect(beforeRestart.map(\.envelope.id) == [small.id])

            // The rest arrives while the consumer is down. Its commit must not have passed the
            // first chunk, or the restarted consumer could never complete the set.
            for chunk in chunks.dropFirst(2) { try await send(chunk) }
            await publisher.shutdown()
            let second = try subscriber(broker, catalog, types: [.clientUpdate], groupID: "aggregator", deduplication: seen)
            let afterRestart = try await collect(second) { $0.count >= 1 }
            #expect(afterRestart.map(\.envelope.id) == [big.id])
            #expect(try afterRestart.first?.message(as: ClientUpdate.self) == update)
            #expect(second.statistics.duplicates == 1)
        }
    }

    @Test func cancellingTheRunningTaskStopsTheSubscriber() async throws {
        let catalog = try catalog()
        try await withEmbeddedBroker { broker in
            let publisher = try await setUp(broker, catalog: catalog)
            try await publisher.publish(AuditEvent(kind: "one"), round: nil)
            await publisher.shutdown()
            let subscriber = try subscriber(broker, catalog, types: [.auditEvent], groupID: "auditor")
            let handled = Mutex(0)
            let runner = Task { try await subscriber.run { _ in handled.withLock { $0 += 1 } } }
            let deadline = ContinuousClock.now + .seconds(20)
            while handled.withLock({ $0 }) == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            let start = ContinuousClock.now
            runner.cancel()
            try await runner.value
            #expect(ContinuousClock.now - start < .seconds(10))
            #expect(handled.withLock { $0 } == 1)
            #expect(subscriber.statistics.commits == 1)
        }
    }

    @Test func offsetsStoredAfterHandlingAreCommittedWhenTheSubscriberCloses() async throws {
        let catalog = try catalog()
        try await withEmbeddedBroker { broker in
            let publisher = try await setUp(broker, catalog: catalog)
            for round in 1...6 { try await publisher.publish(AuditEvent(kind: "step", round: round), round: round) }
            // Offsets are stored per record and committed on a timer and at close: a clean stop
            // right after handling commits them, so the next subscriber of the group reads on from there.
            let first = try subscriber(broker, catalog, types: [.auditEvent], groupID: "auditor")
            #expect(try await collect(first) { $0.count >= 6 }.count == 6)
            #expect(first.statistics.commits == 6)
            for round in 7...8 { try await publisher.publish(AuditEvent(kind: "step", round: round), round: round) }
            await publisher.shutdown()
            let second = try subscriber(broker, catalog, types: [.auditEvent], groupID: "auditor")
            let rounds = try await collect(second) { $0.count >= 2 }.map(\.envelope.round)
            #expect(rounds == [7, 8])
            #expect(second.statistics.duplicates == 0)
        }
    }

    @Test func drainingWaitsUntilEverythingWrittenBeforeTheCallWasHandled() async throws {
        let catalog = try catalog()
        try await withEmbeddedBroker { broker in
            let publisher = try await setUp(broker, catalog: catalog)
            let count = 120
            for index in 0..<count { try await publisher.publish(AuditEvent(kind: "step-\(index)", round: index % 7 + 1), round: index % 7 + 1) }
            await publisher.shutdown()
            let subscriber = try subscriber(broker, catalog, types: [.auditEvent], groupID: "auditor")
            let handled = Mutex(0)
            // A slow reader, as the auditor is when it fsyncs every entry: the drain must wait for it.
            let runner = Task {
                try await subscriber.run { _ in
                    try await Task.sleep(for: .milliseconds(5))
                    handled.withLock { $0 += 1 }
                }
            }
            let report = try await subscriber.drain(timeout: .seconds(30))
            let handledAtReturn = handled.withLock { $0 }
            runner.cancel()
            try await runner.value
            #expect(report.isComplete, "unread: \(report.unread)")
            #expect(handledAtReturn == count)
            #expect(report.endOffsets.values.reduce(0, +) == Int64(count))
        }
    }

    @Test func drainingGivesUpAfterItsTimeoutAndSaysWhatIsUnread() async throws {
        let catalog = try catalog()
        try await withEmbeddedBroker { broker in
            let publisher = try await setUp(broker, catalog: catalog)
            for round in 1...3 { try await publisher.publish(AuditEvent(kind: "step", round: round), round: round) }
            await publisher.shutdown()
            let subscriber = try subscriber(broker, catalog, types: [.auditEvent], groupID: "auditor")
            // Nobody reads: everything written stays unread.
            let report = try await subscriber.drain(timeout: .milliseconds(300))
            #expect(!report.isComplete)
            #expect(report.unreadRecords == 3)
            await subscriber.close()
        }
    }
}

