import Agents
import ArgumentParser
import Foundation
import KafkaTransport
import Logging
import WireProtocol

struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics", abstract: "Create or list the topics declared in topics/ on a Kafka cluster.",
        subcommands: [Create.self, Show.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create every declared topic (existing ones are kept).")
        @Option(help: "Kafka bootstrap servers, host:port[,host:port...].") var brokers: String
        @Option(help: "Topic definitions folder.") var topics: String?
        @Flag(name: .customLong("single-broker"), help: "Create with replication factor 1 (a one-broker cluster).")
        var singleBroker = false
        @Option(name: .customLong("kafka-config"), help: "librdkafka client properties (security.protocol, ssl.*, sasl.*) for a secured cluster.")
        var kafkaConfig: String?

        func run() async throws {
            let catalog = try TopicCatalog.load(directory: try TopicsLocation.resolve(topics))
            var logger = Logger(label: "agentfl.topics")
            logger.logLevel = .warning
            let properties = try kafkaConfig.map { try KafkaClientProperties.load(from: URL(fileURLWithPath: $0)).dictionary } ?? [:]
            try await RoleBus.createTopics(
                catalog: catalog, brokers: brokers.split(separator: ",").map(String.init), singleBroker: singleBroker,
                clientProperties: properties, logger: logger)
            for topic in catalog.all {
                print("\(topic.name)  partitions \(topic.partitions)  replication \(singleBroker ? 1 : Int(topic.replicationFactor))  \(topic.messageType.rawValue) v\(topic.schemaVersion)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Print the declared topics.")
        @Option(help: "Topic definitions folder.") var topics: String?

        func run() throws {
            let catalog = try TopicCatalog.load(directory: try TopicsLocation.resolve(topics))
            for topic in catalog.all {
                print("\(topic.name)  \(topic.messageType.rawValue) v\(topic.schemaVersion)  partitions \(topic.partitions)  key \(topic.key.rawValue)  \(topic.description)")
            }
        }
    }
}
