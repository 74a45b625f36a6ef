@testable import Agents
import Foundation
import KafkaTransport
import Learning
import Synchronization
import TestSupport
import Testing
import WireProtocol

extension ProcessTests {
/// Real broker, real role processes, and an attacker on the same broker: every role verifies
/// every message before it acts, so forged, mis-bound and poisoned messages are rejected,
/// reported to the auditor, and change nothing — the run ends exactly where `simulate` ends.
@Suite(.serialized) struct TrustTests {
    @Test func forgedMisboundAndPoisonedMessagesAreRejectedAndChangeNothing() async throws {
        let configuration = ExperimentConfiguration.small(clients: 6, k: 3, rounds: 3)
        let task = try configuration.federatedTask()
        let expected = try await InProcessExperiment(configuration: configuration, concurrentClients: 2).run(task: task).results
        let parameterCount = task.parameterCount(forClient: 0)

        try await withRoleCluster(configuration, guardians: [0...2, 3...5]) { cluster, board in
            let attack = try Attacker(cluster: cluster)
            // Everything below is on the topics before any role starts, so every role reads it.
            for round in 1...configuration.rounds {
                for client in 0..<configuration.clients {
                    // A fresh key under a real guardian's name, asking almost nothing: it would win
                    // every place and set the clearing price.
                    try await attack.send(Self.bid(round: round, client: client, ask: 0.0001), as: SenderName.guardian(client), key: attack.stranger)
                }
                // Guardian process 0-2's own key, speaking for client 4 (hosted by another process)...
                try await attack.send(Self.bid(round: round, client: 4, ask: 0.0001), as: SenderName.guardian(4), key: attack.insider)
                // ...and under its own client's name, about client 4.
                try await attack.send(Self.bid(round: round, client: 4, ask: 0.0001), as: SenderName.guardian(1), key: attack.insider)
                // A valid key sending an update with a NaN, and one of the wrong length.
                var poisoned = [Float](repeating: 0.01, count: parameterCount)
                poisoned[parameterCount / 2] = .nan
                try await attack.send(Self.update(round: round, client: 0, values: poisoned), as: SenderName.guardian(0), key: attack.insider)
                try await attack.send(
                    Self.update(round: round, client: 1, values: [Float](repeating: 0.01, count: 10)),
                    as: SenderName.guardian(1), key: attack.insider)
                // An assignment from a guardian, and one under the server's name with a fresh key.
                let fake = Self.assignment(round: round, selected: [0, 1, 2])
                try await attack.send(fake, as: SenderName.guardian(0), key: attack.insider)
                try await attack.send(fake, as: SenderName.server, key: attack.stranger)
            }
            let reports = try cluster.rejectionReports()
            try cluster.startRoles()

            // A genuine update of round 1, re-labelled for round 3 with its signature kept.
            let merged1 = await board.wait(until: { $0.metrics[1] != nil }, deadline: .now + .seconds(90))
            try #require(merged1, "round 1 never finished\n\(cluster.logs())")
            let genuine = try await attack.firstGenuineUpdate(round: 1)
            var relabelled = genuine
            relabelled.round = 3
            try await attack.sendRaw(relabelled)

            let finished = await board.wait(until: { $0.metrics[configuration.rounds] != nil }, deadline: .now + .seconds(120))
            try #require(finished, "the run never finished\n\(cluster.logs())")
            // Give the roles' rejection reports a moment to reach the topic.
            _ = await reports.board.wait(until: { $0.count(role: "aggregator", reason: "bad-signature") >= 1 }, deadline: .now + .seconds(10))
            await attack.shutdown()

            for round in 1...configuration.rounds {
                let metrics = try #require(await board.read { $0.metrics[round] })
                let assignment = try #require(await board.read { $0.assignments[round] })
                let simulated = expected.rounds[round - 1]
                #expect(abs(metrics.testAccuracy - simulated.testAccuracy) < 1e-9,
                        "round \(round): run \(metrics.testAccuracy), simulate \(simulated.testAccuracy)")
                #expect(assignment.selected == simulated.selected)
                #expect(assignment.decision.stateAfter == simulated.strategyStateAfterPlan)
                #expect(metrics.mergedClients.sorted() == assignment.selected.sorted())
                // No forged ask reached the market.
                #expect(assignment.decision.bidMessageIDs.count == configuration.clients)
                #expect(assignment.payments.allSatisfy { $0.amount > 0.001 })
            }
            let seen = await reports.board.read { $0 }
            let rounds = configuration.rounds
            // The server refused every forged and mis-bound bid.
            #expect(seen.count(role: "server", reason: "bad-signature") >= rounds * (configuration.clients + 1))
            #expect(seen.count(role: "server", reason: "binding-mismatch") >= rounds)
            // Guardians refused the fake assignments (each process reports its own refusals).
            #expect(seen.count(roleStartingWith: "guardian-", reason: "sender-not-allowed") >= rounds)
            #expect(seen.count(roleStartingWith: "guardian-", reason: "bad-signature") >= rounds)
            // The aggregator refused the poisoned updates, the re-labelled one and the fake assignments.
            #expect(seen.count(role: "aggregator", reason: "invalid-content") >= 2 * rounds)
            #expect(seen.count(role: "aggregator", reason: "bad-signature") >= rounds + 1)
            #expect(seen.count(role: "aggregator", reason: "sender-not-allowed") >= rounds)
            await reports.stop()
        }
    }

    @Test func aRoleWithoutAKeyringRefusesToStartUnlessTold() async throws {
        let configuration = ExperimentConfiguration.small()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-nokeyring-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let config = folder.appendingPathComponent("config.json")
        try configuration.write(to: config)
        // No broker is needed: the role must refuse before it connects to anything.
        let refused = try await runAgentFL(["aggregator", "--brokers", "127.0.0.1:1", "--config", config.path])
        #expect(refused.status != 0)
        #expect(refused.output.contains("--keyring"), "\(refused.output)")
        #expect(refused.output.contains("--insecure"), "\(refused.output)")
    }

