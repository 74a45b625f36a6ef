import Foundation
import WireProtocol

/// Reads the members of a proof file's JSON object strictly: exactly the fields the format
/// names, each of its one form (integers as integer text, hashes as 64 lowercase hex digits), so
/// no byte of a proof can change without the reading or the checking noticing.
struct ProofFieldReader {
    let members: [String: JSONValue]
    /// Where these members are, for messages: "" at the top, else e.g. "treeHead.".
    let prefix: String

    init(_ value: JSONValue, field: String, prefix: String = "", keys: Set<String>) throws(AuditProofFileError) {
        guard case .object(let members) = value else { throw .malformed(field: field, reason: "is not a JSON object") }
        if let unknown = members.keys.filter({ !keys.contains($0) }).sorted().first {
            throw .malformed(field: prefix + unknown, reason: "is not a field of this proof format")
        }
        if let missing = keys.subtracting(members.keys).sorted().first {
            throw .malformed(field: prefix + missing, reason: "is missing")
        }
        self.members = members
        self.prefix = prefix
    }

    func value(_ name: String) -> JSONValue { members[name] ?? .null }

    func string(_ name: String) throws(AuditProofFileError) -> String {
        guard case .string(let text) = value(name) else { throw .malformed(field: prefix + name, reason: "is not a string") }
        return text
    }

    /// `name` must hold exactly `expected`.
    func constant(_ name: String, _ expected: String) throws(AuditProofFileError) {
        guard try string(name) == expected else {
            throw .malformed(field: prefix + name, reason: "is not \"\(expected)\", the only value this format knows")
        }
    }

    func integer(_ name: String) throws(AuditProofFileError) -> Int {
        guard case .integer(let whole) = value(name), let exact = Int(exactly: whole) else {
            throw .malformed(field: prefix + name, reason: "is not a whole number written as one")
        }
        return exact
    }

    func hash(_ name: String) throws(AuditProofFileError) -> [UInt8] {
        try Self.hash(string(name), field: prefix + name)
    }

    func hashes(_ name: String) throws(AuditProofFileError) -> [[UInt8]] {
        guard case .array(let items) = value(name) else { throw .malformed(field: prefix + name, reason: "is not an array of hashes") }
        var hashes: [[UInt8]] = []
        for (position, item) in items.enumerated() {
            guard case .string(let text) = item else { throw .malformed(field: "\(prefix)\(name)[\(position)]", reason: "is not a string") }
            hashes.append(try Self.hash(text, field: "\(prefix)\(name)[\(position)]"))
        }
        return hashes
    }

    /// A signed tree head, with exactly the fields ``TreeHeadSigning/json(_:)`` writes.
    func head(_ name: String) throws(AuditProofFileError) -> AuditRoot {
        let value = value(name)
        let fields = try ProofFieldReader(value, field: prefix + name, prefix: "\(prefix)\(name).", keys: Self.headKeys)
        for integer in ["round", "treeSize", "timestamp"] { _ = try fields.integer(integer) }
        for hex in ["merkleRoot", "chainHead"] { _ = try fields.hash(hex) }
        switch TreeHeadSigning.head(from: value) {
        case .success(let head): return head
        case .failure(let problem): throw .malformed(field: prefix + name, reason: problem.description)
        }
    }

    static let headKeys: Set<String> = ["chainHead", "final", "merkleRoot", "round", "runID", "timestamp", "treeSize", "publicKey", "signature"]

    static func hash(_ text: String, field: String) throws(AuditProofFileError) -> [UInt8] {
        guard text.utf8.count == 2 * MerkleHash.size, text.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
              let bytes = Hex.bytes(text)
        else { throw .malformed(field: field, reason: "is not a hash: 64 lowercase hex digits") }
        return bytes
    }
}
