import Agents
import ArgumentParser
import Foundation
import Logging

/// Where a role finds Kafka, how it signs, and what it verifies against.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers, host:port[,host:port...].")
    var brokers: String = "127.0.0.1:9092"
    @Option(help: "This role's Ed25519 private key (base64 file). Required with --keyring.")
    var key: String?
    @Option(help: "The run's keyring (sender name → public key; `agentfl run` writes OUT/keys/keyring.json). Every message is verified against it before the role acts on it.")
    var keyring: String?
    @Flag(help: "Run without a keyring: nothing is verified and anyone who reaches the broker can forge what this role acts on. Logged, and recorded in the results.")
    var insecure = false
    @Option(name: .customLong("kafka-config"), help: "librdkafka client properties (key=value lines: security.protocol, ssl.*, sasl.*) for a secured cluster; see compose/README.md.")
    var kafkaConfig: String?
    @Option(help: "Topic definitions folder (default: topics/ found upward from here or from the executable).")
    var topics: String?

    var brokerList: [String] { Self.brokerList(brokers) }

    /// `host:port[,host:port...]` as a list.
    static func brokerList(_ text: String) -> [String] {
        text.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces)) }
    }

    func bus(sender: String, runID: String, logger: Logger) throws -> RoleBus {
        try RoleBus.connect(
            brokers: brokerList, topicsDirectory: topics, keyFile: key, keyringFile: keyring, insecure: insecure,
            clientPropertiesFile: kafkaConfig, runID: runID, sender: sender, logger: logger)
    }
}
