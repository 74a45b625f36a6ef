import KafkaTransport
import Logging
import Synchronization

/// Reads protocol messages from a `KafkaConsumer`: reassembles chunked envelopes, decodes and
/// checks them, skips ids already handled, and calls the handler once per message.
///
/// Delivery is at-least-once with de-duplication:
/// - an offset is committed only after the handler returned for that record, or after the record
///   was rejected or recognised as a duplicate (a poison record must not block its partition);
/// - while a chunk set is incomplete, no offset at or after its first chunk is committed in that
///   partition, so a restart re-reads the whole set;
/// - a handler that throws stops ``run(handler:)`` with that error and leaves the record
///   uncommitted, so it is redelivered after a restart;
/// - the ids of handled messages go to the ``DeduplicationStore`` (use ``PersistentDeduplicator``
///   to survive a restart), so a redelivered message is not handled twice.
///
/// Bad records (truncated, corrupt, unknown type, unsupported version, checksum mismatch, bad
/// payload, bad or missing signature) are logged and counted in ``rejections``.
public final class ProtocolSubscriber: Sendable {
    public let consumer: KafkaConsumer
    public let deduplication: any DeduplicationStore
    public let signatures: SignaturePolicy
    private let reassemblyLimits: Reassembler.Limits
    private let logger: Logger
    private let stats = Mutex(SubscriberStatistics())
    /// True while a record is being processed (handler and commit), so cancellation can wait for it.
    private let busy = BusyFlag()
    /// False for a consumer without a group id: it has nowhere to commit to.
    private let commitsOffsets: Bool

    public init(
        consumer: KafkaConsumer, deduplication: any DeduplicationStore = InMemoryDeduplicator(),
        signatures: SignaturePolicy = .ignore, reassemblyLimits: Reassembler.Limits = Reassembler.Limits(),
        logger: Logger
    ) {
        self.consumer = consumer
        self.deduplication = deduplication
        self.signatures = signatures
        self.reassemblyLimits = reassemblyLimits
        self.logger = logger
        switch consumer.configuration.subscription {
        case .group: self.commitsOffsets = true
        case .partitions(_, _, let groupID): self.commitsOffsets = groupID != nil
        }
    }

    /// Creates its own consumer from `configuration`.
    public convenience init(
        configuration: KafkaConsumerConfiguration, deduplication: any DeduplicationStore = InMemoryDeduplicator(),
        signatures: SignaturePolicy = .ignore, reassemblyLimits: Reassembler.Limits = Reassembler.Limits(),
        logger: Logger
    ) throws(KafkaError) {
        self.init(consumer: try KafkaConsumer(configuration: configuration, logger: logger),
                  deduplication: deduplication, signatures: signatures, reassemblyLimits: reassemblyLimits,
                  logger: logger)
    }

    /// A consumer-group configuration reading the catalog's topics for `types`.
    public static func groupConfiguration(
        bootstrapServers: [String], groupID: String, types: [MessageType], catalog: TopicCatalog
    ) -> KafkaConsumerConfiguration {
        KafkaConsumerConfiguration(
            bootstrapServers: bootstrapServers,
            subscription: .group(id: groupID, topics: catalog.topicNames(for: types)))
    }

    /// Rejected records by reason so far.
    public var rejections: [RejectionReason: Int] { stats.withLock { $0.rejections } }

    /// All counters so far.
    public var statistics: SubscriberStatistics { stats.withLock { $0 } }

    /// Closes the consumer; ``run(handler:)`` then returns.
    public func close() async {
        await consumer.close()
    }

    /// Reads until the consumer is closed or the task is cancelled (then returns normally), or the
    /// handler throws (then rethrows, leaving that record uncommitted).
    public func run(handler: (ReceivedEnvelope) async throws -> Void) async throws {
        try await run(onRejection: { _ in }, handler: handler)
    }

