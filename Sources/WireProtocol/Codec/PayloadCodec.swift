import Foundation

/// Encodes a ``ProtocolMessage`` as an envelope payload:
///
/// ```
/// json length u32 | JSON metadata (sorted keys) | attachment count u32
/// | repeated: attachment length u64 | tensor in TensorBinaryFormat
/// ```
/// Each ``Tensor`` field appears in the JSON as `{"attachment": n}`. Dates are JSON numbers:
/// seconds since 2001-01-01 (Foundation's reference date), which round-trips a `Date` exactly.
public enum PayloadCodec {
    public static func encode<Message: ProtocolMessage>(_ message: Message) throws(ProtocolError) -> [UInt8] {
        let attachments = AttachmentWriter()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .deferredToDate
        encoder.userInfo[.protocolAttachments] = attachments
        let json: Data
        do {
            json = try encoder.encode(message)
        } catch let error as ProtocolError {
            throw error
        } catch {
            throw .payload(type: Message.messageType.rawValue, reason: "\(error)")
        }
        guard json.count <= UInt32.max else {
            throw .payload(type: Message.messageType.rawValue, reason: "JSON metadata of \(json.count) bytes exceeds 4 GiB")
        }
        let tensors = attachments.collected
        let size = 8 + json.count + tensors.reduce(0) { $0 + 8 + TensorBinaryFormat.encodedSize(of: $1) }
        var out = ByteWriter(reservingCapacity: size)
        out.write(UInt32(json.count))
        out.write(json)
        out.write(UInt32(tensors.count))
        for tensor in tensors {
            out.write(UInt64(TensorBinaryFormat.encodedSize(of: tensor)))
            try TensorBinaryFormat.append(tensor, to: &out.bytes)
        }
        return out.bytes
    }

    /// A payload's two parts: the JSON metadata and the attachments' bytes, each a slice of `payload`.
    public struct Parts {
        public var json: ArraySlice<UInt8>
        public var attachments: [ArraySlice<UInt8>]
    }

    /// Splits a payload into its JSON and attachments without decoding either (what a signature covers).
    public static func split(_ payload: [UInt8]) throws(ProtocolError) -> Parts {
        let (json, ranges) = try layout(of: payload)
        return Parts(json: payload[json], attachments: ranges.map { payload[$0] })
    }

    private static func layout(of payload: [UInt8]) throws(ProtocolError) -> (json: Range<Int>, attachments: [Range<Int>]) {
        var reader = ByteReader(payload)
        let jsonLength = Int(try reader.read(UInt32.self, "payload JSON length"))
        let jsonStart = reader.position
        _ = try reader.readBytes(jsonLength, "payload JSON")
        let attachmentCount = Int(try reader.read(UInt32.self, "payload attachment count"))
        var ranges: [Range<Int>] = []
        for index in 0..<attachmentCount {
            let length = try reader.read(UInt64.self, "length of attachment \(index)")
            guard length <= UInt64(reader.remaining) else { throw .truncated(what: "attachment \(index)") }
            let start = reader.position
            _ = try reader.readBytes(Int(length), "attachment \(index)")
            ranges.append(start..<(start + Int(length)))
        }
        guard reader.isAtEnd else {
            throw .corrupt(reason: "\(reader.remaining) unexpected bytes after the payload's attachments")
        }
        return (jsonStart..<(jsonStart + jsonLength), ranges)
    }

    public static func decode<Message: ProtocolMessage>(
        _: Message.Type, from payload: [UInt8]
    ) throws(ProtocolError) -> Message {
        let (json, ranges) = try layout(of: payload)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .deferredToDate
        decoder.userInfo[.protocolAttachments] = AttachmentReader(payload: payload, ranges: ranges)
        do {
            return try decoder.decode(Message.self, from: Data(payload[json]))
        } catch let error as ProtocolError {
            throw error
        } catch {
            throw .payload(type: Message.messageType.rawValue, reason: describe(error))
        }
    }

    /// A one-line account of a decoding error, naming the coding path.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context)
            return "missing field '\(at.isEmpty ? key.stringValue : at + "." + key.stringValue)'"
        case .typeMismatch(let type, let context):
            return "field '\(path(context))' is not a \(type)"
        case .valueNotFound(let type, let context):
            return "field '\(path(context))' is null, expected \(type)"
        case .dataCorrupted(let context):
            let underlying = context.underlyingError.map { " (\($0))" } ?? ""
            return "\(context.debugDescription)\(underlying) at '\(path(context))'"
        @unknown default:
            return "\(error)"
        }
    }
}
