import ArgumentParser

@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agentfl-bench",
        abstract: "Benchmarks that print figures (transport, learning, rounds).",
        subcommands: [TransportBenchmark.self, LearningBenchmark.self, RoundBenchmark.self, TokenBenchmark.self]
    )
}
