import Foundation

/// The server agent's call for participation: a new round, the model it starts from, the training
/// recipe, the deadlines and the budget the clearing may spend.
public struct RoundAnnouncement: ProtocolMessage, Hashable {
    public static let messageType = MessageType.roundAnnouncement
    public static let schemaVersion = 1

    public var runID: String
    public var round: Int
    public var modelVersion: Int
    public var task: TrainingTask
    /// Bids arriving after this instant are not considered.
    public var bidDeadline: Date
    /// Updates arriving after this instant are late.
    public var roundDeadline: Date
    public var budget: Double
    /// The run seed; every random draw derives from (seed, round, client, purpose).
    public var seed: UInt64

    public init(
        runID: String, round: Int, modelVersion: Int, task: TrainingTask,
        bidDeadline: Date, roundDeadline: Date, budget: Double, seed: UInt64
    ) {
        self.runID = runID
        self.round = round
        self.modelVersion = modelVersion
        self.task = task
        self.bidDeadline = bidDeadline
        self.roundDeadline = roundDeadline
        self.budget = budget
        self.seed = seed
    }

    public var recordKey: String? { String(round) }
}

extension RoundAnnouncement {
    public var authorship: Authorship { Authorship(sender: .exactly(SenderName.server), round: round, runID: runID) }
}
