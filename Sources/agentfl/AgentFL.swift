import Agents
import ArgumentParser
import Foundation
import KafkaTransport

/// The entry point: process-wide set-up that must happen before anything else runs, then the
/// command line.
@main
enum Entry {
    static func main() async {
        // A child of `agentfl run` dies with it (before any thread starts: this edits the environment).
        ParentDeath.armFromEnvironment()
        // Progress lines appear as they happen also when stdout is a pipe or a file (a pipe would
        // otherwise be block-buffered), and diagnostics are never held back.
        StandardStreams.lineBuffered()
        let arguments = CommandLine.arguments
        if arguments.count > 1, arguments[1] == LauncherExec.subcommand {
            let reason = LauncherExec.run(Array(arguments.dropFirst(2)))
            FileHandle.standardError.write(Data("agentfl \(LauncherExec.subcommand): \(reason)\n".utf8))
            exit(127)
        }
        await AgentFL.main()
    }
}

struct AgentFL: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agentfl",
        abstract: "Agentic federated learning: server agent, guardians, aggregator and auditor over Kafka.",
        subcommands: [
            // Each subcommand lives in its own file in this folder.
            RunCommand.self,
            Simulate.self,
            ExperimentCommand.self,
            Broker.self,
            RoundTrip.self,
            TopicsCommand.self,
            KeysCommand.self,
            ServerCommand.self,
            GuardianCommand.self,
            AggregatorCommand.self,
            AuditorCommand.self,
            AuditCommand.self,
            Version.self,
        ]
    )
}
