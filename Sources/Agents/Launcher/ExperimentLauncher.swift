import Crypto
import Foundation
import LLMClient
import KafkaTransport
import Logging
import WireProtocol

/// `agentfl run`: starts the embedded broker (unless brokers are given), creates the topics,
/// writes the run's configuration and keys, launches the four roles as child processes, follows
/// the rounds on the metrics topic, writes the results and stops everything cleanly.
///
/// Supervision (see ``RoleSupervisor`` and ``RestartPolicy``): a role that crashes is restarted
/// with the same arguments and resumes from its state; one that crashes too often, or a broker
/// that ends or stops answering, ends the run at once with one error naming it. The broker is not
/// restarted. Every child dies with the launcher, also on SIGKILL (see ``ParentDeath``).
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
    /// How often a crashed role is restarted.
    public var restartPolicy: RestartPolicy
    /// How long the broker may not answer before the run ends.
    public var brokerOutageLimit: Duration
    /// librdkafka client properties (TLS, SASL) for an external cluster, handed to every role as
    /// `--kafka-config`.
    public var clientPropertiesFile: URL?

    public init(
        configuration: ExperimentConfiguration, brokers: [String]?, outDirectory: URL, guardianProcesses: Int,
        executable: URL, topicsDirectory: URL, logger: Logger,
        restartPolicy: RestartPolicy = RestartPolicy(), brokerOutageLimit: Duration = .seconds(15),
        clientPropertiesFile: URL? = nil
    ) {
        self.clientPropertiesFile = clientPropertiesFile
        self.configuration = configuration
        self.brokers = brokers
        self.outDirectory = outDirectory
        self.guardianProcesses = guardianProcesses
        self.executable = executable
        self.topicsDirectory = topicsDirectory
        self.logger = logger
        self.restartPolicy = restartPolicy
        self.brokerOutageLimit = brokerOutageLimit
    }

    /// What the launcher reports as the run goes.
    public enum Progress: Sendable {
        case started(bootstrap: String, seconds: Double)
        case round(RunRound, total: Int)
        /// A role crashed and was started again.
        case restarted(RoleRestart)
    }

    /// Runs the experiment. A strategy that calls a language model without `llmURL` gets the
    /// cached local llama-server, started here once for every role and stopped at the end; the
    /// roles find its address in `config.json`.
    public func run(progress: @escaping @Sendable (Progress) -> Void) async throws -> RunResults {
        guard configuration.needsLLM, configuration.llmURL == nil else { return try await run(configuration, progress: progress) }
        return try await LocalModelServer.withRunning { local in
            logger.info("local model \(LocalModelServer.modelName) at \(local.baseURL) (\(local.serverPath))")
            var withModel = configuration
            withModel.llmURL = local.baseURL.absoluteString
            return try await run(withModel, progress: progress)
        }
    }

    private func run(_ configuration: ExperimentConfiguration, progress: @escaping @Sendable (Progress) -> Void) async throws -> RunResults {
        let clock = ContinuousClock()
        let began = clock.now
        try configuration.validate()
        let fm = FileManager.default
        for folder in ["logs", "keys", "state"] {
            try fm.createDirectory(at: outDirectory.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let logs = outDirectory.appendingPathComponent("logs")
        let clientProperties = try clientPropertiesFile.map { try KafkaClientProperties.load(from: $0).dictionary } ?? [:]
        let broker: LauncherBroker = if let brokers {
            .external(brokers, clientProperties: clientProperties)
        } else {
            try await .startEmbedded(executable: executable, logFile: logs.appendingPathComponent("broker.log"), logger: logger)
        }
        let bootstrap = broker.addresses
        // What the launcher has seen; a supervision failure lands here too, so every wait below
        // ends the moment a role is given up on or the broker is gone.
        let board = ConditionBoard(RunProgress())
        let supervisor = RoleSupervisor(
            executable: executable, policy: restartPolicy, broker: broker, brokerOutageLimit: brokerOutageLimit,
            began: began, logger: logger, onRestart: { progress(.restarted($0)) },
            onFailure: { error in await board.update { $0.failure = error } })
        await supervisor.watchBroker()
        var stopFollowing: @Sendable () async -> Void = {}
        do {
            let catalog = try TopicCatalog.load(directory: topicsDirectory)
            try await RoleBus.createTopics(
                catalog: catalog, brokers: bootstrap, singleBroker: broker.process != nil, clientProperties: clientProperties,
                logger: logger)
            let configURL = outDirectory.appendingPathComponent("config.json")
            try configuration.write(to: configURL)
            let ranges = Self.split(clients: configuration.clients, into: guardianProcesses)
            let keyringURL = try writeKeys(guardianRanges: ranges)

            // Follow the run before the roles start, so no round is missed.
            let trust = TrustPolicy.keyring(try KeyringVerifier(try Keyring.load(from: keyringURL)))
            let bus = RoleBus(
                brokers: bootstrap, catalog: catalog, runID: configuration.runID, sender: "launcher", signer: nil,
                trust: trust, clientProperties: clientProperties, logger: logger)
            let follower = try bus.subscriber(
                for: [.roundAnnouncement, .assignment, .roundMetrics, .auditRoot], group: nil, from: .beginning)
            let followTask = Task {
                try await follower.run { received in
                    await board.update { $0.apply(received) }
                }
            }
            defer { followTask.cancel() }
            stopFollowing = { followTask.cancel(); await follower.close() }

            // Every role verifies every message against the run's keyring before acting on it.
            let common = ["--brokers", bootstrap.joined(separator: ","), "--config", configURL.path, "--keyring", keyringURL.path]
                + (clientPropertiesFile.map { ["--kafka-config", $0.path] } ?? [])
            let keys = outDirectory.appendingPathComponent("keys")
            let state = outDirectory.appendingPathComponent("state")
            func launch(_ name: String, _ arguments: [String], finishesOnItsOwn: Bool = false) async throws {
                try await supervisor.start(RoleSpec(
                    name: name, arguments: arguments, logFile: logs.appendingPathComponent("\(name).log"),
                    finishesOnItsOwn: finishesOnItsOwn))
            }
            try await launch("auditor", ["auditor"] + common + [
                "--out", outDirectory.path, "--key", keys.appendingPathComponent("auditor.key").path])
            try await launch("aggregator", ["aggregator"] + common + [
                "--state-dir", state.appendingPathComponent("aggregator").path, "--key", keys.appendingPathComponent("aggregator.key").path])
            // With DP on, the guardians' noise comes from a private seed file (one for the guardians
            // of this machine; `agentfl simulate --dp-seed-file` with it repeats the run's noise).
            var noise: [String] = []
            if configuration.privacy != nil {
                let seedURL = keys.appendingPathComponent(Self.noiseSeedFileName)
                try NoiseSeed.generate(to: seedURL)
                noise = ["--dp-seed-file", seedURL.path]
            }
            for range in ranges {
                let name = "guardian-\(range.lowerBound)-\(range.upperBound)"
                try await launch(name, ["guardian"] + common + noise + [
                    "--clients", "\(range.lowerBound)-\(range.upperBound)", "--key", keys.appendingPathComponent("\(name).key").path,
                    "--state-dir", state.appendingPathComponent(name).path])
            }
            // The server's clean exit is the end of its work: it returns after the last round.
            try await launch("server", ["server"] + common + [
                "--state-dir", state.appendingPathComponent("server").path, "--key", keys.appendingPathComponent("server.key").path],
                finishesOnItsOwn: true)
            let startup = began.duration(to: clock.now).inSeconds
            progress(.started(bootstrap: bootstrap.joined(separator: ","), seconds: startup))

            let rounds = configuration.rounds
            for next in 1...rounds {
                while true {
                    _ = await board.wait(until: { $0.round(next) != nil || $0.failure != nil }, deadline: .now + .seconds(3600))
                    try Task.checkCancellation()
                    if let failure = await board.read({ $0.failure }) { throw failure }
                    if let round = await board.read({ $0.round(next) }) {
                        progress(.round(round, total: rounds))
                        break
                    }
                }
            }
            func results() async -> RunResults {
                RunResults(
                    config: configuration, rounds: await board.read { p in (1...rounds).compactMap { p.round($0) } },
                    startupSeconds: startup, readySeconds: (await board.read { $0.firstCall }).map { began.duration(to: $0).inSeconds } ?? startup,
                    totalSeconds: began.duration(to: clock.now).inSeconds)
            }
            // The auditor fsyncs every entry and may trail the rounds: stop nothing before it has
            // logged and sealed the last round, so the audit log is complete. If it cannot (it was
            // given up on, or the broker went), the rounds are still written before the error.
            while true {
                let sealed = await board.wait(until: { $0.roots[rounds] != nil || $0.failure != nil }, deadline: .now + .seconds(10))
                try Task.checkCancellation()
                if let failure = await board.read({ $0.failure }) {
                    try await results().write(to: outDirectory)
                    throw failure
                }
                if sealed { break }
                logger.warning("waiting for the auditor to seal round \(rounds)")
            }
            let final = await results()
            try final.write(to: outDirectory)
            await stopFollowing()
            // Writers first; then the auditor, which reads to the end of the now-still topics
            // (bids and updates of the last rounds may trail their metrics) and seals a final head.
            await supervisor.stop(allBut: ["auditor"])
            await supervisor.stop(grace: AuditorRole.drainTimeout + .seconds(10))
            await broker.stop()
            return final
        } catch {
            // Cleanup must not inherit the cancellation that may have brought us here: the roles
            // get their grace period to drain and commit before anything is killed. Without a
            // broker there is nothing to drain into: a short grace keeps the exit bounded.
            let brokerGone = if case .brokerExited? = error as? SupervisionError { true }
                else if case .brokerUnreachable? = error as? SupervisionError { true } else { false }
            await Task {
                await stopFollowing()
                await supervisor.stop(grace: brokerGone ? .seconds(2) : .seconds(5))
                await broker.stop()
            }.value
            throw error
        }
    }

    /// The guardians' DP noise seed file in OUT/keys.
    public static let noiseSeedFileName = "dp-noise.seed"

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
        try RunKeys.generate(in: outDirectory.appendingPathComponent("keys"), guardianRanges: guardianRanges).keyringURL
    }

}

/// What the launcher has seen of the run.
struct RunProgress: Sendable {
    var assignments: [Int: Assignment] = [:]
    var metrics: [Int: RoundMetrics] = [:]
    var roots: [Int: AuditRoot] = [:]
    /// When the first call for participation arrived: every role up and every guardian ready.
    var firstCall: ContinuousClock.Instant?
    /// Why the launcher's supervision ended the run, if it did.
    var failure: SupervisionError?

    /// Takes in a message the subscriber has verified and decoded.
    mutating func apply(_ received: ReceivedEnvelope) {
        switch received.message {
        case is RoundAnnouncement:
            if firstCall == nil { firstCall = .now }
        case let assignment as Assignment:
            assignments[assignment.round] = assignment
        case let report as RoundMetrics:
            metrics[report.round] = report
        case let root as AuditRoot:
            roots[root.round] = root
        default:
            break
        }
    }

    func round(_ number: Int) -> RunRound? {
        guard let a = assignments[number], let m = metrics[number] else { return nil }
        return RunRound(assignment: a, metrics: m)
    }
}