    @Test func keyFilesAreNeverReadableByOthers() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-keys-\(UUID().uuidString)")
        let old = umask(0)  // the widest umask: the file must still be created 0600
        defer { umask(old) }
        let keys = try RunKeys.generate(in: folder, guardianRanges: [0...1, 2...3])
        for process in ["server", "aggregator", "auditor", "guardian-0-1", "guardian-2-3"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: keys.keyFile(process).path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(process)")
        }
        // Each guardian process's key speaks exactly for the clients it hosts.
        let key = try SigningKeyFile.load(from: keys.keyFile("guardian-2-3"))
        #expect(keys.keyring.senders(of: key.publicKey) == ["guardian-2", "guardian-3"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    // MARK: Messages

    static func bid(round: Int, client: Int, ask: Double) -> Bid {
        Bid(round: round, clientID: client, decision: .participate, askPrice: ask, sampleCount: 100,
            labelHistogram: Array(repeating: 10, count: 10), device: DeviceProfile(samplesPerSecond: 1e6, memoryMiB: 1 << 14))
    }

    static func update(round: Int, client: Int, values: [Float]) -> ClientUpdate {
        ClientUpdate(round: round, clientID: client, baseModelVersion: round - 1, sampleCount: 10, trainLoss: 0.1,
                     trainSeconds: 0.1, parameters: Tensor(values))
    }

    static func assignment(round: Int, selected: [Int]) -> Assignment {
        Assignment(
            round: round, modelVersion: round - 1, policy: "random", k: selected.count, selected: selected,
            instructions: selected.map { ClientInstruction(clientID: $0, bidSampleCount: 100, width: 1, localEpochs: 1) },
            clearingPrice: 0, payments: [], reason: "forged", decision: .handMade, roundDeadline: Date().addingTimeInterval(600))
    }
}
}

/// Someone on the broker: a key the keyring does not know, and the stolen key of guardian process 0-2.
private struct Attacker {
    let cluster: RoleCluster
    let producer: KafkaProducer
    let stranger = EnvelopeSigner()
    let insider: EnvelopeSigner

    init(cluster: RoleCluster) throws {
        self.cluster = cluster
        self.producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: [cluster.bootstrap]), logger: cluster.logger)
        self.insider = EnvelopeSigner(privateKey: try SigningKeyFile.load(from: cluster.keys.keyFile("guardian-0-2")))
    }

    func send(_ message: some ProtocolMessage, as sender: String, key: EnvelopeSigner) async throws {
        let publisher = ProtocolPublisher(
            producer: producer, catalog: cluster.catalog, sender: sender, runID: cluster.configuration.runID, signer: key,
            logger: cluster.logger)
        try await publisher.publish(message)
    }

    func sendRaw(_ envelope: Envelope) async throws {
        let publisher = ProtocolPublisher(
            producer: producer, catalog: cluster.catalog, sender: envelope.sender, runID: envelope.runID, logger: cluster.logger)
        _ = try await publisher.publish(envelope: envelope)
    }

    /// A genuine (verifying, well-formed) update of `round`, as it was sent.
    func firstGenuineUpdate(round: Int) async throws -> Envelope {
        let bus = RoleBus(
            brokers: [cluster.bootstrap], catalog: cluster.catalog, runID: cluster.configuration.runID, sender: "test",
            signer: nil, trust: .keyring(try KeyringVerifier(cluster.keys.keyring)), logger: cluster.logger)
        let subscriber = try bus.subscriber(for: [.clientUpdate], group: nil, from: .beginning)
        let found = Mutex<Envelope?>(nil)
        let reader = Task {
            try await subscriber.run { received in
                guard let update = received.message as? ClientUpdate, update.round == round,
                      update.parameters.values.allSatisfy(\.isFinite), update.sampleCount > 10 else { return }
                found.withLock { if $0 == nil { $0 = received.envelope } }
            }
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while found.withLock({ $0 }) == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        await subscriber.close()
        _ = try await reader.value
        return try #require(found.withLock { $0 })
    }

    func shutdown() async { await producer.shutdown() }
}

/// The rejections the roles reported to the auditor, by reporting role and reason.
struct RejectionReports: Sendable {
    var counts: [String: [String: Int]] = [:]

    func count(role: String, reason: String) -> Int { counts[role]?[reason] ?? 0 }

    func count(roleStartingWith prefix: String, reason: String) -> Int {
        counts.filter { $0.key.hasPrefix(prefix) }.values.reduce(0) { $0 + ($1[reason] ?? 0) }
    }
}

extension RoleCluster {
    /// Follows the roles' `rejection` audit events (verified against the run's keyring).
    func rejectionReports() throws -> (board: ConditionBoard<RejectionReports>, stop: @Sendable () async -> Void) {
        let board = ConditionBoard(RejectionReports())
        let bus = RoleBus(
            brokers: [bootstrap], catalog: catalog, runID: configuration.runID, sender: "test", signer: nil,
            trust: .keyring(try KeyringVerifier(keys.keyring)), logger: logger)
        let subscriber = try bus.subscriber(for: [.auditEvent], group: nil, from: .beginning)
        let task = Task {
            try await subscriber.run { received in
                guard let event = received.message as? AuditEvent, event.kind == "rejection",
                      case let .string(reason)? = event.detail["reason"] else { return }
                await board.update { $0.counts[received.envelope.sender, default: [:]][reason, default: 0] += 1 }
            }
        }
        return (board, { task.cancel(); await subscriber.close() })
    }
}
