import KafkaTransport
import Logging
import Synchronization

/// Reads protocol messages from a `KafkaConsumer`: reassembles chunked envelopes, decodes and
/// checks them, skips ids already handled, and calls the handler once per message.
///
/// A handler sees only what checked out, in this order: the frame decodes (structure, checksum,
/// type, schema version); the envelope belongs to this subscriber's run (others are counted in
/// ``SubscriberStatistics/otherRun`` and passed over, not rejected); its signature verifies against
/// the run's keyring (``TrustPolicy``); the payload decodes; and the payload agrees with its
/// envelope (``Authorship``: the sender may send this type and speaks for the client it names, the
/// rounds and runs match).
///
/// Delivery is at-least-once with de-duplication:
/// - an offset is stored for commit only after the handler finished with that record (accepted or
///   rejected it), or after the record was rejected or recognised as a duplicate (a poison record
///   must not block its partition); the consumer commits stored offsets on a timer and when it
///   closes, so a crash redelivers at most the last interval's records, which de-duplication skips;
/// - while a chunk set is incomplete, no offset at or after its first chunk is committed in that
///   partition, so a restart re-reads the whole set;
/// - the handler's answer decides what happens (``HandlerOutcome``): `.accepted` commits;
///   `.rejected` counts, reports (``run(onRejection:handler:)``) and commits past, so bad content
///   never makes a role crash-loop. A ``ProtocolError`` thrown by the handler is treated as a
///   rejection of the content. Any other error is taken as transient and retried with back-off
///   (``HandlerRetry``); when the retries are spent, ``run(onRejection:handler:)`` rethrows it and
///   leaves the record uncommitted, so it is redelivered after a restart;
/// - the ids of handled messages go to the ``DeduplicationStore`` (use ``PersistentDeduplicator``
///   to survive a restart), so a redelivered message is not handled twice.
///
/// Every rejection is logged, counted in ``rejections`` and reported with what is known of it.
public final class ProtocolSubscriber: Sendable {
    public let consumer: KafkaConsumer
    public let deduplication: any DeduplicationStore
    /// The run whose messages this subscriber hands on; `nil` takes messages of every run.
    public let runID: String?
    public let trust: TrustPolicy
    public let retry: HandlerRetry
    private let reassemblyLimits: Reassembler.Limits
    private let logger: Logger
    private let stats = Mutex(SubscriberStatistics())
    /// True while a record is being processed (handler and commit), so cancellation can wait for it.
    private let busy = BusyFlag()
    /// False for a consumer without a group id: it has nowhere to commit to.
    private let commitsOffsets: Bool
    /// Per partition, the offset after the last record this subscriber finished with (handled,
    /// rejected, skipped as a duplicate or passed over as another run's), for ``drain(timeout:)``.
    private let finished = Mutex([KafkaTopicPartition: Int64]())

    public init(
        consumer: KafkaConsumer, runID: String?, trust: TrustPolicy,
        deduplication: any DeduplicationStore = InMemoryDeduplicator(),
        reassemblyLimits: Reassembler.Limits = Reassembler.Limits(), retry: HandlerRetry = HandlerRetry(),
        logger: Logger
    ) {
        self.consumer = consumer
        self.runID = runID
        self.trust = trust
        self.deduplication = deduplication
        self.reassemblyLimits = reassemblyLimits
        self.retry = retry
        self.logger = logger
        switch consumer.configuration.subscription {
        case .group: self.commitsOffsets = true
        case .partitions(_, _, let groupID): self.commitsOffsets = groupID != nil
        }
    }

