import Foundation

/// A guardian's per-client state on disk (privacy ledgers, bidding states): one JSON object keyed
/// by client id, written atomically so a crash leaves the old file or the new one, never half.
enum ClientStateFile {
    /// Why the file could not be read or written, in words the caller puts in its own error.
    struct Problem: Error {
        var reason: String
    }

    static func read<Value: Decodable>(_: Value.Type, from url: URL) throws(Problem) -> [Int: Value] {
        let kept: [String: Value]
        do {
            kept = try JSONDecoder().decode([String: Value].self, from: Data(contentsOf: url))
        } catch {
            throw Problem(reason: "cannot read it: \(error)")
        }
        var values: [Int: Value] = [:]
        for (key, value) in kept {
            guard let client = Int(key) else { throw Problem(reason: "\"\(key)\" is not a client id") }
            values[client] = value
        }
        return values
    }

    static func write<Value: Encodable>(_ values: [Int: Value], to url: URL) throws(Problem) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            let data = try encoder.encode(Dictionary(uniqueKeysWithValues: values.map { (String($0.key), $0.value) }))
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw Problem(reason: "cannot write it: \(error.localizedDescription)")
        }
    }
}
