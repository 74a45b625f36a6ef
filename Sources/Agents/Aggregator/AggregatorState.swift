import WireProtocol

/// Assignments and accepted updates of the rounds not yet merged, plus the updates that came
/// too late for a round already merged (recorded, never mixed into a later round).
public struct AggregatorState: Sendable {
    public var mergedRound = 0
    public var assignments: [Int: Assignment] = [:]
    public var updates: [Int: [Int: ClientUpdate]] = [:]
    public var late: [Int: Set<Int>] = [:]

    public init() {}

    public enum Verdict: Sendable, Equatable {
        case accepted
        case duplicate
        case late
        case unassigned
        case staleModel(expected: Int)
        case badDigest
    }

    /// Decides what to do with an update; the caller stores accepted ones durably first.
    public func judge(_ update: ClientUpdate) -> Verdict {
        guard update.digestMatches else { return .badDigest }
        if update.round <= mergedRound { return .late }
        if updates[update.round]?[update.clientID] != nil { return .duplicate }
        if let assignment = assignments[update.round] {
            if !assignment.selected.contains(update.clientID) { return .unassigned }
            if update.baseModelVersion != assignment.modelVersion {
                return .staleModel(expected: assignment.modelVersion)
            }
        }
        return .accepted
    }

    public func arrived(_ round: Int) -> Set<Int> {
        Set(updates[round]?.keys.map { $0 } ?? [])
    }
}
