import Foundation

/// The envelope frame, version 2 (integers little-endian):
///
/// ```
/// "AFLE" | frame version u8 = 2 | flags u8 (bit 0: round present)
/// | type: u8 length + UTF-8 | schema version u16 | message id: 16 bytes
/// | sender: u8 length + UTF-8 | run id: u8 length + UTF-8
/// | round i64 (if flagged) | timestamp: ms since 1970, i64
/// | payload length u64 | payload
/// | SHA-256 of all the bytes above (32)           <- the frame checksum
/// | signature length u8 (0 = unsigned) | signature over ``SignedContent/digest()``
/// ```
/// Version 2 added the run id and moved the signature from the frame checksum to
/// ``SignedContent``, which an audit log can recompute without the tensors. Frames of any other
/// version are refused with ``ProtocolError/unsupportedFrameVersion(got:supported:)``.
/// Decoding checks structure, then the checksum, then the type and its schema version, so a flipped
/// bit shows up as a checksum mismatch rather than as a strange type.
public enum EnvelopeCodec {
    static let magic: [UInt8] = Array("AFLE".utf8)
    static let frameVersion: UInt8 = 2
    private static let roundFlag: UInt8 = 1

    /// Whether `bytes` starts like an envelope frame (as opposed to a chunk frame or foreign data).
    public static func looksLikeEnvelope(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.starts(with: magic)
    }

    public static func encode(_ envelope: Envelope) throws(ProtocolError) -> [UInt8] {
        try encode(typeName: envelope.type.rawValue, envelope: envelope)
    }

    /// Encodes with an arbitrary type name; tests use it to forge frames of unknown types.
    static func encode(typeName: String, envelope: Envelope) throws(ProtocolError) -> [UInt8] {
        var frame = try canonicalBytes(typeName: typeName, of: envelope, extraCapacity: 32 + 1 + 64)
        let checksum = frame.withUnsafeBytes { SHA256Digest.bytes(of: $0) }
        frame.append(contentsOf: checksum)
        if let signature = envelope.signature {
            guard (1...255).contains(signature.count) else {
                throw .corrupt(reason: "signature of \(signature.count) bytes does not fit the frame")
            }
            frame.append(UInt8(signature.count))
            frame.append(contentsOf: signature)
        } else {
            frame.append(0)
        }
        return frame
    }

    private static func canonicalBytes(
        typeName: String, of envelope: Envelope, extraCapacity: Int
    ) throws(ProtocolError) -> [UInt8] {
        guard typeName.utf8.count <= 255 else { throw .corrupt(reason: "message type name longer than 255 bytes") }
        guard envelope.sender.utf8.count <= 255 else {
            throw .corrupt(reason: "sender '\(envelope.sender.prefix(40))...' is longer than 255 bytes")
        }
        guard envelope.runID.utf8.count <= 255 else {
            throw .corrupt(reason: "run id '\(envelope.runID.prefix(40))...' is longer than 255 bytes")
        }
        guard (0...Int(UInt16.max)).contains(envelope.schemaVersion) else {
            throw .corrupt(reason: "schema version \(envelope.schemaVersion) does not fit 16 bits")
        }
        var out = ByteWriter(reservingCapacity: 64 + typeName.utf8.count + envelope.sender.utf8.count
                             + envelope.runID.utf8.count + envelope.payload.count + extraCapacity)
        out.write(magic)
        out.write(frameVersion)
        out.write(envelope.round == nil ? 0 : roundFlag)
        out.writeShortString(typeName)
        out.write(UInt16(envelope.schemaVersion))
        out.write(envelope.id.bytes)
        out.writeShortString(envelope.sender)
        out.writeShortString(envelope.runID)
        if let round = envelope.round { out.write(Int64(round)) }
        out.write(envelope.timestamp.millisecondsSince1970)
        out.write(UInt64(envelope.payload.count))
        out.write(envelope.payload)
        return out.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(ProtocolError) -> Envelope {
        try decode(bytes[...])
    }

    public static func decode(_ bytes: ArraySlice<UInt8>) throws(ProtocolError) -> Envelope {
        var reader = ByteReader(bytes)
        guard bytes.count >= magic.count else { throw .truncated(what: "envelope magic") }
        guard try Array(reader.readBytes(4, "envelope magic")) == magic else {
            throw .corrupt(reason: "not an envelope frame (magic \(SHA256Digest.hexString(bytes.prefix(4))))")
        }
        let version = try reader.read(UInt8.self, "envelope frame version")
        guard version == frameVersion else {
            throw .unsupportedFrameVersion(got: Int(version), supported: Int(frameVersion))
        }
        let flags = try reader.read(UInt8.self, "envelope flags")
        guard flags & ~roundFlag == 0 else { throw .corrupt(reason: "unknown envelope flags \(flags)") }
        let typeName = try reader.readShortString("message type")
        let schemaVersion = Int(try reader.read(UInt16.self, "schema version"))
        let idBytes = try reader.readBytes(16, "message id")
        let sender = try reader.readShortString("sender")
        let runID = try reader.readShortString("run id")
        let round: Int? = flags & roundFlag != 0 ? Int(truncatingIfNeeded: try reader.read(Int64.self, "round")) : nil
        let milliseconds = try reader.read(Int64.self, "timestamp")
        let payloadLength = try reader.read(UInt64.self, "payload length")
        guard payloadLength <= UInt64(reader.remaining) else {
            throw .truncated(what: "payload (\(payloadLength) bytes declared, \(reader.remaining) present)")
        }
        let payload = try reader.readBytes(Int(payloadLength), "payload")
        let canonicalEnd = reader.position
        let checksum = try reader.readBytes(32, "envelope checksum")
        let signatureLength = Int(try reader.read(UInt8.self, "signature length"))
        let signature = try reader.readBytes(signatureLength, "signature")
        guard reader.isAtEnd else { throw .corrupt(reason: "\(reader.remaining) bytes after the envelope frame") }

        let actual = bytes[bytes.startIndex..<canonicalEnd].withUnsafeBytes { SHA256Digest.bytes(of: $0) }
        guard actual.elementsEqual(checksum) else { throw .checksumMismatch(what: "envelope from '\(sender)'") }
        guard let type = MessageType(rawValue: typeName) else { throw .unknownMessageType(typeName) }
        guard schemaVersion == type.schemaVersion else {
            throw .unsupportedSchemaVersion(type: type, got: schemaVersion, supported: type.schemaVersion)
        }
        guard let id = MessageID(bytes: idBytes) else { throw .corrupt(reason: "message id is not 16 bytes") }
        return Envelope(
            id: id, type: type, schemaVersion: schemaVersion, sender: sender, runID: runID, round: round,
            timestamp: Date(millisecondsSince1970: milliseconds),
            signature: signatureLength == 0 ? nil : Array(signature), payload: Array(payload))
    }
}
