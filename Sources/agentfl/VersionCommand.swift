import ArgumentParser
import KafkaTransport

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print versions of AgenticFL and the libraries it loaded.")
    func run() {
        print("agentfl 0.1.0, librdkafka \(LibrdkafkaVersion.string)")
    }
}
