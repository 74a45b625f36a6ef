/// Remembers the most recent message ids, up to `capacity`, forgetting the oldest first (FIFO).
///
/// At-least-once delivery means a message may arrive again after a restart; a receiver that checks
/// here before applying it and records it after applying it applies each message once.
public struct Deduplicator: Sendable {
    public let capacity: Int
    private var members: Set<MessageID> = []
    /// Ring of ids in insertion order; `next` is the slot the next insertion overwrites once full.
    private var ring: [MessageID] = []
    private var next = 0

    public init(capacity: Int = 100_000) {
        self.capacity = max(1, capacity)
        members.reserveCapacity(min(self.capacity, 1 << 16))
    }

    public var count: Int { members.count }

    public func contains(_ id: MessageID) -> Bool { members.contains(id) }

    /// Records `id`; returns `false` if it was already remembered.
    @discardableResult
    public mutating func insert(_ id: MessageID) -> Bool {
        guard members.insert(id).inserted else { return false }
        if ring.count < capacity {
            ring.append(id)
        } else {
            members.remove(ring[next])
            ring[next] = id
            next = (next + 1) % capacity
        }
        return true
    }

    /// The remembered ids, oldest first.
    public var idsOldestFirst: [MessageID] {
        ring.count < capacity ? ring : Array(ring[next...] + ring[..<next])
    }
}
