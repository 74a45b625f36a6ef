import WireProtocol

extension AuditEntry {
    /// Reads an entry from one line of the log, with integers exact (``ExactJSONParser``).
    ///
    /// - Returns: the entry and the hash its content calls for, computed over the line's
    ///   own fields (all except `hash`, including any field this version does not know),
    ///   so any edit to the line that did not also recompute the hash shows.
    /// - Throws: ``AuditLineError`` when the line is not JSON, not an object, lacks a
    ///   field or has a field of the wrong kind.
    static func parse(line: some Collection<UInt8>) throws(AuditLineError) -> (entry: AuditEntry, computedHash: String) {
        let value: JSONValue
        do {
            value = try ExactJSONParser.parse(line)
        } catch {
            throw .notJSON
        }
        guard case .object(var members) = value else { throw .notAnObject }
        let fields = FieldReader(members: members)
        var origin: AuditOrigin?
        if let json = members[Field.origin] {
            guard let parsed = AuditOrigin(json: json) else {
                throw .wrongKind(field: Field.origin, expected: "an object of topic, partition and offset")
            }
            origin = parsed
        }
        let entry = AuditEntry(
            index: try fields.integer(Field.index),
            prev: try fields.string(Field.prev),
            hash: try fields.string(Field.hash),
            type: try fields.string(Field.type),
            round: try fields.optionalInteger(Field.round),
            sender: try fields.string(Field.sender),
            timestamp: try fields.integer(Field.timestamp),
            messageID: try fields.optionalString(Field.messageID),
            runID: try fields.optionalString(Field.runID),
            schemaVersion: try fields.optionalInteger(Field.schemaVersion),
            payloadJSON: try fields.optionalString(Field.payloadJSON),
            attachments: try fields.optionalStrings(Field.attachments),
            signature: try fields.optionalString(Field.signature),
            publicKey: try fields.optionalString(Field.publicKey),
            payload: try fields.value(Field.payload),
            auditorNotes: members[Field.auditorNotes],
            origin: origin,
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
            switch try value(name) {
            case .integer(let whole): return Int(whole)
            // Logs written before integers were kept exactly may spell them as doubles.
            case .number(let number): if let whole = Int(exactly: number) { return whole }
            default: break
            }
            throw .wrongKind(field: name, expected: "a whole number")
        }

        func optionalString(_ name: String) throws(AuditLineError) -> String? {
            guard members[name] != nil else { return nil }
            return try string(name)
        }

        func optionalStrings(_ name: String) throws(AuditLineError) -> [String]? {
            guard let member = members[name] else { return nil }
            guard case .array(let items) = member else { throw .wrongKind(field: name, expected: "an array of strings") }
            var strings: [String] = []
            for item in items {
                guard case .string(let text) = item else { throw .wrongKind(field: name, expected: "an array of strings") }
                strings.append(text)
            }
            return strings
        }

        func optionalInteger(_ name: String) throws(AuditLineError) -> Int? {
            guard members[name] != nil else { return nil }
            return try integer(name)
        }
    }
}
