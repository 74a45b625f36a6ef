/// One record header: a UTF-8 key and opaque bytes.
public struct KafkaHeader: Sendable, Hashable {
    public var key: String
    public var value: [UInt8]

    public init(key: String, value: [UInt8]) {
        self.key = key
        self.value = value
    }
}
