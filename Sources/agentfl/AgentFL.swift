import ArgumentParser
import KafkaTransport

@main
struct AgentFL: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agentfl",
        abstract: "Agentic federated learning: server agent, guardians, aggregator and auditor over Kafka.",
        subcommands: [Version.self]
    )
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print versions of AgenticFL and the libraries it loaded.")
    func run() {
        print("agentfl 0.1.0, librdkafka \(LibrdkafkaVersion.string)")
    }
}
