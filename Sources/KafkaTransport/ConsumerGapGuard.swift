/// The gap check of one consumer: a `PartitionOffsetTracker` per assigned partition, the holes
/// still open, and when to seek back for each or rebuild the consumer's fetch.
///
/// A plain value without I/O (the caller passes the time and performs the seeks) so that the
/// recovery is tested without a broker. `ConsumerCore` keeps it on its polling thread.
struct ConsumerGapGuard {
    struct PartitionKey: Hashable, Sendable {
        var topic: String
        var partition: Int32
    }

    /// A hole being recovered: everything past the expected offset is dropped until that offset
    /// arrives; the hole is healed once every offset in `missing` was read.
    struct OpenGap: Sendable, Equatable {
        var missing: Range<Int64>
        var detectedAt: ContinuousClock.Instant
        /// Seeks back for this hole in all, and since the consumer's fetch was last rebuilt.
        var seeks = 0
        var seeksSinceRebuild = 0
        /// Rebuilds of the consumer's fetch while this hole was open.
        var rebuilds = 0
        /// Whether some of `missing` was read since the last seek (then no seek is due yet).
        var progressed = false
        var nextSeekAt: ContinuousClock.Instant
        /// Opened by the stall check (nothing arrived) rather than by a later offset arriving.
        var isStall = false
    }

    enum Admission: Equatable {
        case deliver
        /// Deliver; it is the first missing record of `healed`, which is now closed.
        case deliverHealing(OpenGap)
        case drop
        /// Drop; it revealed a new hole (seek back at once).
        case dropOpeningGap(missing: Range<Int64>)
    }

    struct Seek: Equatable {
        var key: PartitionKey
        var offset: Int64
        /// 1-based number of this seek for the hole (since the last rebuild).
        var attempt: Int
    }

    /// What is due now to recover the open holes.
    struct Recovery: Equatable {
        var seeks: [Seek] = []
        /// When set, rebuild the consumer's fetch (a new handle resumed at the expected offsets)
        /// instead of seeking: this partition's hole did not fill after its seeks.
        var rebuild: (key: PartitionKey, gap: OpenGap)?

