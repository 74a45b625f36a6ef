import Agents
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import WireProtocol

/// Runs one role as a service until it finishes or SIGINT/SIGTERM asks it to drain and stop.
func runRole(_ name: String, configuration: ExperimentConfiguration, _ make: (Logger) throws -> any Service) async throws {
    var logger = Logger(label: "agentfl.\(name)")
    logger.logLevel = .info
    let effective = String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
    logger.info("effective configuration: \(effective)")
    let service = try make(logger)
    // SIGINT/SIGTERM cancel the role's work after it drained; that is a clean exit, not an error.
    let group = ServiceGroup(
        configuration: .init(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
    do {
        try await group.run()
    } catch is CancellationError {
        logger.info("stopped")
    }
}

struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server", abstract: "The server agent: announces rounds, selects clients, clears the market.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var experiment: RoleExperimentOptions
    @Option(name: .customLong("state-dir"), help: "Where the server keeps its progress.") var stateDirectory = "state/server"

    func run() async throws {
        let configuration = try experiment.resolve()
        try await configuration.withLLM { llm in
            try await runRole("server", configuration: configuration) { logger in
                ServerAgent(
                    configuration: configuration, strategy: try configuration.strategy(llm: llm),
                    bus: try connection.bus(sender: "server", runID: configuration.runID, logger: logger),
                    stateDirectory: URL(fileURLWithPath: stateDirectory), logger: logger)
            }
        }
    }
}

struct GuardianCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guardian", abstract: "Guardian agents: bid, train on local data, publish updates.",
        discussion: """
            What a guardian does for its clients is set by the run's configuration (--config), each knob by the \
            `agentfl run` flag of the same name (`agentfl run --help` gives ranges and defaults): \
            privacy --dp dp-sgd|client-dp, --dp-noise, --dp-clip, --dp-sample-rate, --dp-epsilon, --dp-delta (a round is \
            charged to the client's ledger in --state-dir before it trains, never past its budget; it declines with \
            "privacy budget" instead); bidding --bid-strategy truthful|margin:M|adaptive:MIN-MAX:STEP[:START] over the cost \
            model --price-per-second, --power-watts, --price-per-joule, --price-per-byte, --price-per-epsilon, --fixed-cost; \
            offers after the auction (--negotiation), accepted iff the price covers the round's cost; model widths --width \
            (the widest that fits the client's device memory and the deadline is offered). Per client or per group, \
            --population FILE sets a device tier (samplesPerSecond, memoryMiB, bandwidthMbps, availability, \
            offlineRounds; built in: phone, tablet, laptop, server), dpEpsilon, bidStrategy and useless data \
            (mislabeled, tiny).
            """)
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var experiment: RoleExperimentOptions
    @Option(name: .customLong("client-id"), help: "The one client this process speaks for.") var clientID: Int?
    @Option(name: .customLong("clients"), help: "A range of virtual clients this process hosts, e.g. 0-99.") var clientRange: String?
    @Option(name: .customLong("state-dir"), help: "Where the guardian keeps its clients' privacy ledgers and bidding states (default: state/guardian-A-B).")
    var stateDirectory: String?
    @Option(name: .customLong("dp-seed-file"), help: ArgumentHelp(
        "The guardian's private DP noise seed (64 hex digits, readable by its owner only).",
        discussion: "Without it a DP guardian draws a fresh secret: its noise is private but cannot be repeated."))
    var noiseSeedFile: String?
    @Option(name: .customLong("data"), help: ArgumentHelp(
        "A folder of the client's own training files, in the run's dataset format (needs --client-id).",
        discussion: "MNIST kinds: train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]; CIFAR-10: data_batch_1.bin … data_batch_5.bin. The client trains on every sample in them and on nothing of the run's shared data set; it bids their sample count and label histogram. Without it the guardian derives each hosted client's shard from the run's data set and partition."))
    var data: String?

    func run() async throws {
        let configuration = try experiment.resolve()
        if data != nil, clientID == nil {
            throw ValidationError("--data names one client's own files: give the client with --client-id, not --clients")
        }
        let ownData = try data.map { path -> URL in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--data \(path): no such folder")
            }
            return URL(fileURLWithPath: path)
        }
        let clients = try ClientRange.parse(clientID: clientID, range: clientRange, total: configuration.clients)
        let state = stateDirectory ?? "state/guardian-\(clients.first ?? 0)-\(clients.last ?? 0)"
        let noise = try noiseSeedFile.map { try NoiseSeed.load(from: URL(fileURLWithPath: $0)) }
        try await runRole("guardian", configuration: configuration) { logger in
            GuardianHost(
                configuration: configuration, clients: clients,
                bus: try connection.bus(sender: "guardian", runID: configuration.runID, logger: logger),
                stateDirectory: URL(fileURLWithPath: state), noiseSeed: noise, ownData: ownData, logger: logger)
        }
    }
}

struct AggregatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregator", abstract: "The aggregator: merges updates, evaluates, publishes the global model.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var experiment: RoleExperimentOptions
    @Option(name: .customLong("state-dir"), help: "Checkpoint and update spool.") var stateDirectory = "state/aggregator"

    func run() async throws {
        let configuration = try experiment.resolve()
        try await runRole("aggregator", configuration: configuration) { logger in
            AggregatorRole(
                configuration: configuration,
                bus: try connection.bus(sender: "aggregator", runID: configuration.runID, logger: logger),
                stateDirectory: URL(fileURLWithPath: stateDirectory), logger: logger)
        }
    }
}

struct AuditorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auditor", abstract: "The auditor: the append-only, hash-chained log of every message.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var experiment: RoleExperimentOptions
    @Option(help: "Folder for audit.log and audit-roots.json.") var out = "out"

    func run() async throws {
        let configuration = try experiment.resolve()
        let ring = try connection.keyring.map { try Keyring.load(from: URL(fileURLWithPath: $0)) }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try await runRole("auditor", configuration: configuration) { logger in
            AuditorRole(
                bus: try connection.bus(sender: "auditor", runID: configuration.runID, logger: logger),
                logURL: URL(fileURLWithPath: out).appendingPathComponent("audit.log"), keyring: ring, logger: logger)
        }
    }
}

/// A role's experiment: the run's configuration file (as `agentfl run` writes it), else defaults.
struct RoleExperimentOptions: ParsableArguments {
    @Option(help: "The run's configuration (JSON, as `agentfl run` writes to OUT/config.json).")
    var config: String?

    func resolve() throws -> ExperimentConfiguration {
        let configuration = try config.map { try ExperimentConfiguration.load(from: URL(fileURLWithPath: $0)) }
            ?? ExperimentConfiguration()
        try configuration.validate()
        return configuration
    }
}

/// `--client-id N` or `--clients A-B`.
enum ClientRange {
    static func parse(clientID: Int?, range: String?, total: Int) throws -> [Int] {
        if let clientID {
            guard (0..<total).contains(clientID) else { throw ValidationError("--client-id must be in 0..<\(total)") }
            return [clientID]
        }
        guard let range else { throw ValidationError("give --client-id N or --clients A-B") }
        let bounds = range.split(separator: "-").compactMap { Int($0) }
        guard bounds.count == 2, bounds[0] <= bounds[1], bounds[0] >= 0, bounds[1] < total else {
            throw ValidationError("--clients must look like 0-99, within 0..<\(total) (got \(range))")
        }
        return Array(bounds[0]...bounds[1])
    }
}
