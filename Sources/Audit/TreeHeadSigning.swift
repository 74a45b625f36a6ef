import Crypto
import Foundation
import WireProtocol

/// Signs and checks ``AuditRoot`` tree heads, and converts them to and from JSON.
///
/// The signing input is the UTF-8 of `"agentfl/audit-tree-head/v1"`, a zero byte, then the
/// canonical JSON (``CanonicalJSON``) of the object
/// `{chainHead, final, merkleRoot, round, runID, timestamp, treeSize}`; the auditor signs it
/// with its Ed25519 key (Ed25519 hashes internally). `publicKey` and `signature` are not part of
/// what is signed.
public enum TreeHeadSigning {
    public static let domain = "agentfl/audit-tree-head/v1"

    /// The bytes the auditor signs for `head`.
    public static func signingInput(_ head: AuditRoot) -> [UInt8] {
        let fields: JSONValue = [
            "chainHead": .string(head.chainHead), "final": .bool(head.final), "merkleRoot": .string(head.merkleRoot),
            "round": .exact(head.round), "runID": .string(head.runID), "timestamp": .integer(head.timestamp),
            "treeSize": .exact(head.treeSize),
        ]
        // Strings, booleans and integers always have a canonical form.
        return Array(domain.utf8) + [0] + ((try? CanonicalJSON.encode(fields)) ?? [])
    }

    /// `head` with the auditor's public key and signature filled in.
    public static func sign(_ head: AuditRoot, with key: Curve25519.Signing.PrivateKey) throws -> AuditRoot {
        var signed = head
        signed.publicKey = key.publicKey.rawRepresentation.base64EncodedString()
        signed.signature = try key.signature(for: signingInput(head)).base64EncodedString()
        return signed
    }

    /// Why `head`'s signature does not hold, or nil when it verifies — against the keyring's
    /// "auditor" key when a keyring is given, else against the key the head itself carries.
    public static func problem(with head: AuditRoot, keyring: Keyring?) -> String? {
        guard let keyBytes = Data(base64Encoded: head.publicKey),
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyBytes)
        else { return "its publicKey is not a base64 raw Ed25519 key" }
        guard let signature = Data(base64Encoded: head.signature) else { return "its signature is not base64" }
        guard key.isValidSignature(signature, for: signingInput(head)) else {
            return "its signature does not verify with its publicKey"
        }
        if let keyring {
            guard let auditor = keyring.publicKey(for: SenderName.auditor) else {
                return "the keyring lists no key for \"\(SenderName.auditor)\""
            }
            guard auditor.rawRepresentation == key.rawRepresentation else {
                return "it is signed by a key that is not the keyring's \"\(SenderName.auditor)\" key"
            }
        }
        return nil
    }

    /// The head as a JSON object (what a "tree-head" entry's payload and the heads file hold).
    public static func json(_ head: AuditRoot) -> JSONValue {
        [
            "chainHead": .string(head.chainHead), "final": .bool(head.final), "merkleRoot": .string(head.merkleRoot),
            "round": .exact(head.round), "runID": .string(head.runID), "timestamp": .integer(head.timestamp),
            "treeSize": .exact(head.treeSize), "publicKey": .string(head.publicKey), "signature": .string(head.signature),
        ]
    }

    /// Reads a head from its JSON object, or says which field is missing or wrong.
    public static func head(from value: JSONValue) -> Result<AuditRoot, AuditProblem> {
        guard case .object(let members) = value else { return .failure("a tree head is not a JSON object") }
        func string(_ name: String) -> String? { if case .string(let text)? = members[name] { text } else { nil } }
        func integer(_ name: String) -> Int64? {
            switch members[name] {
            case .integer(let whole)?: whole
            case .number(let number)?: Int64(exactly: number)
            default: nil
            }
        }
        guard let round = integer("round") else { return .failure("a tree head has no whole \"round\"") }
        guard let size = integer("treeSize"), size >= 0 else { return .failure("a tree head has no whole \"treeSize\"") }
        guard let root = string("merkleRoot") else { return .failure("a tree head has no \"merkleRoot\" string") }
        guard let chainHead = string("chainHead") else { return .failure("a tree head has no \"chainHead\" string") }
        guard let runID = string("runID") else { return .failure("a tree head has no \"runID\" string") }
        guard let timestamp = integer("timestamp") else { return .failure("a tree head has no whole \"timestamp\"") }
        guard case .bool(let final)? = members["final"] else { return .failure("a tree head has no boolean \"final\"") }
        guard let publicKey = string("publicKey"), let signature = string("signature") else {
            return .failure("a tree head is unsigned (no \"publicKey\" and \"signature\"): unsigned roots prove nothing")
        }
        return .success(AuditRoot(
            round: Int(round), treeSize: Int(size), merkleRoot: root, chainHead: chainHead, runID: runID,
            timestamp: timestamp, final: final, publicKey: publicKey, signature: signature))
    }
}
