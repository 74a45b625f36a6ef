/// A JSON value of any shape: free-form detail in audit events and decision inputs that the
/// protocol carries without interpreting.
///
/// Numbers come in three cases so whole numbers stay exact: ``integer(_:)`` (any `Int64`),
/// ``unsigned(_:)`` (a `UInt64` above `Int64.max`, e.g. a seed of 2^64−1) and ``number(_:)``
/// (a `Double`). Equality and hashing compare numbers by value, not by case, so
/// `.integer(3) == .number(3)`, while `.unsigned(UInt64.max) != .number(Double(UInt64.max))`
/// (the double is 2^64). Decoding through `Codable` yields `.number` as it always has (a
/// `Decoder` does not show the number's text); the audit module's exact parser yields the
/// integer cases for integer text.
public enum JSONValue: Sendable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    /// A whole number that fits `Int64`, kept exactly.
    case integer(Int64)
    /// A whole number above `Int64.max` that fits `UInt64`, kept exactly.
    case unsigned(UInt64)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// `value` as `.integer`, or as `.unsigned` when it exceeds `Int64.max`.
    public static func exact(_ value: some BinaryInteger) -> JSONValue {
        if let signed = Int64(exactly: value) { return .integer(signed) }
        if let unsigned = UInt64(exactly: value) { return .unsigned(unsigned) }
        return .number(Double(value))
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .unsigned(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue: Hashable {
    /// A number's value in the one form it is compared and hashed by.
    private enum NumericValue: Hashable {
        case signed(Int64)
        case unsigned(UInt64)
        case double(Double)
    }

    private var numericValue: NumericValue? {
        switch self {
        case .integer(let value): return .signed(value)
        case .unsigned(let value): return Int64(exactly: value).map(NumericValue.signed) ?? .unsigned(value)
        case .number(let value):
            if let signed = Int64(exactly: value) { return .signed(signed) }
            if let unsigned = UInt64(exactly: value) { return .unsigned(unsigned) }
            return .double(value)
        default: return nil
        }
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)): a == b
        default: lhs.numericValue != nil && lhs.numericValue == rhs.numericValue
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(1); hasher.combine(value)
        case .string(let value): hasher.combine(2); hasher.combine(value)
        case .array(let value): hasher.combine(3); hasher.combine(value)
        case .object(let value): hasher.combine(4); hasher.combine(value)
        case .number, .integer, .unsigned: hasher.combine(5); hasher.combine(numericValue)
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .integer(Int64(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
