import Logging

/// Puts chunked payloads back together, byte-identical, and verifies their checksum.
///
/// Memory stays bounded: at most ``Limits/maximumPendingSets`` incomplete sets holding at most
/// ``Limits/maximumPendingBytes``; when a new chunk would exceed either, the oldest sets are dropped.
/// Sets that do not complete within ``Limits/timeout`` are dropped by ``expire(now:)``. Every drop
/// is logged and counted by reason, and reported once through ``takeDropped()`` so a caller that
/// tracks Kafka offsets per set can release them.
public struct Reassembler: Sendable {
    public struct Limits: Sendable, Hashable {
        public var maximumPendingSets: Int
        public var maximumPendingBytes: Int
        public var timeout: Duration

        public init(maximumPendingSets: Int = 64, maximumPendingBytes: Int = 1 << 30, timeout: Duration = .seconds(120)) {
            self.maximumPendingSets = max(1, maximumPendingSets)
            self.maximumPendingBytes = max(1, maximumPendingBytes)
            self.timeout = timeout
        }
    }

    public enum DropReason: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// The set did not complete within the timeout.
        case timedOut = "timed-out"
        /// Dropped to keep pending sets within the count or byte limit.
        case evicted = "evicted"
        /// Chunks of one payload id disagree about count, length or checksum.
        case inconsistent = "inconsistent"
        /// All chunks arrived but the whole does not match its checksum or length.
        case checksumMismatch = "checksum-mismatch"

        public var description: String { rawValue }
    }

    /// A set given up on.
    public struct DroppedSet: Sendable, Hashable {
        public var payloadID: MessageID
        public var reason: DropReason
        public var receivedChunks: Int
        public var expectedChunks: Int
    }

    private struct PendingSet {
        var count: Int
        var totalLength: Int
        var checksum: [UInt8]
        var chunks: [Int: ArraySlice<UInt8>]
        var bytes: Int
        var started: ContinuousClock.Instant
    }

    public let limits: Limits
    private let logger: Logger
    private var pending: [MessageID: PendingSet] = [:]
    /// Pending payload ids, oldest first.
    private var arrivalOrder: [MessageID] = []
    /// Recently completed ids, so a stray redelivered chunk does not open a set that can never complete.
    private var completed = Deduplicator(capacity: 1024)
    private var dropped: [DroppedSet] = []
    public private(set) var dropCounts: [DropReason: Int] = [:]
    public private(set) var pendingBytes = 0

    public init(limits: Limits = Limits(), logger: Logger) {
        self.limits = limits
        self.logger = logger
    }

    public var pendingSetCount: Int { pending.count }

    /// Adds one chunk. Returns the whole payload when this chunk completes it, `nil` otherwise.
    /// Throws if the chunk contradicts earlier chunks of its set or the whole fails its checksum
    /// (the set is dropped, counted and reported in both cases).
    public mutating func accept(
        _ frame: ChunkFrame, now: ContinuousClock.Instant = .now
    ) throws(ProtocolError) -> [UInt8]? {
        let id = frame.payloadID
        if completed.contains(id) {
            logger.debug("ignoring a repeated chunk of an already reassembled payload", metadata: ["payload": "\(id)"])
            return nil
        }
        if frame.count == 1 {
            return try finish(id, count: 1, totalLength: frame.totalLength, checksum: frame.checksum, chunks: [0: frame.data])
        }
        if var set = pending[id] {
            guard set.count == frame.count, set.totalLength == frame.totalLength, set.checksum == frame.checksum else {
                drop(id, reason: .inconsistent)
                throw .corrupt(reason: "chunk \(frame.index) of payload \(id) disagrees with earlier chunks about count, length or checksum")
            }
            if set.chunks[frame.index] == nil {
                set.bytes += frame.data.count
                pendingBytes += frame.data.count
                set.chunks[frame.index] = frame.data
            }
            pending[id] = set
        } else {
            makeRoom(forBytes: frame.data.count, newSet: true)
            pending[id] = PendingSet(count: frame.count, totalLength: frame.totalLength, checksum: frame.checksum,
                                     chunks: [frame.index: frame.data], bytes: frame.data.count, started: now)
            arrivalOrder.append(id)
            pendingBytes += frame.data.count
        }
        guard let set = pending[id] else { return nil }
        if set.chunks.count < set.count {
            if pendingBytes > limits.maximumPendingBytes { makeRoom(forBytes: 0, newSet: false, sparing: id) }
            return nil
        }
        remove(id)
        return try finish(id, count: set.count, totalLength: set.totalLength, checksum: set.checksum, chunks: set.chunks)
    }

    /// Drops sets older than the timeout; returns how many were dropped.
    @discardableResult
    public mutating func expire(now: ContinuousClock.Instant = .now) -> Int {
        let expired = arrivalOrder.filter { id in
            pending[id].map { now - $0.started > limits.timeout } ?? false
        }
        for id in expired { drop(id, reason: .timedOut) }
        return expired.count
    }

    /// The sets dropped since the last call.
    public mutating func takeDropped() -> [DroppedSet] {
        defer { dropped.removeAll() }
        return dropped
    }

    private mutating func finish(
        _ id: MessageID, count: Int, totalLength: Int, checksum: [UInt8], chunks: [Int: ArraySlice<UInt8>]
    ) throws(ProtocolError) -> [UInt8] {
        var whole: [UInt8] = []
        whole.reserveCapacity(totalLength)
        for index in 0..<count {
            guard let chunk = chunks[index] else { break }
            whole.append(contentsOf: chunk)
        }
        completed.insert(id)
        guard whole.count == totalLength, SHA256Digest.bytes(of: whole) == checksum else {
            record(DroppedSet(payloadID: id, reason: .checksumMismatch, receivedChunks: chunks.count, expectedChunks: count))
            throw .checksumMismatch(what: "reassembled payload \(id) (\(whole.count) of \(totalLength) bytes)")
        }
        return whole
    }

    private mutating func makeRoom(forBytes bytes: Int, newSet: Bool, sparing spared: MessageID? = nil) {
        while let oldest = arrivalOrder.first(where: { $0 != spared }),
              (newSet && pending.count >= limits.maximumPendingSets) || pendingBytes + bytes > limits.maximumPendingBytes
        {
            drop(oldest, reason: .evicted)
        }
    }

    private mutating func remove(_ id: MessageID) {
        guard let set = pending.removeValue(forKey: id) else { return }
        pendingBytes -= set.bytes
        arrivalOrder.removeAll { $0 == id }
    }

    private mutating func drop(_ id: MessageID, reason: DropReason) {
        guard let set = pending[id] else { return }
        remove(id)
        record(DroppedSet(payloadID: id, reason: reason, receivedChunks: set.chunks.count, expectedChunks: set.count))
    }

    private mutating func record(_ set: DroppedSet) {
        dropCounts[set.reason, default: 0] += 1
        dropped.append(set)
        logger.warning(
            "dropped an incomplete chunked payload",
            metadata: [
                "payload": "\(set.payloadID)", "reason": "\(set.reason)",
                "chunks": "\(set.receivedChunks)/\(set.expectedChunks)",
            ])
    }
}
