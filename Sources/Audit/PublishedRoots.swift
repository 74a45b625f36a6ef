import Foundation
import WireProtocol

/// Reads published per-round roots for ``AuditVerifier/verify(_:publishedRoots:)``.
///
/// Accepted forms (what a person or the auditor would write down):
/// - an object mapping round to hex root: `{"0": "ab12…", "1": "…"}`;
/// - an array of ``AuditRoot``-shaped objects: `[{"round": 0, "merkleRoot": "ab12…"}, …]`
///   (`root` is accepted for `merkleRoot`);
/// - JSON Lines of such objects, one per line (e.g. the audit-roots topic dumped).
public enum PublishedRoots {
    public static func parse(_ data: Data) throws(PublishedRootsError) -> [Int: String] {
        if let whole = try? JSONDecoder().decode(JSONValue.self, from: data) {
            return try roots(in: whole, line: nil)
        }
        var roots: [Int: String] = [:]
        for (offset, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() {
            guard !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) else { continue }
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(line)) else {
                throw .notJSON(line: offset + 1)
            }
            try roots.merge(self.roots(in: value, line: offset + 1)) { _, new in new }
        }
        return roots
    }

    /// Reads the file at `url`.
    public static func read(_ url: URL) throws(PublishedRootsError) -> [Int: String] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try parse(data)
    }

    private static func roots(in value: JSONValue, line: Int?) throws(PublishedRootsError) -> [Int: String] {
        switch value {
        case .array(let items):
            var roots: [Int: String] = [:]
            for item in items { try roots.merge(self.roots(in: item, line: line)) { _, new in new } }
            return roots
        case .object(let members) where members["round"] != nil:
            guard case .number(let number)? = members["round"], let round = Int(exactly: number) else {
                throw .invalid(line: line, reason: "\"round\" is not a whole number")
            }
            guard case .string(let root)? = members["merkleRoot"] ?? members["root"] else {
                throw .invalid(line: line, reason: "round \(round) has no \"merkleRoot\" string")
            }
            return [round: root]
        case .object(let members):
            var roots: [Int: String] = [:]
            for (key, member) in members {
                guard let round = Int(key), case .string(let root) = member else {
                    throw .invalid(line: line, reason: "expected \"<round>\": \"<hex root>\", got key \"\(key)\"")
                }
                roots[round] = root
            }
            return roots
        default:
            throw .invalid(line: line, reason: "expected an object or an array of objects")
        }
    }
}
