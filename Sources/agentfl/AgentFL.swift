import ArgumentParser
import KafkaTransport

@main
struct AgentFL: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agentfl",
        abstract: "Agentic federated learning: server agent, guardians, aggregator and auditor over Kafka.",
        subcommands: [
            // Each subcommand lives in its own file in this folder; add it to this list.
            Version.self,
            Broker.self,
            RoundTrip.self,
            Simulate.self,
            AuditCommand.self,
        ]
    )
}
