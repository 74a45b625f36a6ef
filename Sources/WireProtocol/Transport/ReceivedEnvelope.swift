import KafkaTransport

/// A message a ``ProtocolSubscriber`` hands to its handler: checked, reassembled, de-duplicated
/// and decoded once.
public struct ReceivedEnvelope: Sendable {
    public let envelope: Envelope
    /// The decoded payload; its dynamic type is `envelope.type.payloadType`.
    public let message: any ProtocolMessage
    public let topic: String
    public let partition: Int32
    /// Offset of the record that completed the message (the last chunk, if chunked).
    public let offset: Int64
    /// Kafka records the message took.
    public let frames: Int
    /// Bytes of the encoded envelope.
    public let bytes: Int

    /// The payload as `Message`; throws ``ProtocolError/wrongMessageType(expected:got:)`` otherwise.
    public func message<Message: ProtocolMessage>(as _: Message.Type = Message.self) throws(ProtocolError) -> Message {
        guard let typed = message as? Message else {
            throw .wrongMessageType(expected: Message.messageType, got: envelope.type)
        }
        return typed
    }
}
