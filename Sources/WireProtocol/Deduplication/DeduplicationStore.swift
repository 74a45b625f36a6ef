import Synchronization

/// Where a ``ProtocolSubscriber`` remembers the ids of messages it has handled.
public protocol DeduplicationStore: Sendable {
    func contains(_ id: MessageID) -> Bool
    /// Records `id` as handled.
    func remember(_ id: MessageID) throws(ProtocolError)
}

/// A ``Deduplicator`` shared behind a mutex: survives redeliveries within one process, not a restart.
public final class InMemoryDeduplicator: DeduplicationStore {
    private let state: Mutex<Deduplicator>

    public init(capacity: Int = 100_000) {
        self.state = Mutex(Deduplicator(capacity: capacity))
    }

    public func contains(_ id: MessageID) -> Bool { state.withLock { $0.contains(id) } }

    public func remember(_ id: MessageID) throws(ProtocolError) { state.withLock { _ = $0.insert(id) } }

    public var count: Int { state.withLock { $0.count } }
}
