/// What ``ProtocolPublisher`` sent for one message.
public struct PublishReceipt: Sendable, Hashable {
    public var id: MessageID
    public var type: MessageType
    public var topic: String
    public var partition: Int32
    /// Offset of the last frame acknowledged.
    public var offset: Int64
    /// Kafka records the envelope took: 1, or the number of chunks.
    public var frames: Int
    /// Bytes of the encoded envelope (before chunking).
    public var bytes: Int
}
