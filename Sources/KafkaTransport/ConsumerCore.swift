import CRdKafka
import Foundation
import Logging
import Synchronization

/// The state a `KafkaConsumer` shares with its polling thread.
///
/// The polling thread subscribes or assigns, then loops on `rd_kafka_consumer_poll`, copying each
/// message out of librdkafka into a batch that it hands to `ConsumerMessageBuffer`. On stop it
/// closes the consumer (leaving the group), destroys the handle and finishes the sequence.
///
/// Gap check (`KafkaGapCheck`): every record passes `ConsumerGapGuard.admit` before it is copied.
/// The start offset of each partition is known before its first record: an explicit offset as
/// given; `.beginning` the low watermark and `.end` the high watermark (both from
/// `rd_kafka_query_watermark_offsets`); `.stored` and group assignments the committed offset
/// (`rd_kafka_committed`) or, without one, the low or high watermark as `auto.offset.reset`
/// (`startFromEarliest`) says. The partition is then assigned at exactly that offset, so the
/// tracker and librdkafka agree. Only when a query fails does the first record's offset set the
/// start (a hole right at the start would then go unseen; that is logged).
///
/// Fetch rebuild: when seeking back does not fill a hole, the polling thread replaces the
/// librdkafka handle by a new one with a longer fetch wait (`KafkaGapCheck` says why) and
/// resumes every partition where the gap check expects it (partitions it does not check: at
/// librdkafka's position). A group consumer rejoins its group instead and resumes at the
/// committed offsets, as after any rebalance. Nothing of this runs unless a hole stays open, so
/// on Apache Kafka it never does.
final class ConsumerCore: Sendable {
    /// librdkafka's logical offsets.
    private enum LogicalOffset {
        static let beginning: Int64 = -2
        static let end: Int64 = -1
        static let stored: Int64 = -1000
    }

    private static let unassignedPartition: Int32 = -1
    private static let maxBatch = 512

    /// The current librdkafka client; replaced only by a fetch rebuild, on the polling thread.
    let clients: ConsumerClientSlot
    let configuration: KafkaConsumerConfiguration
    let buffer: ConsumerMessageBuffer
    let logger: Logger
    private let stopRequested = Atomic<Bool>(false)
    let stopped = CompletionSignal()
    /// The gap check's state; used only on the polling thread (the rebalance callback runs there
    /// too, inside `rd_kafka_consumer_poll`).
    private let gapGuard: PollingThreadConfined<ConsumerGapGuard>
    /// The fetch wait (`fetch.wait.max.ms`) of the current handle; raised by rebuilds. Polling
    /// thread only.
    private let fetchWait: PollingThreadConfined<Duration>
    /// A copy of the gap check's counts, published after each batch for `statistics`.
    private let publishedStatistics: Mutex<KafkaConsumerStatistics>
    /// Where each assigned partition started (nil where the start could not be resolved), for
    /// readers that must tell "read nothing" from "there was nothing to read".
    let startOffsets = Mutex([KafkaTopicPartition: Int64?]())

    init(configuration: KafkaConsumerConfiguration, logger: Logger) throws(KafkaError) {
        if case let .partitions(_, .stored, groupID) = configuration.subscription, groupID == nil {
            throw .configuration(key: "group.id", value: "", reason: "starting from stored offsets needs a group id")
        }
        if case let .group(id, topics) = configuration.subscription {
            guard !id.isEmpty else { throw .configuration(key: "group.id", value: id, reason: "a consumer group needs a non-empty id") }
            guard !topics.isEmpty else { throw .configuration(key: "topics", value: "", reason: "a consumer group needs at least one topic") }
        }
        self.configuration = configuration
        self.logger = logger
        self.buffer = ConsumerMessageBuffer(maxMessages: configuration.bufferedMessages, maxBytes: configuration.bufferedBytes)
        self.gapGuard = PollingThreadConfined(ConsumerGapGuard(settings: configuration.gapCheck))
        let wait = Self.configuredFetchWait(configuration)
        self.fetchWait = PollingThreadConfined(wait)
        var initial = KafkaConsumerStatistics()
        initial.fetchWait = wait
        self.publishedStatistics = Mutex(initial)
        self.clients = ConsumerClientSlot(try Self.makeClient(configuration, fetchWait: nil, logger: logger))
        installRebalanceHandler(on: clients.client)
    }

