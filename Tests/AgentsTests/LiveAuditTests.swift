@testable import Agents
import Foundation
import KafkaTransport
import TestSupport
import Testing
import WireProtocol

/// `agentfl audit follow` watches a run it does not control, from its topics: a clean run is
/// verified round by round to its end; a forged message injected into a live run ends the watch.
extension ProcessTests {
@Suite(.serialized) struct LiveAuditTests {
    static func follow(_ cluster: RoleCluster) throws -> ChildProcess {
        try ChildProcess(
            name: "follow", executable: AgentFLExecutable.url,
            arguments: [
                "audit", "follow", "--brokers", cluster.bootstrap, "--config", cluster.configURL.path,
                "--keyring", cluster.keys.keyringURL.path, "--timeout", "120",
            ],
            logFile: cluster.directory.appendingPathComponent("logs/follow.log"))
    }

    static func output(_ cluster: RoleCluster) -> String {
        (try? String(contentsOf: cluster.directory.appendingPathComponent("logs/follow.log"), encoding: .utf8)) ?? ""
    }

    @Test func aCleanRunIsVerifiedRoundByRoundToItsEnd() async throws {
        let configuration = ExperimentConfiguration.small(clients: 6, k: 3, rounds: 3)
        try await withRoleCluster(configuration, guardians: [0...2, 3...5]) { cluster, _ in
            let watcher = try Self.follow(cluster)
            try cluster.startRoles()
            let status = await watcher.waitForExit()
            let output = Self.output(cluster)
            #expect(status == 0, "\(output)\n\(cluster.logs())")
            #expect(output.contains("round 3: every message verified"), "\(output)")
            #expect(output.contains("decisions: 3 re-derived"), "\(output)")
        }
    }

    @Test func aForgedBidInjectedIntoALiveRunEndsTheWatch() async throws {
        let configuration = ExperimentConfiguration.small(clients: 6, k: 3, rounds: 3)
        try await withRoleCluster(configuration, guardians: [0...2, 3...5]) { cluster, board in
            let watcher = try Self.follow(cluster)
            try cluster.startRoles()
            let roundOne = await board.wait(until: { $0.metrics[1] != nil }, deadline: .now + .seconds(90))
            try #require(roundOne, "round 1 never finished\n\(cluster.logs())")
            // A bid under a real guardian's name, signed with a key the keyring does not give it.
            let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: [cluster.bootstrap]), logger: cluster.logger)
            let forger = ProtocolPublisher(
                producer: producer, catalog: cluster.catalog, sender: SenderName.guardian(1), runID: configuration.runID,
                signer: EnvelopeSigner(), logger: cluster.logger)
            try await forger.publish(Bid(
                round: 2, clientID: 1, decision: .participate, askPrice: 0.0001, sampleCount: 100,
                labelHistogram: Array(repeating: 10, count: 10), device: DeviceProfile(samplesPerSecond: 1e6, memoryMiB: 1 << 14)))
            await producer.shutdown()
            let status = await watcher.waitForExit()
            let output = Self.output(cluster)
            #expect(status == 1, "\(output)")
            #expect(output.contains("REFUSED: a bid from guardian-1"), "\(output)")
        }
    }
}
}
