/// What an aggregation rule needs of a round, checked before a run starts rather than when the
/// rule first meets a round it cannot merge.
///
/// A round merges between `smallest` and `largest` updates: in one process every selected
/// client's, so K; in `agentfl run` the aggregator may settle for its quorum, ⌈q·K⌉ (at least 1),
/// after the round deadline. Each rule's need follows its implementation:
/// - FedAvg and the coordinate-wise median merge any n ≥ 1.
/// - Trimmed mean drops ⌊β·n⌋ values on each side, so it needs β in [0, 0.5) and
///   n > 2⌊β·n⌋ (which β < 0.5 implies).
/// - Krum and multi-Krum score each update over its n − f − 2 nearest neighbours and need
///   n ≥ 2f + 3 (Blanchard et al. 2017); multi-Krum averages the m best and must leave the f
///   presumed Byzantine out, so m ≤ n − f.
public enum AggregationConstraintViolation: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidParameter(String)
    /// The rule needs `needed` updates and a round may merge only `smallest`.
    case tooFewUpdates(rule: String, needed: Int, smallest: Int, requirement: String)
    /// Multi-Krum's m above n − f for the smallest round.
    case tooManySelected(m: Int, f: Int, smallest: Int)

    public var description: String {
        switch self {
        case .invalidParameter(let reason):
            reason
        case .tooFewUpdates(let rule, let needed, let smallest, let requirement):
            "\(rule) needs at least \(needed) updates per round (\(requirement)), but a round may merge only \(smallest)"
        case .tooManySelected(let m, let f, let smallest):
            "multi-Krum's m=\(m) must be at most n − f = \(smallest - f) for the smallest round (n=\(smallest), f=\(f))"
        }
    }
}

extension AggregationChoice {
    /// Why this rule cannot merge every round of `smallest...largest` updates; nil when it can.
    public func violation(mergingAtLeast smallest: Int, atMost largest: Int) -> AggregationConstraintViolation? {
        switch self {
        case .fedAvg, .median:
            return nil
        case .trimmedMean(let fraction):
            guard fraction >= 0, fraction < 0.5, fraction.isFinite else {
                return .invalidParameter("trim fraction must be in [0, 0.5), got \(fraction)")
            }
            for n in max(smallest, 1)...max(largest, smallest, 1) where n <= 2 * Int(fraction * Double(n)) {
                return .tooFewUpdates(rule: "trimmed mean (β=\(fraction))", needed: 2 * Int(fraction * Double(n)) + 1, smallest: n,
                                      requirement: "n > 2⌊β·n⌋")
            }
            return nil
        case .krum(let f, let m):
            guard f >= 0 else { return .invalidParameter("Krum's f must not be negative, got \(f)") }
            guard m >= 1 else { return .invalidParameter("multi-Krum's m must be at least 1, got \(m)") }
            guard smallest >= 2 * f + 3 else {
                return .tooFewUpdates(rule: m == 1 ? "Krum (f=\(f))" : "multi-Krum (f=\(f), m=\(m))", needed: 2 * f + 3,
                                      smallest: smallest, requirement: "n ≥ 2f+3")
            }
            guard m <= smallest - f else { return .tooManySelected(m: m, f: f, smallest: smallest) }
            return nil
        }
    }

    /// `problem(mergingAtLeast:atMost:)`'s violation as a sentence.
    public func problem(mergingAtLeast smallest: Int, atMost largest: Int) -> String? {
        violation(mergingAtLeast: smallest, atMost: largest)?.description
    }
}
