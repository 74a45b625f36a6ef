@testable import Agents
import Audit
import Foundation
import KafkaTransport
import TestSupport
import Testing
import WireProtocol

extension ProcessTests {
/// The auditor on the real broker: a message signed with a key that is not the sender's, or from a
/// sender the keyring does not know, is logged as `rejected-message`, never as what it claims.
@Suite(.serialized) struct AuditorSignatureTests {
    @Test func forgedAndUnknownSendersAreRecordedAsRejected() async throws {
        try await withEmbeddedBroker { bootstrap in
            let catalog = try TopicCatalog.load(directory: try TopicsLocation.resolve(nil))
            try await RoleBus.createTopics(catalog: catalog, brokers: [bootstrap], singleBroker: true, logger: testLogger())
            let serverKey = EnvelopeSigner()
            var keyring = Keyring()
            keyring.keys["server"] = serverKey.publicKeyBase64
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("auditor-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let logURL = folder.appendingPathComponent("audit.log")

            let auditorBus = RoleBus(brokers: [bootstrap], catalog: catalog, runID: "t", sender: "auditor", signer: EnvelopeSigner(), logger: testLogger())
            let auditor = Task { try await AuditorRole(bus: auditorBus, logURL: logURL, keyring: keyring, logger: testLogger()).run() }

            func send(as sender: String, signer: EnvelopeSigner, status: String) async throws {
                let bus = RoleBus(brokers: [bootstrap], catalog: catalog, runID: "t", sender: sender, signer: signer, logger: testLogger())
                let publisher = try bus.publisher()
                _ = try await publisher.publish(
                    Heartbeat(role: "server", instance: sender, publicKey: signer.publicKeyBase64, status: status), round: nil, key: sender)
                await publisher.shutdown()
            }
            try await send(as: "server", signer: serverKey, status: "genuine")
            try await send(as: "server", signer: EnvelopeSigner(), status: "forged")
            try await send(as: "mallory", signer: EnvelopeSigner(), status: "unknown")
            // A record that is not a frame at all.
            let raw = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: [bootstrap]), logger: testLogger())
            _ = try await raw.send(KafkaRecord(topic: catalog.topic(for: .heartbeat).name, key: nil, value: Array("not a frame".utf8)))
            await raw.shutdown()

            var entries: [AuditEntry] = []
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                entries = (try? AuditQuery().entries(in: logURL)) ?? []
                if entries.filter({ $0.sender != "auditor" }).count >= 4 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            auditor.cancel()
            _ = await auditor.result

            let received = entries.filter { $0.sender != "auditor" && $0.type != "rejected-record" }
            #expect(received.count == 3)
            let refused = entries.filter { $0.type == "rejected-record" }
            #expect(refused.count == 1)
            func entry(_ status: String) -> AuditEntry? {
                received.first { entry in
                    if case let .object(fields) = entry.payload {
                        if fields["status"] == .string(status) { return true }
                        if case let .object(inner)? = fields["payload"], inner["status"] == .string(status) { return true }
                    }
                    return false
                }
            }
            #expect(entry("genuine")?.type == "heartbeat")
            #expect(entry("genuine")?.signedData != nil)
            #expect(entry("forged")?.type == "rejected-message")
            #expect(entry("unknown")?.type == "rejected-message")
            // And the log itself verifies, including the signatures it kept.
            let report = try AuditVerifier.verify(logURL)
            #expect(report.signedEntries >= 1)
        }
    }
}
}
