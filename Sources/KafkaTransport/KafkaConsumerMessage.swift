import struct Foundation.Date

/// A record read by a `KafkaConsumer`; its bytes are copied out of librdkafka.
public struct KafkaConsumerMessage: Sendable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let key: [UInt8]?
    public let value: [UInt8]
    public let headers: [KafkaHeader]
    /// Producer or broker timestamp, when the record carries one.
    public let timestamp: Date?

    public init(
        topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8],
        headers: [KafkaHeader], timestamp: Date?
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// The first header with this key, if any.
    public func header(_ key: String) -> [UInt8]? {
        headers.first { $0.key == key }?.value
    }
}