    /// A consumer handle for `configuration`; `fetchWait` overrides its `fetch.wait.max.ms`.
    private static func makeClient(_ configuration: KafkaConsumerConfiguration, fetchWait: Duration?, logger: Logger) throws(KafkaError) -> RdKafkaClient {
        var isGroup = false
        if case .group = configuration.subscription { isGroup = true }
        var properties = configuration.properties
        if let fetchWait { properties.append(("fetch.wait.max.ms", String(fetchWait.wholeMilliseconds))) }
        let client = try RdKafkaClient(
            kind: .consumer, properties: properties, rebalanceCallback: isGroup,
            logInterval: configuration.logInterval, logger: logger)
        rd_kafka_poll_set_consumer(client.handle)
        return client
    }

    private func installRebalanceHandler(on client: RdKafkaClient) {
        guard case .group = configuration.subscription else { return }
        client.callbacks.rebalanceHandler.withLock { handler in
            handler = { [weak self] handle, code, partitions in self?.rebalance(handle, code: code, partitions: partitions) }
        }
    }

    /// The `fetch.wait.max.ms` the configuration's properties end with.
    private static func configuredFetchWait(_ configuration: KafkaConsumerConfiguration) -> Duration {
        let value = configuration.properties.last { $0.key == "fetch.wait.max.ms" }.flatMap { Int($0.value) }
        return .milliseconds(value ?? configuration.fetchWaitMaxMilliseconds)
    }

    var statistics: KafkaConsumerStatistics { publishedStatistics.withLock { $0 } }

    func startPolling() {
        startThread(named: "agentfl-kafka-consumer") { [self] in pollLoop() }
    }

    func requestStop() {
        // The flag first: a rebuild that installs a new client after this checks it.
        stopRequested.store(true, ordering: .releasing)
        clients.client.close()
    }

    private var shouldStop: Bool { stopRequested.load(ordering: .acquiring) }

    // MARK: Polling thread

    private func pollLoop() {
        var failure: KafkaError?
        do throws(KafkaError) {
            try start(clients.client.handle)
            failure = consumeUntilStopped()
        } catch {
            failure = error
        }
        if let failure { logger.error("consumer stopped: \(failure)") }
        closeAndDestroy(clients.client)
        buffer.finish(failure: failure)
        stopped.fire()
    }

