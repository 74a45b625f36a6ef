import Foundation

/// Reads one `topics/*.json` file, naming the file and the field in every error.
enum TopicFileParser {
    static let fields = [
        "name", "partitions", "replicationFactor", "retentionMs", "cleanupPolicy", "key",
        "messageType", "schemaVersion", "description",
    ]

    static func parse(_ data: Data, file: URL) throws(TopicCatalogError) -> TopicDefinition {
        let path = file.path
        let object: [String: JSONValue]
        do {
            object = try JSONDecoder().decode([String: JSONValue].self, from: data)
        } catch let error as DecodingError {
            if case .typeMismatch = error {
                throw .invalidJSON(file: path, reason: "the top level must be an object")
            }
            throw .invalidJSON(file: path, reason: PayloadCodec.describe(error))
        } catch {
            throw .invalidJSON(file: path, reason: "\(error)")
        }
        for key in object.keys.sorted() where !fields.contains(key) {
            throw .unknownField(file: path, field: key)
        }
        func value(_ field: String) throws(TopicCatalogError) -> JSONValue {
            guard let value = object[field] else { throw .missingField(file: path, field: field) }
            return value
        }
        func string(_ field: String) throws(TopicCatalogError) -> String {
            guard case .string(let text) = try value(field) else {
                throw .invalidField(file: path, field: field, reason: "must be a string")
            }
            return text
        }
        func integer(_ field: String, in range: ClosedRange<Int64>) throws(TopicCatalogError) -> Int64 {
            guard case .number(let number) = try value(field), number.rounded() == number,
                  number >= Double(range.lowerBound), number <= Double(range.upperBound)
            else {
                throw .invalidField(file: path, field: field, reason: "must be an integer in \(range.lowerBound)...\(range.upperBound)")
            }
            return Int64(number)
        }

        let name = try string("name")
        guard !name.isEmpty, name.utf8.count <= 249,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
        else {
            throw .invalidField(file: path, field: "name", reason: "must be 1-249 characters of [a-zA-Z0-9._-], not '\(name)'")
        }
        guard case .number(let partitionValue) = try value("partitions"), partitionValue.rounded() == partitionValue,
              abs(partitionValue) < 1e9
        else {
            throw .invalidField(file: path, field: "partitions", reason: "must be an integer")
        }
        guard partitionValue >= 1, partitionValue <= Double(Int32.max) else {
            throw .invalidPartitions(file: path, value: Int(partitionValue))
        }
        let replication = try integer("replicationFactor", in: 1...Int64(Int16.max))
        let retention = try integer("retentionMs", in: -1...Int64.max / 2)
        let cleanupText = try string("cleanupPolicy")
        guard let cleanup = TopicDefinition.CleanupPolicy(rawValue: cleanupText) else {
            throw .invalidField(file: path, field: "cleanupPolicy", reason: "must be \"delete\" or \"compact\", not '\(cleanupText)'")
        }
        let keyText = try string("key")
        guard let key = TopicDefinition.RecordKey(rawValue: keyText) else {
            let known = TopicDefinition.RecordKey.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidField(file: path, field: "key", reason: "must be one of \(known), not '\(keyText)'")
        }
        let typeText = try string("messageType")
        guard let type = MessageType(rawValue: typeText) else { throw .unknownMessageType(file: path, value: typeText) }
        let schemaVersion = try integer("schemaVersion", in: 1...Int64(UInt16.max))
        let description = try string("description")
        return TopicDefinition(
            name: name, partitions: Int32(partitionValue), replicationFactor: Int16(replication), retentionMs: retention,
            cleanupPolicy: cleanup, key: key, messageType: type, schemaVersion: Int(schemaVersion),
            description: description, file: file)
    }
}
