import Foundation
import WireProtocol

/// A self-contained proof file about an audit log, as `agentfl audit prove` writes it and
/// `agentfl audit check-proof` reads it: JSON, one field per line, every value in canonical JSON.
///
/// - `inclusion` (``EntryInclusionProof``): `leafIndex`, `treeSize`, `leaf` (the entry's `hash`:
///   the Merkle leaf is that 32-byte digest, as the auditor's roots hash it), `leafHash`
///   (`SHA-256(0x00 ‖ leaf)`), `auditPath` (RFC 9162 §2.1.3, leaf level first), `entry` (the
///   whole entry, so its hash can be recomputed), `treeHead` (the signed head, with its
///   `publicKey` and `signature`).
/// - `consistency` (``TreeHeadConsistencyProof``): `firstSize`, `secondSize`, `consistencyPath`
///   (RFC 9162 §2.1.4), `firstHead`, `secondHead`.
///
/// Both carry `format`, `kind` and `hashing`, and refuse fields they do not know.
public enum AuditProof: Sendable, Hashable {
    case inclusion(EntryInclusionProof)
    case consistency(TreeHeadConsistencyProof)

    public enum Kind: String, Sendable {
        case inclusion, consistency
    }

    public static let format = "agentfl/audit-proof/v1"
    public static let hashing = "RFC 9162 section 2.1 with SHA-256: leaf hash = SHA-256(0x00 || leaf), node = SHA-256(0x01 || left || right)"
    public static let leafIs = "the entry's hash field as 32 bytes: the SHA-256 of the entry's canonical JSON without its hash"

    public var kind: Kind {
        switch self {
        case .inclusion: .inclusion
        case .consistency: .consistency
        }
    }

    /// The file's text: `{`, one `"field": value` per line in canonical JSON, `}`.
    public func text() throws(CanonicalJSONError) -> String {
        let members = switch self {
        case .inclusion(let proof): proof.members
        case .consistency(let proof): proof.members
        }
        var lines: [String] = []
        for (name, value) in members {
            lines.append("  " + (try CanonicalJSON.string(.string(name))) + ": " + (try CanonicalJSON.string(value)))
        }
        return "{\n" + lines.joined(separator: ",\n") + "\n}\n"
    }

    public static func parse(_ data: some Collection<UInt8>) throws(AuditProofFileError) -> AuditProof {
        let value: JSONValue
        do {
            value = try ExactJSONParser.parse(data)
        } catch {
            throw .notJSON(error.description)
        }
        guard case .object(let members) = value else { throw .notAProof("it is not a JSON object") }
        guard case .string(let format)? = members["format"], format == Self.format else {
            throw .notAProof("its \"format\" is not \"\(Self.format)\"")
        }
        guard case .string(let name)? = members["kind"], let kind = Kind(rawValue: name) else {
            throw .notAProof("its \"kind\" is neither \"inclusion\" nor \"consistency\"")
        }
        switch kind {
        case .inclusion:
            return .inclusion(try EntryInclusionProof(reading: ProofFieldReader(value, field: "proof", keys: EntryInclusionProof.keys)))
        case .consistency:
            return .consistency(try TreeHeadConsistencyProof(reading: ProofFieldReader(value, field: "proof", keys: TreeHeadConsistencyProof.keys)))
        }
    }

    public static func read(_ url: URL) throws(AuditProofFileError) -> AuditProof {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try parse(data)
    }
}
