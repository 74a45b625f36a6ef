import WireProtocol

/// The one byte-exact JSON form the audit chain hashes.
///
/// Hashes must not depend on a JSON library's choices (key order, spacing, escaping,
/// number spelling), so entries are serialised here by fixed rules:
/// - objects with keys sorted by their UTF-8 bytes, no whitespace anywhere;
/// - strings as UTF-8 with only `"`, `\` and control characters (< U+0020) escaped —
///   `\b \f \n \r \t` by name, others as `\u00XX`;
/// - ``JSONValue/integer(_:)`` and ``JSONValue/unsigned(_:)`` as their exact decimal digits
///   (a `UInt64` seed of 2^64−1 is `18446744073709551615`); a ``JSONValue/number(_:)`` that is
///   a whole value representable as `Int64` as plain digits (`3`, `-0` as `0`), any other
///   finite number as Swift's shortest round-trip spelling (`0.1`, `1e-07`, `1e+20`); NaN and
///   infinities are refused, as JSON has no spelling for them.
///
/// Reading such text back with ``ExactJSONParser`` and serialising again gives the same bytes
/// (``parse(_:)``), which is what lets the verifier recompute a hash from a line of the log.
public enum CanonicalJSON {
    /// The canonical bytes of `value`.
    public static func encode(_ value: JSONValue) throws(CanonicalJSONError) -> [UInt8] {
        var out: [UInt8] = []
        try write(value, into: &out, path: "$")
        return out
    }

    /// Reads JSON text exactly (see ``ExactJSONParser``).
    public static func parse(_ bytes: some Collection<UInt8>) throws(ExactJSONParser.Failure) -> JSONValue {
        try ExactJSONParser.parse(bytes)
    }

    /// The canonical text of `value`.
    public static func string(_ value: JSONValue) throws(CanonicalJSONError) -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }

    private static func write(_ value: JSONValue, into out: inout [UInt8], path: String) throws(CanonicalJSONError) {
        switch value {
        case .null:
            out.append(contentsOf: "null".utf8)
        case .bool(let flag):
            out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number):
            guard number.isFinite else { throw .nonFiniteNumber(path: path) }
            out.append(contentsOf: spelling(of: number).utf8)
        case .integer(let whole):
            out.append(contentsOf: String(whole).utf8)
        case .unsigned(let whole):
            out.append(contentsOf: String(whole).utf8)
        case .string(let text):
            writeString(text, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (offset, element) in elements.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                try write(element, into: &out, path: "\(path)[\(offset)]")
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (offset, key) in keys.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                if let member = members[key] {
                    try write(member, into: &out, path: "\(path).\(key)")
                }
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func spelling(of number: Double) -> String {
        if let whole = Int64(exactly: number) {
            return String(whole)
        }
        return number.description
    }

    private static func writeString(_ text: String, into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case 0x08: out.append(contentsOf: "\\b".utf8)
            case 0x0C: out.append(contentsOf: "\\f".utf8)
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0x00..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
