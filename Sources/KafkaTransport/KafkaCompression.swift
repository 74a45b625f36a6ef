/// Compression codec applied by the producer to each batch (`compression.codec`).
public enum KafkaCompression: String, Sendable, Hashable, CaseIterable {
    case none
    case lz4
    case zstd
}
