import Foundation

/// A dense float32 tensor: the parameters of a model or of a client update.
///
/// Inside a protocol payload it never becomes JSON numbers: ``PayloadCodec`` moves it into a
/// binary attachment (``TensorBinaryFormat``) and leaves `{"attachment": n}` in the JSON. Encoded
/// with a plain `JSONEncoder` it falls back to `{"shape": [...], "dtype": "float32", "data": base64}`.
public struct Tensor: Sendable, Hashable {
    public var shape: [Int]
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }

    /// A one-dimensional tensor.
    public init(_ values: [Float]) {
        self.init(shape: [values.count], values: values)
    }

    /// The number of elements the shape implies, or `nil` if a dimension is negative or the product overflows.
    public var elementCountFromShape: Int? { Self.elementCount(of: shape) }

    /// Whether the shape matches the number of values.
    public var isConsistent: Bool { elementCountFromShape == values.count }

    /// The little-endian float32 bytes of `values` (what ``sha256Hex`` covers).
    public var littleEndianBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 4)
        TensorBinaryFormat.appendLittleEndian(values, to: &out)
        return out
    }

    /// Lowercase hex SHA-256 of the little-endian float32 bytes: the digest that `GlobalModel`
    /// and `ClientUpdate` carry and that the audit log records.
    public var sha256Hex: String {
        #if _endian(little)
        values.withUnsafeBytes { SHA256Digest.hex(of: $0) }
        #else
        SHA256Digest.hex(of: littleEndianBytes)
        #endif
    }

    static func elementCount(of shape: [Int]) -> Int? {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }
}

extension Tensor: Codable {
    private enum CodingKeys: String, CodingKey {
        case attachment, shape, dtype, data
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let index = try container.decodeIfPresent(Int.self, forKey: .attachment) {
            guard let attachments = decoder.userInfo[.protocolAttachments] as? AttachmentReader else {
                throw DecodingError.dataCorruptedError(
                    forKey: .attachment, in: container,
                    debugDescription: "tensor refers to attachment \(index) but the payload has no attachments")
            }
            self = try attachments.tensor(at: index)
            return
        }
        let encoded = try container.decode(String.self, forKey: .data)
        guard let raw = Data(base64Encoded: encoded) else {
            throw DecodingError.dataCorruptedError(forKey: .data, in: container, debugDescription: "not base64")
        }
        self = try TensorBinaryFormat.decode(Array(raw)[...])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if let attachments = encoder.userInfo[.protocolAttachments] as? AttachmentWriter {
            try container.encode(attachments.append(self), forKey: .attachment)
            return
        }
        try container.encode(shape, forKey: .shape)
        try container.encode("float32", forKey: .dtype)
        try container.encode(Data(TensorBinaryFormat.encode(self)).base64EncodedString(), forKey: .data)
    }
}
