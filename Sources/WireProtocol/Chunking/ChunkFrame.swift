/// One piece of a payload too large for a single Kafka record:
///
/// ```
/// "AFLC" | version u8 = 1 | payload id: 16 bytes | index u32 | count u32
/// | total length u64 | SHA-256 of the whole payload (32) | data (the rest of the frame)
/// ```
public struct ChunkFrame: Sendable, Hashable {
    static let magic: [UInt8] = Array("AFLC".utf8)
    static let version: UInt8 = 1
    /// Bytes before the data.
    public static let headerSize = 4 + 1 + 16 + 4 + 4 + 8 + 32

    public var payloadID: MessageID
    public var index: Int
    public var count: Int
    public var totalLength: Int
    /// SHA-256 of the whole reassembled payload.
    public var checksum: [UInt8]
    public var data: ArraySlice<UInt8>

    public init(payloadID: MessageID, index: Int, count: Int, totalLength: Int, checksum: [UInt8], data: ArraySlice<UInt8>) {
        self.payloadID = payloadID
        self.index = index
        self.count = count
        self.totalLength = totalLength
        self.checksum = checksum
        self.data = data
    }

    /// Whether `bytes` starts like a chunk frame.
    public static func isChunkFrame(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.starts(with: magic)
    }

    public func encoded() -> [UInt8] {
        var out = ByteWriter(reservingCapacity: Self.headerSize + data.count)
        out.write(Self.magic)
        out.write(Self.version)
        out.write(payloadID.bytes)
        out.write(UInt32(truncatingIfNeeded: index))
        out.write(UInt32(truncatingIfNeeded: count))
        out.write(UInt64(totalLength))
        out.write(checksum)
        out.write(data)
        return out.bytes
    }

    /// Reads a chunk frame, checking that its fields are self-consistent.
    public static func decode(_ bytes: [UInt8]) throws(ProtocolError) -> ChunkFrame {
        var reader = ByteReader(bytes)
        guard bytes.count >= magic.count else { throw .truncated(what: "chunk magic") }
        guard try Array(reader.readBytes(4, "chunk magic")) == magic else {
            throw .corrupt(reason: "not a chunk frame")
        }
        let version = try reader.read(UInt8.self, "chunk version")
        guard version == Self.version else { throw .corrupt(reason: "chunk frame version \(version) is not 1") }
        guard let payloadID = MessageID(bytes: try reader.readBytes(16, "chunk payload id")) else {
            throw .corrupt(reason: "chunk payload id")
        }
        let index = Int(try reader.read(UInt32.self, "chunk index"))
        let count = Int(try reader.read(UInt32.self, "chunk count"))
        let totalLength = try reader.read(UInt64.self, "chunk total length")
        let checksum = Array(try reader.readBytes(32, "chunk checksum"))
        guard count >= 1, index < count else {
            throw .corrupt(reason: "chunk index \(index) of \(count)")
        }
        guard totalLength <= UInt64(Int.max) else { throw .corrupt(reason: "chunk total length \(totalLength)") }
        let data = try reader.readBytes(reader.remaining, "chunk data")
        guard data.count <= totalLength else {
            throw .corrupt(reason: "chunk of \(data.count) bytes is larger than the whole payload (\(totalLength))")
        }
        return ChunkFrame(payloadID: payloadID, index: index, count: count, totalLength: Int(totalLength),
                          checksum: checksum, data: data)
    }
}
