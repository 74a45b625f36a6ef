/// Where an explicitly assigned partition starts reading.
public enum KafkaStartOffset: Sendable, Hashable {
    /// The oldest record still stored.
    case beginning
    /// Only records produced after the assignment, as far as the broker's ListOffsets answer goes.
    /// Tansu 0.6 answers the base offset of the last record batch rather than the next offset, so
    /// there the records of that last batch are delivered too.
    case end
    /// The group's committed offset (needs a group id), else `auto.offset.reset`.
    case stored
    /// An absolute offset.
    case offset(Int64)
}
