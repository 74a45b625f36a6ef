/// Splits an encoded envelope into Kafka-sized frames. A payload that fits one frame is returned
/// unchanged (it needs no reassembly); a larger one becomes ``ChunkFrame``s that all carry the
/// payload id, their index and count, the total length and the SHA-256 of the whole.
public struct Chunker: Sendable {
    /// 1 MiB: well below Kafka's default `message.max.bytes`, so chunks cross any broker unchanged.
    public static let defaultMaximumFrameSize = 1 << 20

    /// Largest Kafka record value this chunker produces.
    public let maximumFrameSize: Int

    /// `maximumFrameSize` is raised to at least the chunk header plus one byte.
    public init(maximumFrameSize: Int = Chunker.defaultMaximumFrameSize) {
        self.maximumFrameSize = max(maximumFrameSize, ChunkFrame.headerSize + 1)
    }

    /// Payload bytes per chunk.
    public var chunkDataSize: Int { maximumFrameSize - ChunkFrame.headerSize }

    /// Whether `byteCount` bytes must be split.
    public func needsChunking(_ byteCount: Int) -> Bool { byteCount > maximumFrameSize }

    /// The frames to send for `payload`: `[payload]` if it fits, else chunk frames.
    public func frames(for payload: [UInt8], payloadID: MessageID = MessageID()) -> [[UInt8]] {
        guard needsChunking(payload.count) else { return [payload] }
        let checksum = SHA256Digest.bytes(of: payload)
        let size = chunkDataSize
        let count = (payload.count + size - 1) / size
        return (0..<count).map { index in
            let start = index * size
            let end = min(start + size, payload.count)
            return ChunkFrame(payloadID: payloadID, index: index, count: count, totalLength: payload.count,
                              checksum: checksum, data: payload[start..<end]).encoded()
        }
    }
}
