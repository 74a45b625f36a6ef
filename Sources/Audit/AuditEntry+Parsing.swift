import Foundation
import WireProtocol

extension AuditEntry {
    /// Reads an entry from one line of the log.
    ///
    /// - Returns: the entry and the hash its content calls for, computed over the line's
    ///   own fields (all except `hash`, including any field this version does not know),
    ///   so any edit to the line that did not also recompute the hash shows.
    /// - Throws: ``AuditLineError`` when the line is not JSON, not an object, lacks a
    ///   field or has a field of the wrong kind.
    static func parse(line: some Collection<UInt8>) throws(AuditLineError) -> (entry: AuditEntry, computedHash: String) {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(line))
        } catch {
            throw .notJSON
        }
        guard case .object(var members) = value else { throw .notAnObject }
        let fields = FieldReader(members: members)
        let entry = AuditEntry(
            index: try fields.integer(Field.index),
            prev: try fields.string(Field.prev),
            hash: try fields.string(Field.hash),
            type: try fields.string(Field.type),
            round: try fields.optionalInteger(Field.round),
            sender: try fields.string(Field.sender),
            timestamp: try fields.integer(Field.timestamp),
            messageID: try fields.optionalString(Field.messageID),
            signature: try fields.optionalString(Field.signature),
            publicKey: try fields.optionalString(Field.publicKey),
            signedData: try fields.optionalString(Field.signedData),
            payload: try fields.value(Field.payload),
            recordedAt: try fields.integer(Field.recordedAt)
        )
        members[Field.hash] = nil
        do {
            return (entry, try hash(ofContent: .object(members)))
        } catch {
            throw .invalidValue(field: "payload", reason: error.description)
        }
    }

    /// Typed access to the members of a parsed line.
    private struct FieldReader {
        let members: [String: JSONValue]

        func value(_ name: String) throws(AuditLineError) -> JSONValue {
            guard let value = members[name] else { throw .missingField(name) }
            return value
        }

        func string(_ name: String) throws(AuditLineError) -> String {
            guard case .string(let text) = try value(name) else { throw .wrongKind(field: name, expected: "a string") }
            return text
        }

        func integer(_ name: String) throws(AuditLineError) -> Int {
            guard case .number(let number) = try value(name), let whole = Int(exactly: number) else {
                throw .wrongKind(field: name, expected: "a whole number")
            }
            return whole
        }

        func optionalString(_ name: String) throws(AuditLineError) -> String? {
            guard members[name] != nil else { return nil }
            return try string(name)
        }

        func optionalInteger(_ name: String) throws(AuditLineError) -> Int? {
            guard members[name] != nil else { return nil }
            return try integer(name)
        }
    }
}
