/// Why ``AuditProofBuilder`` cannot make the proof asked for, naming the bad input.
public enum AuditProofRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    case entryOutOfRange(entry: Int, entries: Int)
    case noSignedHeads
    /// The largest signed head covers entries 0..<largest, which leaves `entry` out.
    case noHeadCovers(entry: Int, largest: Int)
    /// A size that is not the tree size of any signed head.
    case notASignedHead(treeSize: Int, signed: [Int])
    case sizesOutOfOrder(from: Int, to: Int)
    case emptyFirstTree

    public var description: String {
        switch self {
        case .entryOutOfRange(let entry, let entries):
            "entry \(entry) is not in the log: it has \(entries) entr\(entries == 1 ? "y" : "ies") (indices 0..<\(entries))"
        case .noSignedHeads:
            "the log has no signed tree head (none in it, none given): there is nothing to prove against"
        case .noHeadCovers(let entry, let largest):
            "no signed tree head covers entry \(entry): the largest covers entries 0..<\(largest)"
        case .notASignedHead(let size, let signed):
            "tree size \(size) is not the size of a signed tree head; signed sizes: \(signed.map(String.init).joined(separator: ", "))"
        case .sizesOutOfOrder(let from, let to):
            "--from \(from) is larger than --to \(to): a consistency proof goes from the older (smaller) head to the newer"
        case .emptyFirstTree:
            "a consistency proof from the empty tree proves nothing (it is a prefix of every log); pick a head of size 1 or more"
        }
    }
}