    /// Leaves the group (if any) and destroys `client`, after calls in flight on it ended.
    private func closeAndDestroy(_ client: RdKafkaClient) {
        client.close()
        let code = rd_kafka_consumer_close(client.handle)
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.debug("rd_kafka_consumer_close: \(String(rdKafkaError: code))")
        }
        client.destroy()
    }

    private func start(_ handle: OpaquePointer) throws(KafkaError) {
        switch configuration.subscription {
        case let .group(_, topics):
            guard let list = rd_kafka_topic_partition_list_new(Int32(topics.count)) else {
                throw .consume(reason: "could not allocate a topic list")
            }
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for topic in topics { rd_kafka_topic_partition_list_add(list, topic, Self.unassignedPartition) }
            let code = rd_kafka_subscribe(handle, list)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw .consume(reason: "subscribe to \(topics.joined(separator: ",")): \(String(rdKafkaError: code))")
            }
        case let .partitions(partitions, from, _):
            // Without the topics' metadata, assign() waits on a 500 ms retry timer; ask first.
            for topic in Set(partitions.map(\.topic)) { fetchMetadata(handle, topic: topic) }
            guard let list = rd_kafka_topic_partition_list_new(Int32(partitions.count)) else {
                throw .consume(reason: "could not allocate a partition list")
            }
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for partition in partitions {
                let start = resolveStart(handle, topic: partition.topic, partition: partition.partition, from: from)
                rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition)?.pointee.offset = start.assign
                gapGuard.value.start(.init(topic: partition.topic, partition: partition.partition), expected: start.expected)
                startOffsets.withLock { $0[partition] = start.expected }
            }
            let code = rd_kafka_assign(handle, list)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw .consume(reason: "assign: \(String(rdKafkaError: code))")
            }
        }
    }

    /// The offset to assign a partition at and the offset its first record must have (nil if
    /// unknown, see the type's comment).
    private func resolveStart(_ handle: OpaquePointer, topic: String, partition: Int32, from: KafkaStartOffset) -> (assign: Int64, expected: Int64?) {
        guard configuration.gapCheck.checks(topic: topic) else {
            return (logicalOffset(from), nil)
        }
        func watermark(low: Bool) -> Int64? {
            var lowOffset: Int64 = 0
            var highOffset: Int64 = 0
            let code = rd_kafka_query_watermark_offsets(handle, topic, partition, &lowOffset, &highOffset, 10_000)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                logger.warning("\(topic)[\(partition)]: no watermarks (\(String(rdKafkaError: code))); the first record read sets the start for the gap check")
                return nil
            }
            return low ? lowOffset : highOffset
        }
        switch from {
        case let .offset(value):
            return (value, value)
        case .beginning:
            return watermark(low: true).map { ($0, $0) } ?? (LogicalOffset.beginning, nil)
        case .end:
            return watermark(low: false).map { ($0, $0) } ?? (LogicalOffset.end, nil)
        case .stored:
            if let committed = committedOffset(handle, topic: topic, partition: partition) { return (committed, committed) }
            let reset = configuration.startFromEarliest
            return watermark(low: reset).map { ($0, $0) } ?? (LogicalOffset.stored, nil)
        }
    }

    /// The group's committed offset for a partition; nil if there is none or the query failed.
    private func committedOffset(_ handle: OpaquePointer, topic: String, partition: Int32) -> Int64? {
        guard let list = rd_kafka_topic_partition_list_new(1) else { return nil }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let entry = rd_kafka_topic_partition_list_add(list, topic, partition)
        let code = rd_kafka_committed(handle, list, 10_000)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let entry, entry.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let failed = code != RD_KAFKA_RESP_ERR_NO_ERROR ? code : (entry?.pointee.err ?? code)
            logger.warning("\(topic)[\(partition)]: committed offset unknown (\(String(rdKafkaError: failed)))")
            return nil
        }
        return entry.pointee.offset >= 0 ? entry.pointee.offset : nil
    }

    /// The group rebalance callback (on the polling thread): starts the gap check of assigned
    /// partitions at their committed offsets and assigns them there; forgets revoked ones.
    private func rebalance(_ handle: OpaquePointer, code: rd_kafka_resp_err_t, partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        let cooperative = rd_kafka_rebalance_protocol(handle).map { String(cString: $0) } == "COOPERATIVE"
        var entries: [UnsafeMutablePointer<rd_kafka_topic_partition_t>] = []
        if let partitions, let elements = partitions.pointee.elems {
            entries = (0..<Int(partitions.pointee.cnt)).map { elements + $0 }
        }
        switch code {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            for entry in entries {
                guard let name = entry.pointee.topic else { continue }
                let topic = String(cString: name)
                let start = resolveStart(handle, topic: topic, partition: entry.pointee.partition, from: .stored)
                entry.pointee.offset = start.assign
                gapGuard.value.start(.init(topic: topic, partition: entry.pointee.partition), expected: start.expected)
                startOffsets.withLock { $0[KafkaTopicPartition(topic: topic, partition: entry.pointee.partition)] = start.expected }
            }
            if cooperative {
                if let error = rd_kafka_incremental_assign(handle, partitions) {
                    logger.error("incremental assign failed: \(String(cString: rd_kafka_error_string(error)))")
                    rd_kafka_error_destroy(error)
                }
            } else {
                let result = rd_kafka_assign(handle, partitions)
                if result != RD_KAFKA_RESP_ERR_NO_ERROR { logger.error("assign failed: \(String(rdKafkaError: result))") }
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            for entry in entries {
                guard let name = entry.pointee.topic else { continue }
                gapGuard.value.stop(.init(topic: String(cString: name), partition: entry.pointee.partition))
                startOffsets.withLock { $0[KafkaTopicPartition(topic: String(cString: name), partition: entry.pointee.partition)] = nil }
            }
            if cooperative {
                if let error = rd_kafka_incremental_unassign(handle, partitions) { rd_kafka_error_destroy(error) }
            } else {
                _ = rd_kafka_assign(handle, nil)
            }
        default:
            logger.error("rebalance failed: \(String(rdKafkaError: code))")
            _ = rd_kafka_assign(handle, nil)
        }
    }

    private func fetchMetadata(_ handle: OpaquePointer, topic: String) {
        guard let topicHandle = rd_kafka_topic_new(handle, topic, nil) else { return }
        defer { rd_kafka_topic_destroy(topicHandle) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(handle, 0, topicHandle, &metadata, 5000)
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("no metadata for topic \(topic) before assigning: \(String(rdKafkaError: code))")
        }
    }

    /// Polls until asked to stop; returns a failure only for errors librdkafka will not recover
    /// from, a hole in a partition that did not fill, or brokers down beyond the configured bound.
    private func consumeUntilStopped() -> KafkaError? {
        var decoder = MessageDecoder()
        let checking = configuration.gapCheck.isEnabled
        var handle = clients.client.handle
        var callbacks = clients.client.callbacks
        var nextProbe = ContinuousClock.now
        var nextStallCheck = ContinuousClock.now + Self.stallCheckInterval
        while !shouldStop {
            if checking {
                let now = ContinuousClock.now
                if now >= nextStallCheck {
                    nextStallCheck = now + Self.stallCheckInterval
                    checkForStalls(handle)
                }
            }
            switch recoverGaps(handle) {
            case .none:
                break
            case let .failed(failure):
                return failure
            case let .rebuild(key, gap, wait):
                if let failure = rebuildFetch(for: key, gap: gap, fetchWait: wait) { return failure }
                decoder = MessageDecoder()
                handle = clients.client.handle
                callbacks = clients.client.callbacks
                nextStallCheck = ContinuousClock.now + Self.stallCheckInterval
                continue
            }
            if let fatal = callbacks.fatalError { return .consume(reason: "fatal: \(fatal)") }
            if callbacks.isAllDown, let failure = watchBrokers(handle, nextProbe: &nextProbe) { return failure }
            guard buffer.reserveRoom() else {
                let began = ContinuousClock.now
                buffer.waitForRoom(milliseconds: 100)
                if checking { gapGuard.value.consumerPaused(for: .now - began) }
                continue
            }
            let timeout: Int32 = gapGuard.value.openGaps > 0 ? 5 : 100
            guard let first = rd_kafka_consumer_poll(handle, timeout) else { continue }
            var batch: [KafkaConsumerMessage] = []
            var bytes = 0
            var polled = 0
            var next: UnsafeMutablePointer<rd_kafka_message_t>? = first
            while let message = next {
                defer { rd_kafka_message_destroy(message) }
                polled += 1
                if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    let topic = decoder.topicName(message.pointee.rkt)
                    if checking, !admit(message.pointee, topic: topic) {
                        // Dropped: a re-read, or fetched past a hole (it comes again after the seek).
                    } else {
                        let decoded = decoder.decode(message, topic: topic)
                        bytes += decoded.value.count
                        batch.append(decoded)
                    }
                } else if let failure = handleError(handle, message.pointee) {
                    buffer.push(batch, bytes: bytes)
                    return failure
                }
                next = polled < Self.maxBatch ? rd_kafka_consumer_poll(handle, 0) : nil
            }
            if !batch.isEmpty { callbacks.markReachable() }
            buffer.push(batch, bytes: bytes)
            if checking { publishStatistics() }
        }
        return nil
    }

    private func publishStatistics() {
        var counts = gapGuard.value.statistics
        counts.fetchWait = fetchWait.value
        publishedStatistics.withLock { $0 = counts }
    }

    /// The gap check for one record: true to deliver it.
    private func admit(_ raw: rd_kafka_message_t, topic: String) -> Bool {
        let key = ConsumerGapGuard.PartitionKey(topic: topic, partition: raw.partition)
        switch gapGuard.value.admit(key, offset: raw.offset, now: .now) {
        case .deliver:
            return true
        case let .deliverHealing(gap):
            let how = gap.isStall ? "not served by the fetch" : "skipped by the fetch"
            let rebuilds = gap.rebuilds > 0 ? " and \(gap.rebuilds) fetch rebuild(s)" : ""
            logger.info(
                "records \(topic)[\(raw.partition)] offsets \(gap.missing.lowerBound)…\(gap.missing.upperBound - 1) \(how) were read after \(gap.seeks) seek(s) back\(rebuilds), \(ContinuousClock.now - gap.detectedAt) after the hole was seen")
            return true
        case .drop:
            return false
        case let .dropOpeningGap(missing):
            logger.warning(
                "hole in \(topic)[\(raw.partition)]: expected offset \(missing.lowerBound), the fetch returned \(raw.offset) (\(missing.count) record(s) skipped); seeking back")
            return false
        }
    }

    /// How long a partition may receive nothing before its high watermark is asked for.
    private static let stallCheckInterval = Duration.seconds(1)

    /// Asks the broker for the high watermark of every partition that received nothing since the
    /// last check; one whose watermark is above the expected offset stalled, and is sought back.
    private func checkForStalls(_ handle: OpaquePointer) {
        for (key, expected) in gapGuard.value.idlePartitions() {
            var low: Int64 = 0
            var high: Int64 = 0
            let code = rd_kafka_query_watermark_offsets(handle, key.topic, key.partition, &low, &high, 1000)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR, high > expected else { continue }
            if gapGuard.value.openStall(key, highWatermark: high, now: .now) {
                logger.warning(
                    "\(key.topic)[\(key.partition)] received nothing for \(Self.stallCheckInterval) while the broker holds offsets up to \(high - 1) and \(expected) is next; seeking back")
            }
        }
    }

    private enum RecoveryStep {
        case none
        case failed(KafkaError)
        /// Rebuild the fetch with this wait: `gap` of `key` did not fill after its seeks.
        case rebuild(ConsumerGapGuard.PartitionKey, ConsumerGapGuard.OpenGap, fetchWait: Duration)
    }

    /// Performs the seeks back that are due; says when a rebuild is due instead, or the failure
    /// if a hole is given up on.
    private func recoverGaps(_ handle: OpaquePointer) -> RecoveryStep {
        guard gapGuard.value.openGaps > 0 else { return .none }
        let longerWait = configuration.gapCheck.rebuiltFetchWait(after: fetchWait.value)
        let recovery: ConsumerGapGuard.Recovery
        do throws(KafkaError) {
            recovery = try gapGuard.value.dueRecovery(now: .now, canRebuild: longerWait != nil, fetchWait: fetchWait.value)
        } catch {
            publishStatistics()
            return .failed(error)
        }
        if let (key, gap) = recovery.rebuild, let longerWait {
            return .rebuild(key, gap, fetchWait: longerWait)
        }
        let seeks = recovery.seeks
        guard !seeks.isEmpty, let list = rd_kafka_topic_partition_list_new(Int32(seeks.count)) else { return .none }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for seek in seeks {
            rd_kafka_topic_partition_list_add(list, seek.key.topic, seek.key.partition)?.pointee.offset = seek.offset
            if seek.attempt > 1 {
                logger.debug("\(seek.key.topic)[\(seek.key.partition)]: offset \(seek.offset) still missing, seek \(seek.attempt)")
            }
        }
        // A timeout makes librdkafka drop what it pre-fetched from the old position before returning.
        if let error = rd_kafka_seek_partitions(handle, list, 2000) {
            clients.client.callbacks.logLimited(.warning, "seek back failed: \(String(cString: rd_kafka_error_string(error)))")
            rd_kafka_error_destroy(error)
        }
        return .none
    }

    /// Replaces the librdkafka handle by one whose fetch wait is `newWait`, and resumes where the
    /// old one was: explicit partitions at the gap check's expected offsets (librdkafka's position
    /// for the ones it does not check), a group by rejoining it. Returns a failure only if no new
    /// handle could be made or the consumer could not resume. Blocks (the polling thread).
    private func rebuildFetch(for key: ConsumerGapGuard.PartitionKey, gap: ConsumerGapGuard.OpenGap, fetchWait newWait: Duration) -> KafkaError? {
        let old = clients.client
        let oldWait = fetchWait.value
        let next = gapGuard.value.expected(key) ?? gap.missing.lowerBound
        let reason =
            "\(key.topic)[\(key.partition)]: offset \(next) not served after \(gap.seeks) seek(s) back over \(ContinuousClock.now - gap.detectedAt) "
            + "(the broker holds offsets up to \(gap.missing.upperBound - 1)); rebuilding the consumer's fetch with a wait of \(newWait) instead of \(oldWait), "
            + "as the embedded Tansu build ends a fetch when its wait runs out, before it reaches a late offset of a long partition"
        logger.warning("\(reason)")
        // Where every explicit partition resumes, taken before the old handle goes.
        var resume: [(topic: String, partition: Int32, offset: Int64)] = []
        if case let .partitions(partitions, from, _) = configuration.subscription {
            for partition in partitions {
                let offset = gapGuard.value.expected(.init(topic: partition.topic, partition: partition.partition))
                    ?? position(old.handle, topic: partition.topic, partition: partition.partition)
                    ?? logicalOffset(from)
                resume.append((partition.topic, partition.partition, offset))
            }
        }
        let replacement: RdKafkaClient
        do throws(KafkaError) {
            replacement = try Self.makeClient(configuration, fetchWait: newWait, logger: logger)
        } catch {
            return error
        }
        installRebalanceHandler(on: replacement)
        clients.replace(with: replacement)
        if shouldStop { replacement.close() }
        if case .group = configuration.subscription {
            // Leaving the group revokes its partitions; the new member is assigned afresh.
            gapGuard.value.stopAll()
        }
        closeAndDestroy(old)
        fetchWait.value = newWait
        defer {
            gapGuard.value.resumeAfterRebuild(now: .now, fetchWait: newWait)
            publishStatistics()
        }
        let handle = replacement.handle
        switch configuration.subscription {
        case .group:
            do throws(KafkaError) {
                try start(handle)
            } catch {
                return error
            }
        case .partitions:
            for topic in Set(resume.map(\.topic)) { fetchMetadata(handle, topic: topic) }
            guard let list = rd_kafka_topic_partition_list_new(Int32(resume.count)) else {
                return .consume(reason: "could not allocate a partition list")
            }
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for entry in resume {
                rd_kafka_topic_partition_list_add(list, entry.topic, entry.partition)?.pointee.offset = entry.offset
            }
            let code = rd_kafka_assign(handle, list)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                return .consume(reason: "assign after rebuilding the fetch: \(String(rdKafkaError: code))")
            }
        }
        return nil
    }

    /// librdkafka's position of a partition (the offset after the last message it returned); nil
    /// if it has none.
    private func position(_ handle: OpaquePointer, topic: String, partition: Int32) -> Int64? {
        guard let list = rd_kafka_topic_partition_list_new(1) else { return nil }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let entry = rd_kafka_topic_partition_list_add(list, topic, partition)
        guard rd_kafka_position(handle, list) == RD_KAFKA_RESP_ERR_NO_ERROR, let entry, entry.pointee.offset >= 0 else { return nil }
        return entry.pointee.offset
    }

    private func logicalOffset(_ from: KafkaStartOffset) -> Int64 {
        switch from {
        case .beginning: LogicalOffset.beginning
        case .end: LogicalOffset.end
        case .stored: LogicalOffset.stored
        case let .offset(value): value
        }
    }

    /// While every broker is down: probes once a second whether one answers again, and returns
    /// the failure once the outage outlasts `allBrokersDownTimeout`.
    private func watchBrokers(_ handle: OpaquePointer, nextProbe: inout ContinuousClock.Instant) -> KafkaError? {
        let callbacks = clients.client.callbacks
        if let timeout = configuration.allBrokersDownTimeout, let failure = callbacks.brokerHealth.failure(after: timeout) {
            return failure
        }
        let now = ContinuousClock.now
        guard now >= nextProbe else { return nil }
        nextProbe = now + .seconds(1)
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(handle, 0, nil, &metadata, 500)
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        if code == RD_KAFKA_RESP_ERR_NO_ERROR { callbacks.markReachable() }
        return nil
    }

    private func handleError(_ handle: OpaquePointer, _ message: rd_kafka_message_t) -> KafkaError? {
        if message.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { return nil }
        var errorBuffer = [CChar](repeating: 0, count: 512)
        if rd_kafka_fatal_error(handle, &errorBuffer, errorBuffer.count) != RD_KAFKA_RESP_ERR_NO_ERROR {
            return .consume(reason: "fatal: \(String(cErrorBuffer: errorBuffer))")
        }
        let detail = message.payload.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) }
        let text = "\(String(rdKafkaError: message.err))\(detail.map { ": \($0)" } ?? "")"
        if message.err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN {
            clients.client.callbacks.markAllBrokersDown(detail: text)
        }
        clients.client.callbacks.logLimited(.warning, "consumer error (librdkafka retries): \(text)")
        return nil
    }
}

