import WireProtocol

/// The readable `payload` of a signed entry, derived from what the sender signed: the payload's
/// JSON metadata parsed exactly, with each tensor reference `{"attachment": n}` shown as
/// `{"attachment": n, "sha256": "<hex digest of attachment n>"}`.
///
/// Derived, not chosen: `verify` recomputes it from `payloadJSON` and `attachments` and requires
/// the logged `payload` to equal it, so the readable form cannot say anything the signature
/// does not cover.
public enum ReadablePayload {
    /// Why a payload's JSON could not be made readable.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    public static func derive(json: String, attachments: [String]) throws(Failure) -> JSONValue {
        let parsed: JSONValue
        do {
            parsed = try ExactJSONParser.parse(json)
        } catch {
            throw Failure(description: "payloadJSON is not JSON: \(error)")
        }
        return try annotate(parsed, attachments: attachments)
    }

    private static func annotate(_ value: JSONValue, attachments: [String]) throws(Failure) -> JSONValue {
        switch value {
        case .object(let members):
            if members.count == 1, let reference = members["attachment"] {
                guard case .integer(let index) = reference, index >= 0, index < attachments.count else {
                    throw Failure(description: "attachment reference \(reference) names no attachment of \(attachments.count)")
                }
                return ["attachment": .integer(index), "sha256": .string(attachments[Int(index)])]
            }
            var out: [String: JSONValue] = [:]
            for (key, member) in members { out[key] = try annotate(member, attachments: attachments) }
            return .object(out)
        case .array(let elements):
            var out: [JSONValue] = []
            out.reserveCapacity(elements.count)
            for element in elements { out.append(try annotate(element, attachments: attachments)) }
            return .array(out)
        default:
            return value
        }
    }
}
