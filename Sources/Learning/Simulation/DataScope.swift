/// What of a run's data one process holds in memory. Every scope of the shared set knows every
/// training label (the partition is computed from them, the same in every process); the
/// training samples and the test set are decoded only where they are used.
public enum DataScope: Sendable, Hashable, CustomStringConvertible {
    /// Every client's samples and the test set: `agentfl simulate` and the in-process engine.
    case everything
    /// These clients' samples and no test set: a guardian process.
    case clients(Set<Int>)
    /// These clients' samples and the test set.
    case clientsAndTestSet(Set<Int>)
    /// The test set and no training samples: the aggregator, which evaluates.
    case testSetOnly
    /// One client's own training files, all of them its samples, and no test set: a guardian in
    /// a real deployment (`agentfl guardian --data PATH`). No shared set is partitioned; the
    /// other clients hold nothing here.
    case ownData(client: Int)

    public var holdsTestSet: Bool {
        switch self {
        case .everything, .clientsAndTestSet, .testSetOnly: true
        case .clients, .ownData: false
        }
    }

    /// Whether the scope is one client's own files rather than a share of the run's data set.
    public var isOwnData: Bool {
        if case .ownData = self { true } else { false }
    }

    public var description: String {
        switch self {
        case .everything: "every client and the test set"
        case .clients(let clients): "the samples of clients \(clients.sorted()) only"
        case .clientsAndTestSet(let clients): "the samples of clients \(clients.sorted()) and the test set"
        case .testSetOnly: "the test set only"
        case .ownData(let client): "client \(client)'s own training files"
        }
    }
}
