import Crypto
import Foundation
import Testing
import WireProtocol
@testable import Audit

/// Signed entries keep what their sender signed; `verify` rebuilds the signed digest from the
/// entry's own fields, so editing any of them shows even when the chain is recomputed.
@Suite struct SignatureTests {
    private let run = SignedRun()

    private func failure(_ url: URL, keyring: Keyring? = nil) -> AuditVerificationFailure? {
        do {
            _ = try AuditVerifier.verify(url, keyring: keyring)
            return nil
        } catch {
            return error
        }
    }

    /// Rewrites line `number` (1-based) with `edit`, then recomputes the hash chain from there on,
    /// as a forger who knows the published scheme would.
    private func forge(_ url: URL, line number: Int, _ edit: (inout AuditEntry) -> Void) throws {
        var entries = try AuditQuery().entries(in: url)
        edit(&entries[number - 1])
        for index in (number - 1)..<entries.count {
            if index > 0 { entries[index].prev = entries[index - 1].hash }
            entries[index].hash = try entries[index].computedHash()
        }
        try SampleLog.write(lines: entries.map { try $0.canonicalLine() }, to: url)
    }

    @Test func genuineSignaturesVerifyWithTheKeyring() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        try run.write(to: url)
        let report = try AuditVerifier.verify(url, keyring: run.keyring)
        #expect(report.signedEntries == 6)
        #expect(report.keysFromKeyring)
        let withoutKeyring = try AuditVerifier.verify(url)
        #expect(!withoutKeyring.keysFromKeyring)
        #expect(withoutKeyring.description.contains("TAKEN FROM THE LOG"))
        // The update's tensor is shown by attachment index and digest; the auditor's note is apart.
        let update = try #require(try AuditQuery(type: "client-update").entries(in: url).first)
        #expect(update.attachments?.count == 1)
        #expect(try CanonicalJSON.string(update.payload).contains(#"{"attachment":0,"sha256":"\#(update.attachments?[0] ?? "")"}"#))
        #expect(update.auditorNotes == ["note": "auditor's own"])
    }

    @Test func editedPayloadWithRecomputedChainIsFound() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        try run.write(to: url)
        try forge(url, line: 1) { entry in
            guard case .object(var payload) = entry.payload else { return }
            payload["askPrice"] = 0.01
            entry.payload = .object(payload)
        }
        let found = try #require(failure(url))
        #expect(found.kind == .payloadMismatch("the readable payload is not what the signed payloadJSON says"))
        #expect(found.index == 0)
    }

    @Test func editedVerbatimJSONIsFound() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        try run.write(to: url)
        // Both the verbatim JSON and the readable payload derived from it: only the signature can tell.
        try forge(url, line: 1) { entry in
            entry.payloadJSON = entry.payloadJSON?.replacingOccurrences(of: #""askPrice":1.25"#, with: #""askPrice":0.01"#)
            entry.payload = try! ReadablePayload.derive(json: entry.payloadJSON!, attachments: entry.attachments!)
        }
        let found = try #require(failure(url))
        guard case .badSignature = found.kind else { Issue.record("\(found)"); return }
        #expect(found.index == 0)
    }

    @Test func editedSignedHeaderFieldsAreFound() throws {
        let edits: [(String, (inout AuditEntry) -> Void)] = [
            ("run id", { $0.runID = "run-2" }),
            ("round", { $0.round = 6 }),
            ("sender", { $0.sender = "guardian-4" }),
            ("timestamp", { $0.timestamp += 1 }),
            ("schema version", { $0.schemaVersion = 9 }),
            ("message id", { $0.messageID = MessageID().description }),
            ("attachment digest", { $0.attachments = [String(repeating: "0", count: 64)] }),
            ("type", { $0.type = "assignment" }),
        ]
        for (name, edit) in edits {
            let dir = try TemporaryDirectory()
            let url = dir.file("audit.log")
            try run.write(to: url)
            try forge(url, line: 2, edit)
            let found = try #require(failure(url, keyring: run.keyring), "\(name)")
            switch found.kind {
            case .badSignature, .wrongKey: #expect(found.index == 1, "\(name)")
            default: Issue.record("\(name): \(found)")
            }
        }
    }

    @Test func signatureFromAKeyNotInTheKeyringIsFound() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        let mallory = EnvelopeSigner()
        let log = try AuditLog.open(url)
        let forged = try run.envelope(
            AuditEvent(kind: "selection", round: 1), sender: "server", round: 1, signer: mallory)
        try log.append(AuditEntry.recording(forged, publicKey: mallory.publicKeyBase64, origin: nil))
        log.close()
        // Consistent by itself: the key in the entry did sign it.
        #expect(try AuditVerifier.verify(url).signedEntries == 1)
        #expect(failure(url, keyring: run.keyring)?.kind
            == .wrongKey(sender: "server", reason: "the entry's key is not the one the keyring lists for this sender"))
    }

    @Test func signatureThatDoesNotMatchItsKeyIsFound() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        let log = try AuditLog.open(url)
        try log.append(type: "rounds", round: 1, sender: "server", timestamp: 0, payload: nil)
        try log.append(AuditEntry.recording(try run.bid(round: 1, ask: 2), publicKey: EnvelopeSigner().publicKeyBase64, origin: nil))
        log.close()
        let found = try #require(failure(url))
        guard case .badSignature = found.kind else { Issue.record("\(found)"); return }
        #expect(found.line == 2 && found.index == 1)
    }

    /// With a keyring every logged message must be signed: stripping the signature (and then
    /// editing) does not pass the entry off as one of the auditor's unsigned records.
    @Test func strippedSignatureIsFoundWithTheKeyring() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        try run.write(to: url, final: false)
        try forge(url, line: 1) { entry in
            entry.signature = nil
            entry.publicKey = nil
            entry.payload = ["askPrice": 0.01]
        }
        #expect(failure(url, keyring: run.keyring)?.kind == .unsignedMessage(type: "bid"))
    }

    @Test func incompleteOrGarbledSignatureFieldsAreFound() throws {
        let dir = try TemporaryDirectory()
        let cases: [(signature: String?, publicKey: String?)] = [("bm90IGEga2V5", nil), (nil, "bm90IGEga2V5"), ("!!", "!!")]
        for (index, fields) in cases.enumerated() {
            let url = dir.file("audit-\(index).log")
            let log = try AuditLog.open(url)
            try log.append(type: "bid", round: 1, sender: "guardian-1", timestamp: 0, signature: fields.signature, publicKey: fields.publicKey, payload: .null)
            log.close()
            let found = try #require(failure(url))
            guard case .badSignature = found.kind else { Issue.record("\(found)"); continue }
            #expect(found.line == 1)
        }
        // Signed, but a field the signature needs is gone.
        let url = dir.file("audit-missing.log")
        try run.write(to: url, final: false)
        try forge(url, line: 1) { $0.payloadJSON = nil }
        #expect(failure(url)?.kind == .badSignature("a signed entry has no payloadJSON"))
    }
}