    /// Creates its own consumer from `configuration`.
    public convenience init(
        configuration: KafkaConsumerConfiguration, runID: String?, trust: TrustPolicy,
        deduplication: any DeduplicationStore = InMemoryDeduplicator(),
        reassemblyLimits: Reassembler.Limits = Reassembler.Limits(), retry: HandlerRetry = HandlerRetry(),
        logger: Logger
    ) throws(KafkaError) {
        self.init(consumer: try KafkaConsumer(configuration: configuration, logger: logger),
                  runID: runID, trust: trust, deduplication: deduplication, reassemblyLimits: reassemblyLimits,
                  retry: retry, logger: logger)
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
    /// handler keeps failing (then rethrows, leaving that record uncommitted). Every message the
    /// handler returns from is accepted.
    public func run(handler: (ReceivedEnvelope) async throws -> Void) async throws {
        try await run(onRejection: { _ in }) { received in
            try await handler(received)
            return .accepted
        }
    }

    /// As ``run(handler:)``, with the handler's verdict, and tells `onRejection` about every record
    /// it or the handler rejects, before that record's offset is committed (roles report them to the
    /// auditor, so nothing is dropped unseen).
    public func run(
        onRejection: @escaping @Sendable (RejectedRecord) async -> Void,
        handler: (ReceivedEnvelope) async throws -> HandlerOutcome
    ) async throws {
        var state = RunState(reassembler: Reassembler(limits: reassemblyLimits, logger: logger), onRejection: onRejection)
        defer {
            // What this subscriber saw, once, for reading a run afterwards: duplicates without a
            // restart mean records were read twice; open chunk sets mean parts never arrived.
            let seen = statistics
            logger.info("subscriber done", metadata: [
                "records": "\(seen.records)", "handled": "\(seen.handled)", "duplicates": "\(seen.duplicates)",
                "rejections": "\(seen.totalRejections)", "other-run": "\(seen.otherRun)", "retries": "\(seen.retries)",
                "commits": "\(seen.commits)", "incomplete-chunk-sets": "\(state.reassembler.pendingSetCount)",
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
                finished.withLock { $0[KafkaTopicPartition(topic: record.topic, partition: record.partition)] = record.offset + 1 }
                if Task.isCancelled { break }
            }
            if Task.isCancelled { await consumer.close() }
        } onCancel: {
            if !busy.value.load(ordering: .sequentiallyConsistent) {
                Task { await consumer.close() }
            }
        }
    }

    /// Waits, while ``run(onRejection:handler:)`` goes on in another task, until this subscriber has
    /// finished with every record written to its partitions before the call: the end offsets are
    /// asked of the broker once, at the start. A role that must not stop with records unread (the
    /// auditor, whose log must hold the whole run) drains before it cancels its run. Returns what
    /// was still unread when `timeout` passed (empty when everything was read).
    public func drain(timeout: Duration) async throws -> DrainReport {
        let clock = ContinuousClock()
        let began = clock.now
        let ends = try await consumer.endOffsets()
        func unread() -> [KafkaTopicPartition: Int64] {
            // Read each time: a consumer that has only just started may not know its starts yet.
            let starts = consumer.startOffsets
            let done = finished.withLock { $0 }
            var left: [KafkaTopicPartition: Int64] = [:]
            for (partition, end) in ends {
                let reached = done[partition] ?? starts[partition].flatMap { $0 } ?? 0
                if reached < end { left[partition] = end - reached }
            }
            return left
        }
        var left = unread()
        while !left.isEmpty, clock.now - began < timeout {
            try await Task.sleep(for: .milliseconds(20))
            left = unread()
        }
        return DrainReport(endOffsets: ends, unread: left, waited: clock.now - began)
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
        _ record: KafkaConsumerMessage, state: inout RunState, handler: (ReceivedEnvelope) async throws -> HandlerOutcome
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

        let envelope: Envelope
        do {
            envelope = try EnvelopeCodec.decode(frameBytes)
        } catch {
            await reject(record, error, state: state)
            return
        }
        if let runID, envelope.runID != runID {
            stats.withLock { $0.otherRun += 1 }
            logger.debug("passing over a message of another run", metadata: [
                "run": "\(envelope.runID)", "type": "\(envelope.type)", "sender": "\(envelope.sender)",
            ])
            await commitIfClear(record, state: state)
            return
        }
        let received: ReceivedEnvelope
        do {
            if case .keyring(let verifier) = trust { try verifier.verify(envelope) }
            let message = try Self.decodePayload(envelope)
            try message.authorship.check(envelope)
            received = ReceivedEnvelope(
                envelope: envelope, message: message, topic: record.topic,
                partition: record.partition, offset: record.offset, frames: frames, bytes: frameBytes.count)
        } catch {
            await reject(record, error, envelope: envelope, state: state)
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
        switch try await outcome(of: received, handler: handler) {
        case .accepted:
            stats.withLock { $0.handled += 1 }
        case let .rejected(reason, detail):
            await reject(record, reason: reason, detail: detail, envelope: envelope, state: state, commit: false)
        }
        try deduplication.remember(received.envelope.id)
        await commitIfClear(record, state: state)
    }

    /// The handler's verdict: retried with back-off while it throws anything but a
    /// ``ProtocolError`` (content it refuses) or a cancellation.
    private func outcome(
        of received: ReceivedEnvelope, handler: (ReceivedEnvelope) async throws -> HandlerOutcome
    ) async throws -> HandlerOutcome {
        var attempt = 1
        while true {
            do {
                return try await handler(received)
            } catch let error as ProtocolError {
                return .rejected(RejectionReason(error), "\(error)")
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                guard attempt < retry.attempts, !Task.isCancelled else {
                    logger.error("handler failed, giving up", metadata: [
                        "error": "\(error)", "type": "\(received.envelope.type)", "id": "\(received.envelope.id)",
                        "attempts": "\(attempt)",
                    ])
                    throw error
                }
                let delay = retry.delay(beforeAttempt: attempt + 1)
                stats.withLock { $0.retries += 1 }
                logger.warning("handler failed, retrying", metadata: [
                    "error": "\(error)", "type": "\(received.envelope.type)", "attempt": "\(attempt)",
                    "delay-ms": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)",
                ])
                try await Task.sleep(for: delay)
                attempt += 1
            }
        }
    }

    private static func decodePayload(_ envelope: Envelope) throws(ProtocolError) -> any ProtocolMessage {
        func decode<Message: ProtocolMessage>(_ type: Message.Type) throws(ProtocolError) -> any ProtocolMessage {
            try envelope.decode(as: type)
        }
        return try decode(envelope.type.payloadType)
    }

    private func reject(
        _ record: KafkaConsumerMessage, _ error: ProtocolError, envelope: Envelope? = nil, state: RunState
    ) async {
        await reject(record, reason: RejectionReason(error), detail: "\(error)", envelope: envelope, state: state, commit: true)
    }

    private func reject(
        _ record: KafkaConsumerMessage, reason: RejectionReason, detail: String, envelope: Envelope?, state: RunState,
        commit: Bool
    ) async {
        stats.withLock { $0.rejections[reason, default: 0] += 1 }
        logger.warning("rejected a record", metadata: [
            "reason": "\(reason)", "error": "\(detail)", "topic": "\(record.topic)",
            "partition": "\(record.partition)", "offset": "\(record.offset)",
            "sender": "\(envelope?.sender ?? "?")", "type": "\(envelope?.type.rawValue ?? "?")",
        ])
        await state.onRejection(RejectedRecord(
            topic: record.topic, partition: record.partition, offset: record.offset, reason: reason, detail: detail,
            envelope: envelope))
        if commit { await commitIfClear(record, state: state) }
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

    /// Stores the offset after `record`; the consumer commits stored offsets on a timer and when it
    /// closes, so a crash redelivers at most the last interval's records (skipped as duplicates).
    private func commit(_ record: KafkaConsumerMessage) async {
        guard commitsOffsets else { return }
        do {
            try consumer.storeOffset(record)
            stats.withLock { $0.commits += 1 }
        } catch {
            // The record will be redelivered after a restart and then skipped as a duplicate.
            logger.warning("offset store failed", metadata: [
                "error": "\(error)", "topic": "\(record.topic)", "offset": "\(record.offset)",
            ])
        }
    }
}

/// A shared flag the cancellation handler can read while the run loop sets it.
private final class BusyFlag: Sendable {
    let value = Atomic<Bool>(false)
}

/// What ``ProtocolSubscriber/drain(timeout:)`` found: the end offsets it drained to, and per
/// partition how many records were still unread when it gave up (empty: it read everything).
public struct DrainReport: Sendable, Equatable {
    public var endOffsets: [KafkaTopicPartition: Int64]
    public var unread: [KafkaTopicPartition: Int64]
    public var waited: Duration

    public var isComplete: Bool { unread.isEmpty }
    public var unreadRecords: Int64 { unread.values.reduce(0, +) }
}