/// State that only the polling thread touches. `@unchecked Sendable` because the compiler cannot
/// see that confinement: `ConsumerCore` uses it from `pollLoop` and from the rebalance callback,
/// which librdkafka runs inside `rd_kafka_consumer_poll` on that same thread.
private final class PollingThreadConfined<Value>: @unchecked Sendable {
    var value: Value

    init(_ value: Value) {
        self.value = value
    }
}

/// Copies librdkafka messages into `KafkaConsumerMessage`s, reusing the topic name between
/// messages of the same topic handle.
private struct MessageDecoder {
    private var lastTopicHandle: OpaquePointer?
    private var lastTopicName = ""

    mutating func topicName(_ topicHandle: OpaquePointer?) -> String {
        if topicHandle != lastTopicHandle {
            lastTopicHandle = topicHandle
            lastTopicName = topicHandle.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        }
        return lastTopicName
    }

    func decode(_ message: UnsafeMutablePointer<rd_kafka_message_t>, topic: String) -> KafkaConsumerMessage {
        let raw = message.pointee
        let value = raw.payload.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: raw.len)) } ?? []
        let key = raw.key.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: raw.key_len)) }

        var headers: [KafkaHeader] = []
        var headerList: OpaquePointer?
        if rd_kafka_message_headers(message, &headerList) == RD_KAFKA_RESP_ERR_NO_ERROR, let headerList {
            var index = 0
            var name: UnsafePointer<CChar>?
            var bytes: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(headerList, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let headerValue = bytes.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
                headers.append(KafkaHeader(key: name.map { String(cString: $0) } ?? "", value: headerValue))
                index += 1
            }
        }

        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let milliseconds = rd_kafka_message_timestamp(message, &timestampType)
        let timestamp = milliseconds >= 0 ? Date(timeIntervalSince1970: Double(milliseconds) / 1000) : nil

        return KafkaConsumerMessage(
            topic: topic, partition: raw.partition, offset: raw.offset,
            key: key, value: value, headers: headers, timestamp: timestamp
        )
    }
}
