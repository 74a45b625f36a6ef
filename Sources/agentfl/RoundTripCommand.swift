import ArgumentParser
import Foundation
import KafkaTransport
import Logging
import Synchronization
import WireProtocol

/// `agentfl roundtrip`: the protocol's smoke test. Sends one message of every type through
/// `ProtocolPublisher` and reads each back through `ProtocolSubscriber`, one hop at a time.
struct RoundTrip: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roundtrip",
        abstract: "Send one message of every type through the protocol and read each back (smoke test).",
        discussion: "Without --brokers it starts the embedded broker itself. Prints type, topic, bytes, frames and latency per message."
    )

    @Option(help: "Kafka bootstrap servers, host:port,... (default: start the embedded broker).")
    var brokers: String?
    @Option(help: "Topics directory (default: $AGENTFL_TOPICS, else topics/ found upward).")
    var topics: String?
    @Option(help: "Replication factor for topics it creates (default: 1 embedded, the catalog's otherwise).")
    var replicationFactor: Int16?
    @Option(help: "Float32 values in the model and update tensors (2 MiB by default: chunked into 3 frames).")
    var tensorElements: Int = 524_288
    @Option(help: "Seconds to wait for each message.")
    var timeout: Int = 30
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "warning"

    func run() async throws {
        var logger = Logger(label: "agentfl.roundtrip")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .warning
        let catalog = try topics.map { try TopicCatalog.load(directory: URL(fileURLWithPath: $0)) } ?? TopicCatalog.loadDefault()

        var embedded: EmbeddedBroker?
        let servers: [String]
        if let brokers {
            servers = brokers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        } else {
            let broker = try await EmbeddedBroker.start(logger: logger)
            embedded = broker
            servers = [broker.bootstrapServer]
            print("embedded broker: \(broker.bootstrapServer)")
        }
        do {
            try await exchange(servers: servers, catalog: catalog, replication: replicationFactor ?? (embedded == nil ? nil : 1), logger: logger)
        } catch {
            await embedded?.stop()
            throw error
        }
        await embedded?.stop()
    }

    private func exchange(servers: [String], catalog: TopicCatalog, replication: Int16?, logger: Logger) async throws {
        let admin = KafkaAdmin(bootstrapServers: servers, logger: logger)
        try await admin.waitUntilReachable(timeout: .seconds(timeout))
        try await catalog.createTopics(using: admin, replicationFactor: replication)

        // Each sample goes out under the sender its type requires (the server's assignment, a
        // guardian's bid...), all signed by one key that this run's keyring lists for every one of
        // them; the subscriber verifies against that keyring and reads only this run.
        let runID = "roundtrip-" + UUID().uuidString.prefix(8).lowercased()
        let signer = EnvelopeSigner()
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: servers), logger: logger)
        var publishers: [String: ProtocolPublisher] = [:]
        var keyring = Keyring()
        for type in MessageType.allCases {
            let name = Self.sender(for: SampleMessages.message(for: type, round: 1, tensorElements: 1))
            keyring.keys[name] = signer.publicKeyBase64
            publishers[name] = ProtocolPublisher(
                producer: producer, catalog: catalog, sender: name, runID: runID, signer: signer, logger: logger)
        }
        let partitions = catalog.all.flatMap { topic in
            (0..<topic.partitions).map { KafkaTopicPartition(topic: topic.name, partition: $0) }
        }
        let subscriber = try ProtocolSubscriber(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: servers, subscription: .partitions(partitions, from: .beginning, groupID: nil)),
            runID: runID, trust: .keyring(try KeyringVerifier(keyring)), logger: logger)

        // Arrival instants of this run's messages, by id; earlier runs' messages are passed over.
        let arrivals = Mutex<[MessageID: (ContinuousClock.Instant, ReceivedEnvelope)]>([:])
        let reader = Task {
            try await subscriber.run { received in
                let now = ContinuousClock.now
                arrivals.withLock { $0[received.envelope.id] = (now, received) }
            }
        }
        func publisher(for message: any ProtocolMessage) -> ProtocolPublisher { publishers[Self.sender(for: message)]! }

        // Warm-up: a new idempotent producer needs about half a second for its producer id, and the
        // consumer must find its partitions; neither belongs in the per-hop latency.
        let heartbeat = SampleMessages.message(for: .heartbeat)
        let warmUp = try await publisher(for: heartbeat).publishReporting(heartbeat)
        let warmUpDeadline = ContinuousClock.now + .seconds(timeout)
        while arrivals.withLock({ $0[warmUp.id] == nil }), ContinuousClock.now < warmUpDeadline {
            try await Task.sleep(for: .milliseconds(5))
        }

        print("type                 topic                   bytes  frames  latency")
        var failures: [MessageType] = []
        for type in MessageType.allCases {
            let message = SampleMessages.message(for: type, round: 1, tensorElements: tensorElements, runID: runID)
            let start = ContinuousClock.now
            let receipt = try await publisher(for: message).publishReporting(message)
            let deadline = start + .seconds(timeout)
            var arrival: (ContinuousClock.Instant, ReceivedEnvelope)?
            while arrival == nil, ContinuousClock.now < deadline {
                arrival = arrivals.withLock { $0[receipt.id] }
                if arrival == nil { try await Task.sleep(for: .milliseconds(1)) }
            }
            guard let (instant, received) = arrival else {
                print("\(pad(type.rawValue, 20)) \(pad(receipt.topic, 22)) NOT RECEIVED within \(timeout) s")
                failures.append(type)
                continue
            }
            let elapsed = (instant - start).components
            let milliseconds = Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15
            print("\(pad(type.rawValue, 20)) \(pad(received.topic, 22)) \(pad(String(received.bytes), 7, right: true)) "
                  + "\(pad(String(received.frames), 7, right: true))  \(String(format: "%.1f", milliseconds)) ms")
        }
        await subscriber.close()
        _ = try? await reader.value
        await producer.shutdown()
        let rejections = subscriber.rejections
        if !rejections.isEmpty { print("rejected records: \(rejections)") }
        guard failures.isEmpty else { throw RoundTripFailure(missing: failures) }
        print("all \(MessageType.allCases.count) message types crossed")
    }

    /// The sender a sample message must come from to pass the receivers' checks.
    private static func sender(for message: any ProtocolMessage) -> String {
        message.authorship.sender.onlySender ?? "roundtrip"
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return right ? padding + text : text + padding
    }
}

/// Some message types did not come back.
private struct RoundTripFailure: Error, CustomStringConvertible {
    let missing: [MessageType]
    var description: String { "not received: \(missing.map(\.rawValue).joined(separator: ", "))" }
}