    /// As ``run(handler:)``, and tells `onRejection` about every record it rejects, before that
    /// record's offset is committed (the auditor records them, so nothing is dropped unseen).
    public func run(
        onRejection: @escaping @Sendable (RejectedRecord) async -> Void,
        handler: (ReceivedEnvelope) async throws -> Void
    ) async throws {
        var state = RunState(reassembler: Reassembler(limits: reassemblyLimits, logger: logger), onRejection: onRejection)
        defer {
            // What this subscriber saw, once, for reading a run afterwards: duplicates without a
            // restart mean records were read twice; open chunk sets mean parts never arrived.
            let seen = statistics
            logger.info("subscriber done", metadata: [
                "records": "\(seen.records)", "handled": "\(seen.handled)", "duplicates": "\(seen.duplicates)",
                "rejections": "\(seen.totalRejections)", "commits": "\(seen.commits)",
                "incomplete-chunk-sets": "\(state.reassembler.pendingSetCount)",
            ])
        }
        let consumer = self.consumer
        // Cancellation drains: a record being handled is finished and committed before the
        // consumer closes; an idle wait for the next record is ended by closing at once.
        let busy = self.busy
        try await withTaskCancellationHandler {
            for try await record in consumer.messages {
                if Task.isCancelled { break }
                busy.value.store(true, ordering: .sequentiallyConsistent)
                stats.withLock { $0.records += 1 }
                defer { busy.value.store(false, ordering: .sequentiallyConsistent) }
                try await process(record, state: &state, handler: handler)
                if Task.isCancelled { break }
            }
            if Task.isCancelled { await consumer.close() }
        } onCancel: {
            if !busy.value.load(ordering: .sequentiallyConsistent) {
                Task { await consumer.close() }
            }
        }
    }

    /// Per-run bookkeeping: the reassembler and, per partition, the first offset of every
    /// incomplete chunk set (commits must stay below it).
    private struct RunState {
        var reassembler: Reassembler
        var onRejection: @Sendable (RejectedRecord) async -> Void
        var openSets: [KafkaTopicPartition: [MessageID: Int64]] = [:]
        var setPartitions: [MessageID: KafkaTopicPartition] = [:]
    }

    private func process(
        _ record: KafkaConsumerMessage, state: inout RunState, handler: (ReceivedEnvelope) async throws -> Void
    ) async throws {
        let partition = KafkaTopicPartition(topic: record.topic, partition: record.partition)
        state.reassembler.expire()
        releaseDroppedSets(&state)

        let frameBytes: [UInt8]
        var frames = 1
        if ChunkFrame.isChunkFrame(record.value) {
            let chunk: ChunkFrame
            do {
                chunk = try ChunkFrame.decode(record.value)
            } catch {
                await reject(record, error, state: state)
                return
            }
            let whole: [UInt8]?
            do {
                whole = try state.reassembler.accept(chunk)
            } catch {
                releaseDroppedSets(&state)
                await reject(record, error, state: state)
                return
            }
            guard let whole else {
                if state.openSets[partition, default: [:]][chunk.payloadID] == nil {
                    state.openSets[partition, default: [:]][chunk.payloadID] = record.offset
                    state.setPartitions[chunk.payloadID] = partition
                }
                return
            }
            state.openSets[partition]?[chunk.payloadID] = nil
            state.setPartitions[chunk.payloadID] = nil
            frameBytes = whole
            frames = chunk.count
        } else {
            frameBytes = record.value
        }

        let received: ReceivedEnvelope
        do {
            let envelope = try EnvelopeCodec.decode(frameBytes)
            try checkSignature(envelope)
            received = ReceivedEnvelope(
                envelope: envelope, message: try Self.decodePayload(envelope), topic: record.topic,
                partition: record.partition, offset: record.offset, frames: frames, bytes: frameBytes.count)
        } catch {
            await reject(record, error, state: state)
            return
        }

        if deduplication.contains(received.envelope.id) {
            stats.withLock { $0.duplicates += 1 }
            logger.debug("skipping a message already handled", metadata: [
                "id": "\(received.envelope.id)", "type": "\(received.envelope.type)",
            ])
            await commitIfClear(record, state: state)
            return
        }
        try await handler(received)
        try deduplication.remember(received.envelope.id)
        stats.withLock { $0.handled += 1 }
        await commitIfClear(record, state: state)
    }

