@testable import Agents
import Audit
import Foundation
import KafkaTransport
import TestSupport
import Testing
import WireProtocol

extension ProcessTests {
/// The auditor on the real broker: a message signed with a key that is not the sender's, or from a
/// sender the keyring does not know, is logged as `rejected-message`, never as what it claims; a
/// verbatim copy at another position as `replayed-message`; and the log, with its final signed tree
/// head, verifies against the keyring.
@Suite(.serialized) struct AuditorSignatureTests {
    @Test func forgedAndUnknownSendersAreRecordedAsRejected() async throws {
        try await withEmbeddedBroker { bootstrap in
            let catalog = try TopicCatalog.load(directory: try TopicsLocation.resolve(nil))
            try await RoleBus.createTopics(catalog: catalog, brokers: [bootstrap], singleBroker: true, logger: testLogger())
            let serverKey = EnvelopeSigner()
            let auditorKey = EnvelopeSigner()
            var keyring = Keyring()
            keyring.keys["server"] = serverKey.publicKeyBase64
            keyring.keys["auditor"] = auditorKey.publicKeyBase64
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("auditor-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let logURL = folder.appendingPathComponent("audit.log")

            let auditorBus = RoleBus(
                brokers: [bootstrap], catalog: catalog, runID: "t", sender: "auditor", signer: auditorKey,
                trust: .keyring(try KeyringVerifier(keyring)), logger: testLogger())
            let auditor = Task { try await AuditorRole(bus: auditorBus, logURL: logURL, keyring: keyring, logger: testLogger()).run() }

            func send(as sender: String, signer: EnvelopeSigner, status: String) async throws {
                let bus = RoleBus(
                    brokers: [bootstrap], catalog: catalog, runID: "t", sender: sender, signer: signer, trust: .insecure,
                    logger: testLogger())
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
            // A genuine message sent twice, verbatim, at two positions: the second is a replay.
            let replayed = try serverKey.sign(Envelope.make(
                Heartbeat(role: "server", instance: "server", publicKey: serverKey.publicKeyBase64, status: "replayed"),
                sender: "server", runID: "t", round: nil))
            for _ in 0..<2 {
                _ = try await raw.send(KafkaRecord(topic: catalog.topic(for: .heartbeat).name, key: nil, value: try EnvelopeCodec.encode(replayed)))
            }
            await raw.shutdown()

            var entries: [AuditEntry] = []
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                entries = (try? AuditQuery().entries(in: logURL)) ?? []
                if entries.filter({ $0.sender != "auditor" }).count >= 6 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            auditor.cancel()
            _ = await auditor.result

            let received = entries.filter { $0.sender != "auditor" && $0.type != "rejected-record" && $0.type != "replayed-message" }
            #expect(received.count == 4)
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
            #expect(entry("genuine")?.payloadJSON?.contains("genuine") == true)
            #expect(entry("genuine")?.signature != nil)
            #expect(entry("genuine")?.origin?.topic == catalog.topic(for: .heartbeat).name)
            #expect(entry("forged")?.type == "rejected-message")
            #expect(entry("unknown")?.type == "rejected-message")
            // The replay names the entry that first logged the message, and is logged once.
            let original = try #require(entry("replayed"))
            let replays = entries.filter { $0.type == "replayed-message" }
            #expect(replays.count == 1)
            #expect(replays.first?.messageID == replayed.id.description)
            #expect(replays.first?.payload == ["original_index": .exact(original.index), "message_type": "heartbeat"])
            #expect(replays.first?.origin != original.origin)
            // The log verifies against the keyring, covered to its end by the final tree head.
            let heads = try TreeHeadFile.read(folder.appendingPathComponent(TreeHeadFile.fileName))
            #expect(heads.last?.final == true)
            let report = try AuditVerifier.verify(logURL, heads: heads, keyring: keyring)
            #expect(report.signedEntries >= 3)
            #expect(report.anchoring == .covered)
        }
    }
}
}
