import Crypto
import Foundation
import KafkaTransport
import Logging
import WireProtocol

/// `agentfl run`: starts the embedded broker (unless brokers are given), creates the topics,
/// writes the run's configuration and keys, launches the four roles as child processes, follows
/// the rounds on the metrics topic, writes the results and stops everything cleanly.
public struct ExperimentLauncher: Sendable {
    public var configuration: ExperimentConfiguration
    /// Brokers of an existing cluster; nil starts the embedded broker.
    public var brokers: [String]?
    public var outDirectory: URL
    /// How many guardian processes share the clients (each hosts a contiguous range).
    public var guardianProcesses: Int
    /// The `agentfl` executable the roles run as.
    public var executable: URL
    public var topicsDirectory: URL
    public var logger: Logger

    public init(
        configuration: ExperimentConfiguration, brokers: [String]?, outDirectory: URL, guardianProcesses: Int,
        executable: URL, topicsDirectory: URL, logger: Logger
    ) {
        self.configuration = configuration
        self.brokers = brokers
        self.outDirectory = outDirectory
        self.guardianProcesses = guardianProcesses
        self.executable = executable
        self.topicsDirectory = topicsDirectory
        self.logger = logger
    }

    /// What the launcher reports as the run goes.
    public enum Progress: Sendable {
        case started(bootstrap: String, seconds: Double)
        case round(RunRound, total: Int)
    }

