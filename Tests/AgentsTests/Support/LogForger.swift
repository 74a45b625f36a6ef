import Audit
import Crypto
import Foundation
@testable import Agents
import WireProtocol

/// What an attacker holding every key of a run can do to its audit log: rewrite entries' payloads,
/// re-sign each with its sender's own key, and rebuild the hash chain. The tree heads are left out
/// (re-signing them too would only add the auditor's key to what the attacker holds), so the
/// forged log verifies as an intact, unanchored chain: what is wrong is a decision, not the log.
struct LogForger {
    /// The run's output folder: `audit.log` and `keys/`.
    let run: URL

    /// Writes the forged log to `destination`, with `change` applied to the payload JSON of each
    /// entry it returns a new text for. Returns the forged log's index of the first changed entry.
    @discardableResult
    func forge(to destination: URL, _ change: (AuditEntry) throws -> String?) throws -> Int {
        let entries = try AuditQuery().entries(in: run.appendingPathComponent("audit.log"))
        let keys = try Self.keys(in: run.appendingPathComponent("keys"))
        try? FileManager.default.removeItem(at: destination)
        let log = try AuditLog.open(destination)
        defer { log.close() }
        var first: Int?
        for var entry in entries where entry.type != "tree-head" {
            if let json = try change(entry) {
                guard let publicKey = entry.publicKey, let key = keys[publicKey], let id = entry.messageID.flatMap(MessageID.init),
                      let runID = entry.runID, let schemaVersion = entry.schemaVersion
                else { throw ForgeryError("entry \(entry.index) is not a signed message") }
                let content = SignedContent(
                    type: entry.type, schemaVersion: schemaVersion, messageID: id, sender: entry.sender, runID: runID,
                    round: entry.round, timestampMilliseconds: Int64(entry.timestamp), json: Array(json.utf8),
                    attachmentDigests: (entry.attachments ?? []).map { Array(Hex.bytes($0) ?? []) })
                entry.payloadJSON = json
                entry.payload = try ReadablePayload.derive(json: json, attachments: entry.attachments ?? [])
                entry.signature = try key.signature(for: content.digest()).base64EncodedString()
                let written = try log.append(entry)
                first = first ?? written.index
            } else {
                try log.append(entry)
            }
        }
        guard let first else { throw ForgeryError("nothing was changed") }
        return first
    }

    /// An assignment's payload with `edit` applied.
    static func assignment(_ entry: AuditEntry, _ edit: (inout Assignment) -> Void) throws -> String {
        try rewrite(entry, as: Assignment.self, edit)
    }

    /// A round's metrics with `edit` applied.
    static func metrics(_ entry: AuditEntry, _ edit: (inout RoundMetrics) -> Void) throws -> String {
        try rewrite(entry, as: RoundMetrics.self, edit)
    }

    private static func rewrite<T: Codable>(_ entry: AuditEntry, as _: T.Type, _ edit: (inout T) -> Void) throws -> String {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .deferredToDate
        var message = try decoder.decode(T.self, from: Data((entry.payloadJSON ?? "").utf8))
        edit(&message)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .deferredToDate
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(message), as: UTF8.self)
    }

    /// Every private key of the run, by its base64 public key.
    private static func keys(in folder: URL) throws -> [String: Curve25519.Signing.PrivateKey] {
        var keys: [String: Curve25519.Signing.PrivateKey] = [:]
        for file in try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil) where file.pathExtension == "key" {
            let key = try SigningKeyFile.load(from: file)
            keys[key.publicKey.rawRepresentation.base64EncodedString()] = key
        }
        return keys
    }
}

struct ForgeryError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
