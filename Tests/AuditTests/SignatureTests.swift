import Crypto
import Foundation
import Testing
import WireProtocol
@testable import Audit

@Suite struct SignatureTests {
    private let signedBytes = Data("envelope signing digest".utf8)

    private func append(_ log: AuditLog, signer: Curve25519.Signing.PrivateKey, claimedKey: Curve25519.Signing.PublicKey) throws {
        try log.append(
            type: "bid", round: 1, sender: "guardian-3", timestamp: 1,
            signature: try signer.signature(for: signedBytes).base64EncodedString(),
            publicKey: claimedKey.rawRepresentation.base64EncodedString(),
            signedData: signedBytes.base64EncodedString(),
            payload: ["clientID": 3]
        )
    }

    @Test func genuineSignaturesVerify() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        let key = Curve25519.Signing.PrivateKey()
        let log = try AuditLog.open(url)
        try append(log, signer: key, claimedKey: key.publicKey)
        // Without signedData, the signature covers the canonical payload.
        let payload: JSONValue = ["decision": "accept", "k": 2]
        try log.append(
            type: "audit-event", round: 1, sender: "server-agent", timestamp: 2,
            signature: try key.signature(for: CanonicalJSON.encode(payload)).base64EncodedString(),
            publicKey: key.publicKey.rawRepresentation.base64EncodedString(),
            payload: payload
        )
        log.close()
        #expect(try AuditVerifier.verify(url).signedEntries == 2)
    }

    @Test func signatureFromAnotherKeyIsFound() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("audit.log")
        let log = try AuditLog.open(url)
        try log.append(type: "rounds", round: 1, sender: "server-agent", timestamp: 0, payload: nil)
        try append(log, signer: Curve25519.Signing.PrivateKey(), claimedKey: Curve25519.Signing.PrivateKey().publicKey)
        log.close()

        #expect {
            try AuditVerifier.verify(url)
        } throws: { error in
            guard let failure = error as? AuditVerificationFailure, case .badSignature = failure.kind else { return false }
            return failure.line == 2 && failure.index == 1
        }
    }

    @Test func incompleteOrGarbledSignatureFieldsAreFound() throws {
        let dir = try TemporaryDirectory()
        let cases: [(signature: String?, publicKey: String?)] = [("bm90IGEga2V5", nil), (nil, "bm90IGEga2V5"), ("!!", "!!")]
        for (index, fields) in cases.enumerated() {
            let url = dir.file("audit-\(index).log")
            let log = try AuditLog.open(url)
            try log.append(type: "bid", round: 1, sender: "guardian-1", timestamp: 0, signature: fields.signature, publicKey: fields.publicKey, payload: .null)
            log.close()
            #expect {
                try AuditVerifier.verify(url)
            } throws: { error in
                guard let failure = error as? AuditVerificationFailure, case .badSignature = failure.kind else { return false }
                return failure.line == 1
            }
        }
    }
}