    public func run(progress: @escaping @Sendable (Progress) -> Void) async throws -> RunResults {
        let clock = ContinuousClock()
        let began = clock.now
        try configuration.validate()
        let fm = FileManager.default
        for folder in ["logs", "keys", "state"] {
            try fm.createDirectory(at: outDirectory.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let broker: EmbeddedBroker? = brokers == nil ? try await EmbeddedBroker.start(logger: logger) : nil
        let bootstrap = brokers ?? [broker!.bootstrapServer]
        var children: [ChildProcess] = []
        var stopFollowing: @Sendable () async -> Void = {}
        do {
            let catalog = try TopicCatalog.load(directory: topicsDirectory)
            try await RoleBus.createTopics(catalog: catalog, brokers: bootstrap, singleBroker: broker != nil, logger: logger)
            let configURL = outDirectory.appendingPathComponent("config.json")
            try configuration.write(to: configURL)
            let ranges = Self.split(clients: configuration.clients, into: guardianProcesses)
            let keyringURL = try writeKeys(guardianRanges: ranges)

            // Follow the run before the roles start, so no round is missed.
            let board = ConditionBoard(RunProgress())
            let bus = RoleBus(brokers: bootstrap, catalog: catalog, runID: configuration.runID, sender: "launcher", signer: nil, logger: logger)
            let follower = try bus.subscriber(
                for: [.roundAnnouncement, .assignment, .roundMetrics, .auditRoot], group: nil, from: .beginning)
            let followTask = Task {
                try await follower.run { received in
                    try await board.update { try $0.apply(received.envelope) }
                }
            }
            defer { followTask.cancel() }
            stopFollowing = { followTask.cancel(); await follower.close() }

            let common = ["--brokers", bootstrap.joined(separator: ","), "--config", configURL.path]
            let keys = outDirectory.appendingPathComponent("keys")
            let state = outDirectory.appendingPathComponent("state")
            func launch(_ name: String, _ arguments: [String]) throws {
                children.append(try ChildProcess(
                    name: name, executable: executable, arguments: arguments,
                    logFile: outDirectory.appendingPathComponent("logs/\(name).log")))
            }
            try launch("auditor", ["auditor"] + common + [
                "--out", outDirectory.path, "--keyring", keyringURL.path, "--key", keys.appendingPathComponent("auditor.key").path])
            try launch("aggregator", ["aggregator"] + common + [
                "--state-dir", state.appendingPathComponent("aggregator").path, "--key", keys.appendingPathComponent("aggregator.key").path])
            for range in ranges {
                let name = "guardian-\(range.lowerBound)-\(range.upperBound)"
                try launch(name, ["guardian"] + common + [
                    "--clients", "\(range.lowerBound)-\(range.upperBound)", "--key", keys.appendingPathComponent("\(name).key").path])
            }
            try launch("server", ["server"] + common + [
                "--state-dir", state.appendingPathComponent("server").path, "--key", keys.appendingPathComponent("server.key").path])
            let startup = began.duration(to: clock.now).inSeconds
            progress(.started(bootstrap: bootstrap.joined(separator: ","), seconds: startup))

            var reported = 0
            let rounds = configuration.rounds
            while reported < rounds {
                let next = reported + 1
                let arrived = await board.wait(until: { $0.round(next) != nil }, deadline: .now + .seconds(5))
                try Task.checkCancellation()
                if let round = await board.read({ $0.round(next) }) {
                    progress(.round(round, total: rounds))
                    reported = next
                } else if !arrived, let failed = children.first(where: { !$0.isRunning }) {
                    let status = await failed.waitForExit()
                    if status != 0 { throw AgentError.roleFailed(role: failed.name, status: status) }
                }
            }
            // The auditor fsyncs every entry and may trail the rounds: stop nothing before it has
            // logged and sealed the last round, so the audit log is complete.
            var sealed = false
            while !sealed {
                sealed = await board.wait(until: { $0.roots[rounds] != nil }, deadline: .now + .seconds(5))
                try Task.checkCancellation()
                if !sealed, let auditor = children.first(where: { $0.name == "auditor" }), !auditor.isRunning {
                    throw AgentError.roleFailed(role: "auditor", status: await auditor.waitForExit())
                }
                if !sealed { logger.warning("waiting for the auditor to seal round \(rounds)") }
            }
            let firstCall = await board.read { $0.firstCall }
            let results = RunResults(
                config: configuration, rounds: await board.read { p in (1...rounds).compactMap { p.round($0) } },
                startupSeconds: startup, readySeconds: firstCall.map { began.duration(to: $0).inSeconds } ?? startup,
                totalSeconds: began.duration(to: clock.now).inSeconds)
            try results.write(to: outDirectory)
            await stopFollowing()
            await Self.stop(children)
            await broker?.stop()
            return results
        } catch {
            // Cleanup must not inherit the cancellation that may have brought us here: the roles
            // get their grace period to drain and commit before anything is killed.
            let stopChildren = children
            await Task {
                await stopFollowing()
                await Self.stop(stopChildren)
                await broker?.stop()
            }.value
            throw error
        }
    }

    static func stop(_ children: [ChildProcess]) async {
        await withTaskGroup(of: Void.self) { group in
            for child in children { group.addTask { await child.stop() } }
        }
    }

    /// Contiguous, nearly equal client ranges, one per guardian process.
    public static func split(clients: Int, into processes: Int) -> [ClosedRange<Int>] {
        let count = max(1, min(processes, clients))
        return (0..<count).map { index in
            let lower = index * clients / count
            let upper = (index + 1) * clients / count - 1
            return lower...upper
        }
    }

    /// One Ed25519 key per process; the keyring maps every sender name to its process's public key.
    private func writeKeys(guardianRanges: [ClosedRange<Int>]) throws -> URL {
        let keys = outDirectory.appendingPathComponent("keys")
        var keyring = Keyring()
        func make(_ file: String, senders: [String]) throws {
            let key = Curve25519.Signing.PrivateKey()
            try SigningKeyFile.write(key, to: keys.appendingPathComponent("\(file).key"))
            for sender in senders { keyring.register(key.publicKey, for: sender) }
        }
        try make("server", senders: ["server"])
        try make("aggregator", senders: ["aggregator"])
        try make("auditor", senders: ["auditor"])
        for range in guardianRanges {
            try make("guardian-\(range.lowerBound)-\(range.upperBound)", senders: range.map { "guardian-\($0)" })
        }
        let url = keys.appendingPathComponent("keyring.json")
        try keyring.write(to: url)
        return url
    }

}

/// What the launcher has seen of the run.
struct RunProgress: Sendable {
    var assignments: [Int: Assignment] = [:]
    var metrics: [Int: RoundMetrics] = [:]
    var roots: [Int: AuditRoot] = [:]
    /// When the first call for participation arrived: every role up and every guardian ready.
    var firstCall: ContinuousClock.Instant?

    mutating func apply(_ envelope: Envelope) throws {
        switch envelope.type {
        case .roundAnnouncement:
            if firstCall == nil { firstCall = .now }
        case .assignment:
            let a = try envelope.decode(as: Assignment.self)
            assignments[a.round] = a
        case .roundMetrics:
            let m = try envelope.decode(as: RoundMetrics.self)
            metrics[m.round] = m
        case .auditRoot:
            let r = try envelope.decode(as: AuditRoot.self)
            roots[r.round] = r
        default:
            break
        }
    }

    func round(_ number: Int) -> RunRound? {
        guard let a = assignments[number], let m = metrics[number] else { return nil }
        return RunRound(assignment: a, metrics: m)
    }
}
