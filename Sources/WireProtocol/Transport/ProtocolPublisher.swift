import KafkaTransport
import Logging

/// Publishes protocol messages: wraps each in an ``Envelope`` (signed if a signer is given),
/// encodes it, sends it to the catalog's topic for its type, and splits it into chunk frames when it
/// exceeds the chunker's frame size.
///
/// Record keys: the caller's key, else the message's ``ProtocolMessage/recordKey``, else the sender
/// (for `sender`-keyed topics) or the round, else the message id. Chunks of one envelope all go to
/// one partition, chosen from that key, and carry the key `<key>/chunk-<i>-of-<n>` so that log
/// compaction keeps every chunk.
public final class ProtocolPublisher: Sendable {
    public let producer: KafkaProducer
    public let catalog: TopicCatalog
    /// The envelope sender, e.g. "server" or "guardian-7".
    public let sender: String
    /// The run every envelope is stamped with.
    public let runID: String
    public let signer: EnvelopeSigner?
    public let chunker: Chunker
    private let logger: Logger

    public init(
        producer: KafkaProducer, catalog: TopicCatalog, sender: String, runID: String, signer: EnvelopeSigner? = nil,
        chunker: Chunker = Chunker(), logger: Logger
    ) {
        self.producer = producer
        self.catalog = catalog
        self.sender = sender
        self.runID = runID
        self.signer = signer
        self.chunker = chunker
        self.logger = logger
    }

    /// Creates its own producer from `configuration`.
    public convenience init(
        configuration: KafkaProducerConfiguration, catalog: TopicCatalog, sender: String, runID: String,
        signer: EnvelopeSigner? = nil, chunker: Chunker = Chunker(), logger: Logger
    ) throws(KafkaError) {
        self.init(producer: try KafkaProducer(configuration: configuration, logger: logger), catalog: catalog,
                  sender: sender, runID: runID, signer: signer, chunker: chunker, logger: logger)
    }

    /// Sends `message` and waits until every frame is acknowledged. The envelope's round is the one
    /// the message is about (``ProtocolMessage/authorship``); a caller that names another round gets
    /// ``ProtocolError/bindingMismatch(sender:type:reason:)`` rather than a message receivers would
    /// refuse. Throws ``ProtocolError`` if it cannot be encoded, `KafkaError` if it cannot be delivered.
    @discardableResult
    public func publish(_ message: some ProtocolMessage, round: Int? = nil, key: String? = nil) async throws -> MessageID {
        try await publishReporting(message, round: round, key: key).id
    }

    /// Like ``publish(_:round:key:)``, and says where the frames went and how large they were.
    public func publishReporting<Message: ProtocolMessage>(
        _ message: Message, round: Int? = nil, key: String? = nil
    ) async throws -> PublishReceipt {
        let stated = message.authorship.round
        if let round, let stated, round != stated {
            throw ProtocolError.bindingMismatch(
                sender: sender, type: Message.messageType,
                reason: "asked to send it under round \(round), its payload is about round \(stated)")
        }
        var envelope = try Envelope.make(message, sender: sender, runID: runID, round: stated ?? round)
        if let signer { envelope = try signer.sign(envelope) }
        return try await publish(envelope: envelope, key: key ?? message.recordKey)
    }

    /// Sends an already built envelope (signed or not, as it is).
    public func publish(envelope: Envelope, key: String? = nil) async throws -> PublishReceipt {
        let topic = catalog.topic(for: envelope.type)
        let recordKey = key ?? defaultKey(for: envelope, topic: topic)
        let encoded = try EnvelopeCodec.encode(envelope)
        let frames = chunker.frames(for: encoded, payloadID: envelope.id)
        var headers = [
            KafkaHeader(key: RecordHeaders.type, value: Array(envelope.type.rawValue.utf8)),
            KafkaHeader(key: RecordHeaders.id, value: Array(envelope.id.description.utf8)),
            KafkaHeader(key: RecordHeaders.sender, value: Array(envelope.sender.utf8)),
        ]
        if frames.count == 1 {
            let report = try await producer.send(
                KafkaRecord(topic: topic.name, key: Array(recordKey.utf8), value: encoded, headers: headers))
            logger.trace("published", metadata: ["type": "\(envelope.type)", "id": "\(envelope.id)", "bytes": "\(encoded.count)"])
            return PublishReceipt(id: envelope.id, type: envelope.type, topic: topic.name, partition: report.partition,
                                  offset: report.offset, frames: 1, bytes: encoded.count)
        }
        let partition = Self.partition(forKey: recordKey, partitions: topic.partitions)
        let count = frames.count
        let producer = self.producer
        let lastOffset = try await withThrowingTaskGroup(of: Int64.self) { group in
            for (index, frame) in frames.enumerated() {
                headers.removeAll { $0.key == RecordHeaders.chunk }
                headers.append(KafkaHeader(key: RecordHeaders.chunk, value: Array("\(index + 1)/\(count)".utf8)))
                let record = KafkaRecord(
                    topic: topic.name, key: Array("\(recordKey)/chunk-\(index)-of-\(count)".utf8), value: frame,
                    headers: headers, partition: partition)
                group.addTask { try await producer.send(record).offset }
            }
            var last: Int64 = -1
            for try await offset in group { last = max(last, offset) }
            return last
        }
        logger.debug("published in chunks", metadata: [
            "type": "\(envelope.type)", "id": "\(envelope.id)", "bytes": "\(encoded.count)", "frames": "\(count)",
        ])
        return PublishReceipt(id: envelope.id, type: envelope.type, topic: topic.name, partition: partition,
                              offset: lastOffset, frames: count, bytes: encoded.count)
    }

    /// Flushes and closes the producer.
    public func shutdown() async {
        await producer.shutdown()
    }

    private func defaultKey(for envelope: Envelope, topic: TopicDefinition) -> String {
        switch topic.key {
        case .sender: envelope.sender
        case .round: envelope.round.map(String.init) ?? envelope.id.description
        case .clientID, .modelVersion: envelope.id.description
        }
    }

    /// A stable partition for `key` (FNV-1a), so every chunk of one envelope lands on one partition.
    static func partition(forKey key: String, partitions: Int32) -> Int32 {
        var hash: UInt32 = 2_166_136_261
        for byte in key.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return Int32(hash % UInt32(max(1, partitions)))
    }
}