        static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.seeks == rhs.seeks && lhs.rebuild?.key == rhs.rebuild?.key && lhs.rebuild?.gap == rhs.rebuild?.gap
        }
    }

    private struct PartitionState {
        var tracker: PartitionOffsetTracker
        var isChecked: Bool
        var gap: OpenGap?
        /// Records admitted so far, and the count at the last idle check.
        var admitted = 0
        var admittedAtLastCheck = 0
    }

    let settings: KafkaGapCheck
    private var indices: [PartitionKey: Int] = [:]
    private var partitions: [PartitionState] = []
    private var lastKey: PartitionKey?
    private var lastIndex = 0
    private(set) var openGaps = 0
    private(set) var statistics = KafkaConsumerStatistics()
    /// The consumer stopped polling (its reader was slow) since the last idle check.
    private var pausedSinceIdleCheck = false

    init(settings: KafkaGapCheck) {
        self.settings = settings
    }

    /// Starts (or restarts) tracking a partition at `expected`; nil takes the first offset seen.
    mutating func start(_ key: PartitionKey, expected: Int64?) {
        let state = PartitionState(tracker: PartitionOffsetTracker(expected: expected), isChecked: settings.checks(topic: key.topic), gap: nil)
        if let index = indices[key] {
            if partitions[index].gap != nil { openGaps -= 1 }
            partitions[index] = state
        } else {
            indices[key] = partitions.count
            partitions.append(state)
        }
    }

    /// Stops tracking a partition (revoked from this consumer); an open hole there is abandoned,
    /// as the partition's next owner reads from the committed offset.
    mutating func stop(_ key: PartitionKey) {
        guard let index = indices[key] else { return }
        if partitions[index].gap != nil { openGaps -= 1 }
        partitions[index] = PartitionState(tracker: PartitionOffsetTracker(expected: nil), isChecked: false, gap: nil)
        indices[key] = nil
        // Indices of other partitions stay valid; the slot is left unused (assignments are few).
        lastKey = nil
    }

    /// The offset a partition must deliver next; nil while unknown, and for unchecked topics.
    func expected(_ key: PartitionKey) -> Int64? {
        indices[key].flatMap { partitions[$0].tracker.expected }
    }

    /// Judges one arriving record. `now` is evaluated only when a hole opens.
    mutating func admit(_ key: PartitionKey, offset: Int64, now: @autoclosure () -> ContinuousClock.Instant) -> Admission {
        let index: Int
        if key == lastKey {
            index = lastIndex
        } else if let known = indices[key] {
            index = known
            lastKey = key
            lastIndex = known
        } else {
            // A partition nobody announced (no start position known): its first record sets it.
            index = partitions.count
            indices[key] = index
            partitions.append(PartitionState(tracker: PartitionOffsetTracker(expected: nil), isChecked: settings.checks(topic: key.topic), gap: nil))
            lastKey = key
            lastIndex = index
        }
        guard partitions[index].isChecked else {
            statistics.delivered += 1
            return .deliver
        }
        partitions[index].admitted &+= 1
        switch partitions[index].tracker.judge(offset) {
        case .inOrder:
            statistics.delivered += 1
            guard let healed = partitions[index].gap else { return .deliver }
            guard offset + 1 >= healed.missing.upperBound else {
                partitions[index].gap?.progressed = true
                return .deliver
            }
            partitions[index].gap = nil
            openGaps -= 1
            statistics.gapsHealed += 1
            statistics.recordsRecovered += healed.missing.count
            return .deliverHealing(healed)
        case .reread:
            statistics.rereadsDropped += 1
            return .drop
        case let .gap(missing):
            statistics.droppedAheadOfGap += 1
            if partitions[index].gap != nil { return .drop }
            let time = now()
            partitions[index].gap = OpenGap(missing: missing, detectedAt: time, nextSeekAt: time)
            openGaps += 1
            statistics.gapsDetected += 1
            return .dropOpeningGap(missing: missing)
        }
    }

    /// Checked partitions at a known offset, without an open hole, that received nothing since
    /// the previous call: candidates for a stall check against the broker's high watermark.
    mutating func idlePartitions() -> [(key: PartitionKey, expected: Int64)] {
        defer { pausedSinceIdleCheck = false }
        var idle: [(key: PartitionKey, expected: Int64)] = []
        for (key, index) in indices {
            let state = partitions[index]
            defer { partitions[index].admittedAtLastCheck = state.admitted }
            guard !pausedSinceIdleCheck, state.isChecked, state.gap == nil, state.admitted == state.admittedAtLastCheck,
                  let expected = state.tracker.expected
            else { continue }
            idle.append((key, expected))
        }
        return idle
    }

    /// A partition that receives nothing while the broker holds records from its expected offset
    /// on (`highWatermark` above it) has a hole at its tail: nothing later arrives to reveal it.
    /// Opens it like any other hole (seek back at once); false if there is nothing to open.
    mutating func openStall(_ key: PartitionKey, highWatermark: Int64, now: ContinuousClock.Instant) -> Bool {
        guard let index = indices[key], partitions[index].isChecked, partitions[index].gap == nil,
              let expected = partitions[index].tracker.expected, highWatermark > expected
        else { return false }
        partitions[index].gap = OpenGap(missing: expected..<highWatermark, detectedAt: now, nextSeekAt: now, isStall: true)
        openGaps += 1
        statistics.gapsDetected += 1
        statistics.stallsDetected += 1
        return true
    }

    /// What is due at `now`, recorded as done (the caller performs it). A hole is sought back to
    /// its first missing offset with back-off, but not while its records are arriving, and never
    /// sooner than `seekSpacing(fetchWait)` after the previous seek. After
    /// `rebuildAfterSeeks` seeks without a record read, and if `canRebuild` (the fetch wait is
    /// below its cap), a rebuild is due instead: it resumes every partition at its expected
    /// offset, so every open hole starts its seeks afresh. Throws `.recordsMissing` for the first
    /// hole still open after its last seek and back-off with no rebuild left.
    mutating func dueRecovery(now: ContinuousClock.Instant, canRebuild: Bool, fetchWait: Duration = .zero) throws(KafkaError) -> Recovery {
        guard openGaps > 0 else { return Recovery() }
        func backoff(afterSeek seeks: Int) -> Duration { max(settings.backoff(afterSeek: seeks), Self.seekSpacing(fetchWait)) }
        // Holes whose records are arriving wait another back-off; the others are due.
        var due: [(key: PartitionKey, index: Int, gap: OpenGap)] = []
        for (key, index) in indices {
            guard let gap = partitions[index].gap, gap.nextSeekAt <= now else { continue }
            if gap.progressed {
                partitions[index].gap?.progressed = false
                partitions[index].gap?.nextSeekAt = now + backoff(afterSeek: gap.seeksSinceRebuild)
            } else {
                due.append((key, index, gap))
            }
        }
        if canRebuild, let after = settings.rebuildAfterSeeks, let stuck = due.first(where: { $0.gap.seeksSinceRebuild >= after }) {
            // The rebuild resumes every partition at its expected offset, which stands for a seek;
            // `resumeAfterRebuild` times the next ones once the new handle is up.
            statistics.fetchRebuilds += 1
            for index in partitions.indices where partitions[index].gap != nil {
                partitions[index].gap?.seeksSinceRebuild = 0
                partitions[index].gap?.rebuilds += 1
                partitions[index].gap?.progressed = false
            }
            return Recovery(rebuild: (stuck.key, stuck.gap))
        }
        var recovery = Recovery()
        for (key, index, dueGap) in due {
            var gap = dueGap
            guard gap.seeksSinceRebuild < settings.maxSeeks else {
                throw .recordsMissing(
                    topic: key.topic, partition: key.partition, missing: gap.missing, seeks: gap.seeks, waited: now - gap.detectedAt)
            }
            gap.seeks += 1
            gap.seeksSinceRebuild += 1
            gap.nextSeekAt = now + backoff(afterSeek: gap.seeksSinceRebuild)
            partitions[index].gap = gap
            statistics.seeks += 1
            let offset = partitions[index].tracker.expected ?? gap.missing.lowerBound
            recovery.seeks.append(Seek(key: key, offset: offset, attempt: gap.seeksSinceRebuild))
        }
        return recovery
    }

    /// The consumer did not poll for `duration` (its buffer was full: the reader is slow), so
    /// nothing could arrive: that time counts neither toward a stall nor toward the next seek.
    mutating func consumerPaused(for duration: Duration) {
        pausedSinceIdleCheck = true
        for index in partitions.indices where partitions[index].gap != nil {
            partitions[index].gap?.nextSeekAt += duration
        }
    }

    /// The rebuilt fetch (with wait `fetchWait`) runs from `now`: the first seek of every open hole
    /// is one back-off later.
    mutating func resumeAfterRebuild(now: ContinuousClock.Instant, fetchWait: Duration) {
        let first = max(settings.initialBackoff, Self.seekSpacing(fetchWait))
        for index in partitions.indices where partitions[index].gap != nil {
            partitions[index].gap?.nextSeekAt = now + first
        }
    }

    /// The least time between two seeks of one partition when fetches wait up to `fetchWait`: a
    /// seek makes librdkafka discard the fetch in flight and send a new one, so seeks closer than
    /// two fetch waits apart would themselves keep anything from arriving.
    static func seekSpacing(_ fetchWait: Duration) -> Duration { fetchWait * 4 }

    /// Forgets every partition (a group consumer rebuilt: the group assigns them afresh).
    mutating func stopAll() {
        for key in Array(indices.keys) { stop(key) }
    }
}
