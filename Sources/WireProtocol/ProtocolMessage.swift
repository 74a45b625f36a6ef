/// A message payload that travels inside an ``Envelope``.
///
/// Metadata is encoded as JSON; ``Tensor`` fields travel as binary attachments next to it (see
/// ``PayloadCodec``), so a conforming type only has to be `Codable`.
public protocol ProtocolMessage: Codable, Sendable {
    /// The envelope type that carries this payload; also selects the topic in the catalog.
    static var messageType: MessageType { get }
    /// Bumped whenever the payload's encoding changes incompatibly.
    static var schemaVersion: Int { get }
    /// The Kafka record key this message naturally has (client id, round, model version...), used
    /// when the publisher is not given one. `nil` lets the publisher choose from the topic's key kind.
    var recordKey: String? { get }
    /// Who may send this message and which round (and run) it is about; the subscriber checks it
    /// against the envelope before any handler sees the message.
    var authorship: Authorship { get }
}

extension ProtocolMessage {
    public var recordKey: String? { nil }
}
