import ArgumentParser
import KafkaTransport

@main
struct AgentFL: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agentfl",
        abstract: "Agentic federated learning: server agent, guardians, aggregator and auditor over Kafka.",
        subcommands: [
            // Each subcommand lives in its own file in this folder.
            RunCommand.self,
            Simulate.self,
            Broker.self,
            RoundTrip.self,
            TopicsCommand.self,
            ServerCommand.self,
            GuardianCommand.self,
            AggregatorCommand.self,
            AuditorCommand.self,
            AuditCommand.self,
            Version.self,
        ]
    )
}
