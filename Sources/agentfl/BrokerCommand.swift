import ArgumentParser
import Foundation
import KafkaTransport
import Logging
import ServiceLifecycle
import WireProtocol

/// `agentfl broker`: the embedded Kafka-compatible broker with the protocol's topics, until
/// SIGINT or SIGTERM.
struct Broker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the embedded Kafka-compatible broker (Tansu) with the protocol's topics until SIGINT/SIGTERM.",
        discussion: "Creates every topic of the catalog with replication factor 1, prints the bootstrap address and the topics. Data lives in memory only."
    )

    @Option(help: "Port to listen on (127.0.0.1); 0 picks a free port.")
    var port: Int = 9092
    @Option(help: "Topics directory (default: $AGENTFL_TOPICS, else topics/ found upward from here or from the executable).")
    var topics: String?
    @Option(help: "Tansu executable (default: $AGENTFL_TANSU, else .deps/bin/tansu found upward).")
    var tansu: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func run() async throws {
        var logger = Logger(label: "agentfl.broker")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let catalog = try topics.map { try TopicCatalog.load(directory: URL(fileURLWithPath: $0)) } ?? TopicCatalog.loadDefault()
        let service = BrokerWithTopics(
            port: port == 0 ? nil : port, executable: tansu.map { URL(fileURLWithPath: $0) }, catalog: catalog, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup,
                             failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}

/// Starts the broker, creates the catalog's topics, prints them, serves until graceful shutdown,
/// then stops the broker. A failure to create the topics stops the broker and is thrown.
private struct BrokerWithTopics: Service {
    /// `nil` picks a free port.
    let port: Int?
    let executable: URL?
    let catalog: TopicCatalog
    let logger: Logger

    func run() async throws {
        let broker = try await EmbeddedBroker.start(port: port, executable: executable, logger: logger)
        do {
            try await catalog.createTopics(
                using: KafkaAdmin(bootstrapServers: [broker.bootstrapServer], logger: logger), replicationFactor: 1)
        } catch {
            await broker.stop()
            throw error
        }
        say("broker: \(broker.bootstrapServer) (pid \(broker.processIdentifier))")
        for topic in catalog.all {
            say("  \(topic.name)  partitions=\(topic.partitions)  \(topic.messageType)  key=\(topic.key.rawValue)")
        }
        say("Ctrl-C (SIGINT) or SIGTERM stops it.")
        try? await gracefulShutdown()
        logger.info("stopping the embedded broker")
        await broker.stop()
        say("broker stopped")
    }

    /// Writes a line to standard output at once (`print` is block-buffered when output is a pipe
    /// or file, and a script waiting for the address would wait for the buffer).
    private func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
