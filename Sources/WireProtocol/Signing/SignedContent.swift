import Foundation

/// Exactly what an envelope's Ed25519 signature covers (frame version 2), in a form an auditor can
/// keep: the header fields, the payload's JSON metadata verbatim, and the SHA-256 of each binary
/// attachment instead of the attachment itself.
///
/// So a log that stores these fields (not the tensors) can recompute the signed digest and check the
/// signature long after the message was sent, and any edit of the logged JSON breaks it. The digest
/// is SHA-256 over, little-endian:
///
/// ```
/// "agentfl/envelope-signature/v2" | 0x00
/// | type: u8 length + UTF-8 | schema version u16 | message id 16 bytes
/// | sender: u8 length + UTF-8 | run id: u8 length + UTF-8
/// | round flag u8 (0/1) | round i64 (if flagged) | timestamp ms i64
/// | JSON length u64 | JSON | attachment count u32 | 32-byte SHA-256 per attachment
/// ```
public struct SignedContent: Sendable, Hashable {
    /// Separates these digests from any other SHA-256 use of the same key.
    public static let domain = "agentfl/envelope-signature/v2"

    public var type: String
    public var schemaVersion: Int
    public var messageID: MessageID
    public var sender: String
    public var runID: String
    public var round: Int?
    public var timestampMilliseconds: Int64
    /// The payload's JSON metadata, byte for byte as sent.
    public var json: [UInt8]
    /// SHA-256 of each attachment's bytes (``TensorBinaryFormat``), in attachment order.
    public var attachmentDigests: [[UInt8]]

    public init(
        type: String, schemaVersion: Int, messageID: MessageID, sender: String, runID: String, round: Int?,
        timestampMilliseconds: Int64, json: [UInt8], attachmentDigests: [[UInt8]]
    ) {
        self.type = type
        self.schemaVersion = schemaVersion
        self.messageID = messageID
        self.sender = sender
        self.runID = runID
        self.round = round
        self.timestampMilliseconds = timestampMilliseconds
        self.json = json
        self.attachmentDigests = attachmentDigests
    }

    /// The 32-byte SHA-256 the sender signs. Throws for fields that do not fit their width.
    public func digest() throws(ProtocolError) -> [UInt8] {
        for (name, value) in [("message type", type), ("sender", sender), ("run id", runID)] where value.utf8.count > 255 {
            throw .corrupt(reason: "\(name) '\(value.prefix(40))...' is longer than 255 bytes")
        }
        guard (0...Int(UInt16.max)).contains(schemaVersion) else {
            throw .corrupt(reason: "schema version \(schemaVersion) does not fit 16 bits")
        }
        guard attachmentDigests.allSatisfy({ $0.count == 32 }) else {
            throw .corrupt(reason: "an attachment digest is not 32 bytes")
        }
        var out = ByteWriter(reservingCapacity: 128 + json.count + 32 * attachmentDigests.count)
        out.write(Array(Self.domain.utf8))
        out.write(UInt8(0))
        out.writeShortString(type)
        out.write(UInt16(schemaVersion))
        out.write(messageID.bytes)
        out.writeShortString(sender)
        out.writeShortString(runID)
        if let round {
            out.write(UInt8(1))
            out.write(Int64(round))
        } else {
            out.write(UInt8(0))
        }
        out.write(timestampMilliseconds)
        out.write(UInt64(json.count))
        out.write(json)
        out.write(UInt32(attachmentDigests.count))
        for digest in attachmentDigests { out.write(digest) }
        return SHA256Digest.bytes(of: out.bytes)
    }
}
