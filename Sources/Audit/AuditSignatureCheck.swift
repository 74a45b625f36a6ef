import Crypto
import Foundation
import WireProtocol

/// Checks a signed entry end to end: rebuilds the ``SignedContent`` its sender signed from the
/// entry's own fields, verifies the Ed25519 signature against the entry's `publicKey`, checks
/// (with a keyring) that this key is the one the run's keyring lists for the sender, and that
/// the readable `payload` is exactly what `payloadJSON` and `attachments` give.
enum AuditSignatureCheck {
    enum Outcome: Equatable {
        case unsigned
        case valid
        case invalid(AuditVerificationFailure.Kind)
    }

    static func check(_ entry: AuditEntry, keyring: Keyring?) -> Outcome {
        switch (entry.signature, entry.publicKey) {
        case (nil, nil):
            return .unsigned
        case (nil, _?):
            return .invalid(.badSignature("publicKey present without signature"))
        case (_?, nil):
            return .invalid(.badSignature("signature present without publicKey"))
        case let (signature?, publicKey?):
            return check(entry, signature: signature, publicKey: publicKey, keyring: keyring)
        }
    }

    private static func check(_ entry: AuditEntry, signature: String, publicKey: String, keyring: Keyring?) -> Outcome {
        guard let signatureBytes = Data(base64Encoded: signature) else {
            return .invalid(.badSignature("signature is not base64"))
        }
        guard let keyBytes = Data(base64Encoded: publicKey),
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyBytes)
        else {
            return .invalid(.badSignature("publicKey is not a base64 raw Ed25519 key"))
        }
        let content: SignedContent
        switch signedContent(of: entry) {
        case .success(let value): content = value
        case .failure(let reason): return .invalid(.badSignature(reason.description))
        }
        let digest: [UInt8]
        do {
            digest = try content.digest()
        } catch {
            return .invalid(.badSignature("the signed content cannot be rebuilt: \(error)"))
        }
        guard key.isValidSignature(signatureBytes, for: digest) else {
            return .invalid(.badSignature(
                "the signature does not verify over the entry's signed fields (type, schemaVersion, messageID, sender, runID, round, timestamp, payloadJSON, attachments)"))
        }
        if let keyring {
            guard let listed = keyring.publicKey(for: entry.sender) else {
                return .invalid(.wrongKey(sender: entry.sender, reason: "the keyring lists no key for this sender"))
            }
            guard listed.rawRepresentation == key.rawRepresentation else {
                return .invalid(.wrongKey(sender: entry.sender, reason: "the entry's key is not the one the keyring lists for this sender"))
            }
        }
        let readable: JSONValue
        do {
            readable = try ReadablePayload.derive(json: entry.payloadJSON ?? "", attachments: entry.attachments ?? [])
        } catch {
            return .invalid(.payloadMismatch(error.description))
        }
        guard (try? CanonicalJSON.encode(readable)) == (try? CanonicalJSON.encode(entry.payload)) else {
            return .invalid(.payloadMismatch("the readable payload is not what the signed payloadJSON says"))
        }
        return .valid
    }

    /// The ``SignedContent`` a signed entry's fields describe, or what is missing.
    static func signedContent(of entry: AuditEntry) -> Result<SignedContent, AuditProblem> {
        guard let messageID = entry.messageID else { return .failure("a signed entry has no messageID") }
        guard let id = MessageID(messageID) else { return .failure("messageID \"\(messageID)\" is not a message id") }
        guard let runID = entry.runID else { return .failure("a signed entry has no runID") }
        guard let schemaVersion = entry.schemaVersion else { return .failure("a signed entry has no schemaVersion") }
        guard let json = entry.payloadJSON else { return .failure("a signed entry has no payloadJSON") }
        guard let attachments = entry.attachments else { return .failure("a signed entry has no attachments list") }
        var digests: [[UInt8]] = []
        for hex in attachments {
            guard let bytes = Hex.bytes(hex), bytes.count == 32 else {
                return .failure("attachment digest \"\(hex)\" is not 32 bytes of hex")
            }
            digests.append(bytes)
        }
        return .success(SignedContent(
            type: entry.type, schemaVersion: schemaVersion, messageID: id, sender: entry.sender, runID: runID,
            round: entry.round, timestampMilliseconds: Int64(entry.timestamp), json: Array(json.utf8),
            attachmentDigests: digests))
    }
}