    private static func decodePayload(_ envelope: Envelope) throws(ProtocolError) -> any ProtocolMessage {
        func decode<Message: ProtocolMessage>(_ type: Message.Type) throws(ProtocolError) -> any ProtocolMessage {
            try envelope.decode(as: type)
        }
        return try decode(envelope.type.payloadType)
    }

    private func checkSignature(_ envelope: Envelope) throws(ProtocolError) {
        guard let ring = signatures.keyRing else { return }
        if envelope.type == .heartbeat {
            // Trust on first use: a heartbeat signed by the key it announces pins that key.
            let heartbeat = try envelope.decode(as: Heartbeat.self)
            guard heartbeat.instance == envelope.sender else {
                throw .badSignature(sender: envelope.sender)
            }
            try EnvelopeVerifier(publicKeyBase64: heartbeat.publicKey).verify(envelope)
            if try ring.pin(sender: envelope.sender, publicKeyBase64: heartbeat.publicKey) {
                logger.info("pinned public key", metadata: ["sender": "\(envelope.sender)"])
            }
        }
        switch signatures {
        case .ignore:
            return
        case .verifyKnownSenders(let ring):
            guard ring.publicKeyBase64(for: envelope.sender) != nil, envelope.signature != nil else { return }
            try ring.verify(envelope)
        case .requireKnownSenders(let ring):
            try ring.verify(envelope)
        }
    }

    private func reject(_ record: KafkaConsumerMessage, _ error: ProtocolError, state: RunState) async {
        let reason = RejectionReason(error)
        stats.withLock { $0.rejections[reason, default: 0] += 1 }
        logger.warning("rejected a record", metadata: [
            "reason": "\(reason)", "error": "\(error)", "topic": "\(record.topic)",
            "partition": "\(record.partition)", "offset": "\(record.offset)",
        ])
        await state.onRejection(RejectedRecord(
            topic: record.topic, partition: record.partition, offset: record.offset, reason: reason, detail: "\(error)"))
        await commitIfClear(record, state: state)
    }

    /// Counts the sets the reassembler gave up on and lets commits pass their offsets again.
    private func releaseDroppedSets(_ state: inout RunState) {
        for dropped in state.reassembler.takeDropped() {
            // Inconsistent and checksum-failed sets are counted by the rejection that reports them.
            if dropped.reason == .timedOut || dropped.reason == .evicted {
                stats.withLock { $0.rejections[.incompleteChunkSet, default: 0] += 1 }
            }
            if let partition = state.setPartitions.removeValue(forKey: dropped.payloadID) {
                state.openSets[partition]?[dropped.payloadID] = nil
            }
        }
    }

    /// Commits `record` unless an incomplete chunk set in its partition started before it.
    private func commitIfClear(_ record: KafkaConsumerMessage, state: RunState) async {
        let partition = KafkaTopicPartition(topic: record.topic, partition: record.partition)
        if let open = state.openSets[partition], open.values.contains(where: { $0 < record.offset }) { return }
        await commit(record)
    }

    private func commit(_ record: KafkaConsumerMessage) async {
        guard commitsOffsets else { return }
        do {
            try await consumer.commit(record)
            stats.withLock { $0.commits += 1 }
        } catch {
            // The record will be redelivered after a restart and then skipped as a duplicate.
            logger.warning("offset commit failed", metadata: [
                "error": "\(error)", "topic": "\(record.topic)", "offset": "\(record.offset)",
            ])
        }
    }
}

/// A shared flag the cancellation handler can read while the run loop sets it.
private final class BusyFlag: Sendable {
    let value = Atomic<Bool>(false)
}
