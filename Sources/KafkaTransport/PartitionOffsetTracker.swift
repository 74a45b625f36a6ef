/// The next offset one partition should deliver, and what an arriving offset means against it.
///
/// On a topic that is neither compacted nor transactional, offsets are contiguous: every offset
/// from the start position on belongs to a record. An offset above the expected one is therefore
/// a record the fetch skipped (a gap), and one below it a record already delivered (a re-read,
/// e.g. after a seek back). The tracker is a plain value with no clock or I/O so that the rule is
/// tested on its own; `ConsumerGapGuard` builds the recovery on top of it.
public struct PartitionOffsetTracker: Sendable, Hashable {
    public enum Judgement: Sendable, Hashable {
        /// The expected offset: deliver it; the tracker now expects the next one.
        case inOrder
        /// Below the expected offset: already delivered, drop it.
        case reread
        /// Above the expected offset: the records in `missing` were skipped. The tracker is
        /// unchanged (it still expects `missing.lowerBound`).
        case gap(missing: Range<Int64>)
    }

    /// The offset that must come next; nil while unknown (then the first offset seen sets it).
    public private(set) var expected: Int64?

    /// `expected` nil means "take the first offset seen as the start" (only when nothing better is
    /// known, see `ConsumerCore`).
    public init(expected: Int64?) {
        self.expected = expected
    }

    public mutating func judge(_ offset: Int64) -> Judgement {
        guard let next = expected else {
            expected = offset + 1
            return .inOrder
        }
        if offset == next {
            expected = offset + 1
            return .inOrder
        }
        return offset < next ? .reread : .gap(missing: next..<offset)
    }
}
