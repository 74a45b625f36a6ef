@testable import Agents
import Crypto
import Foundation
import KafkaTransport
import Logging
import TestSupport
import WireProtocol

/// The built `agentfl` executable, next to the test bundle.
enum AgentFLExecutable {
    static var url: URL {
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        return bundle.appendingPathComponent("agentfl")
    }
}

/// The roles of one run as real child processes on a real broker, started one by one so a test
/// can kill and restart any of them.
final class RoleCluster: @unchecked Sendable {
    let bootstrap: String
    let directory: URL
    let configuration: ExperimentConfiguration
    let catalog: TopicCatalog
    private(set) var processes: [String: ChildProcess] = [:]
    let logger = testLogger("cluster")
    /// The embedded broker's process, when the test started one (to pause it).
    var brokerProcessIdentifier: Int32?
    /// Keys of the run's processes and the keyring every role verifies against.
    let keys: RunKeys
    /// The guardian processes of the run, by the clients each hosts (the keyring lists them).
    let guardianRanges: [ClosedRange<Int>]

    init(
        bootstrap: String, configuration: ExperimentConfiguration,
        guardianRanges: [ClosedRange<Int>]? = nil
    ) async throws {
        self.bootstrap = bootstrap
        self.configuration = configuration
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let ranges = guardianRanges ?? [0...(configuration.clients - 1)]
        self.guardianRanges = ranges
        keys = try RunKeys.generate(in: directory.appendingPathComponent("keys"), guardianRanges: ranges)
        catalog = try TopicCatalog.load(directory: try TopicsLocation.resolve(nil))
        try await RoleBus.createTopics(catalog: catalog, brokers: [bootstrap], singleBroker: true, logger: logger)
        try configuration.write(to: configURL)
    }

    var configURL: URL { directory.appendingPathComponent("config.json") }

    /// Starts `agentfl ARGUMENTS` as process `name`, with the run's keyring and the key of
    /// `keyName` (default: `name`).
    func start(_ name: String, _ arguments: [String], keyName: String? = nil) throws {
        processes[name] = try ChildProcess(
            name: name, executable: AgentFLExecutable.url,
            arguments: arguments + [
                "--brokers", bootstrap, "--config", configURL.path, "--keyring", keys.keyringURL.path,
                "--key", keys.keyFile(keyName ?? name).path,
            ],
            logFile: directory.appendingPathComponent("logs/\(name)-\(UUID().uuidString.prefix(4)).log"))
    }

    func startAuditor() throws { try start("auditor", ["auditor", "--out", directory.path]) }
    func startAggregator() throws {
        try start("aggregator", ["aggregator", "--state-dir", directory.appendingPathComponent("aggregator").path])
    }
    func startServer() throws { try start("server", ["server", "--state-dir", directory.appendingPathComponent("server").path]) }
    func startGuardians(_ range: ClosedRange<Int>) throws {
        guard guardianRanges.contains(range) else {
            throw AgentError.invalidConfiguration("the run's keyring has no guardian process for clients \(range)")
        }
        try start(RunKeys.guardianProcess(range), ["guardian", "--clients", "\(range.lowerBound)-\(range.upperBound)"])
    }

    /// Auditor, aggregator, every guardian process, then the server: a whole run.
    func startRoles() throws {
        try startAuditor()
        try startAggregator()
        for range in guardianRanges { try startGuardians(range) }
        try startServer()
    }

    func kill(_ name: String) async {
        guard let process = processes[name] else { return }
        process.send(SIGKILL)
        _ = await process.waitForExit()
    }

    func stopAll() async {
        await withTaskGroup(of: Void.self) { group in
            for process in processes.values { group.addTask { await process.stop(grace: .seconds(3)) } }
        }
    }

    /// Follows assignments and metrics from the beginning, into a board the test waits on.
    func follow() throws -> (ConditionBoard<RunProgress>, ProtocolSubscriber, Task<Void, any Error>) {
        let board = ConditionBoard(RunProgress())
        let bus = RoleBus(
            brokers: [bootstrap], catalog: catalog, runID: configuration.runID, sender: "test", signer: nil,
            trust: .keyring(try KeyringVerifier(keys.keyring)), logger: logger)
        let subscriber = try bus.subscriber(for: [.assignment, .roundMetrics, .auditRoot], group: nil, from: .beginning)
        let task = Task { try await subscriber.run { received in await board.update { $0.apply(received) } } }
        return (board, subscriber, task)
    }

    func logs() -> String {
        let files = (try? FileManager.default.contentsOfDirectory(at: directory.appendingPathComponent("logs"), includingPropertiesForKeys: nil)) ?? []
        return files.map { "== \($0.lastPathComponent)\n" + ((try? String(contentsOf: $0, encoding: .utf8)) ?? "") }.joined(separator: "\n")
    }
}

extension ExperimentConfiguration {
    /// A small, quick experiment: MLP on a slice of Fashion-MNIST.
    static func small(clients: Int = 10, k: Int = 3, rounds: Int = 3) -> ExperimentConfiguration {
        var c = ExperimentConfiguration()
        c.runID = "test-\(UInt32.random(in: 0...UInt32.max))"
        c.clients = clients
        c.k = k
        c.rounds = rounds
        c.dataDirectory = try? FashionMNISTSlice.directory().path
        c.bidWindowSeconds = 3
        c.roundTimeoutSeconds = 8
        c.quorum = 0.5
        return c
    }
}

/// Starts a broker and a role cluster, follows its rounds, runs `body`, and always stops every
/// process it started — also when an expectation inside `body` throws.
func withRoleCluster(
    _ configuration: ExperimentConfiguration, guardians: [ClosedRange<Int>]? = nil,
    _ body: (RoleCluster, ConditionBoard<RunProgress>) async throws -> Void
) async throws {
    let broker = try await EmbeddedBroker.start(logger: testLogger("embedded-broker"))
    defer { kill(broker.processIdentifier, SIGCONT) }
    do {
        let cluster = try await RoleCluster(
            bootstrap: broker.bootstrapServer, configuration: configuration, guardianRanges: guardians)
        cluster.brokerProcessIdentifier = broker.processIdentifier
        let (board, subscriber, follower) = try cluster.follow()
        do {
            try await body(cluster, board)
        } catch {
            follower.cancel()
            await subscriber.close()
            await cluster.stopAll()
            throw error
        }
        follower.cancel()
        await subscriber.close()
        await cluster.stopAll()
    } catch {
        await broker.stop()
        throw error
    }
    await broker.stop()
}
