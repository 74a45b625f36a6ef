import WireProtocol

/// Assignments and accepted updates of the rounds not yet merged, plus the updates that came
/// too late for a round already merged (recorded, never mixed into a later round).
public struct AggregatorState: Sendable {
    public var mergedRound = 0
    public var assignments: [Int: Assignment] = [:]
    public var updates: [Int: [Int: ClientUpdate]] = [:]
    public var late: [Int: Set<Int>] = [:]
    /// When this process received each round's assignment and each update (not across restarts).
    public var assignedAt: [Int: ContinuousClock.Instant] = [:]
    public var arrivedAt: [Int: [Int: ContinuousClock.Instant]] = [:]

    public init() {}

    public enum Verdict: Sendable, Equatable {
        case accepted
        case duplicate
        case late
        /// Refused, with the reason in words (an unassigned client, a stale base model, bad content).
        case rejected(String)
    }

    /// Decides what to do with an update; the caller stores accepted ones durably first.
    /// `expectedParameters` is the parameter count of the client's model at its width.
    public func judge(_ update: ClientUpdate, expectedParameters: Int) -> Verdict {
        if let problem = UpdateContent.problem(with: update, expectedParameters: expectedParameters) {
            return .rejected(problem)
        }
        if update.round <= mergedRound { return .late }
        if updates[update.round]?[update.clientID] != nil { return .duplicate }
        if let assignment = assignments[update.round], let problem = UpdateContent.problem(with: update, under: assignment) {
            return .rejected(problem)
        }
        return .accepted
    }

    /// Seconds from the assignment's arrival to each update's, where this process saw both.
    public func arrivalSeconds(_ round: Int) -> [Int: Double] {
        guard let assigned = assignedAt[round] else { return [:] }
        return (arrivedAt[round] ?? [:]).mapValues { assigned.duration(to: $0).inSeconds }
    }

    public func arrived(_ round: Int) -> Set<Int> {
        Set(updates[round]?.keys.map { $0 } ?? [])
    }
}

/// What makes an update unusable, judged before it is spooled so that no update can stop the
/// aggregator: one NaN would poison the merged model, a wrong length would fail the merge every
/// round and on every restart.
public enum UpdateContent {
    /// A problem with the update on its own: digest, length, values, sample count.
    public static func problem(with update: ClientUpdate, expectedParameters: Int) -> String? {
        guard update.digestMatches else { return "its digest does not match its parameters" }
        let values = update.parameters.values
        guard values.count == expectedParameters else {
            return "it carries \(values.count) parameters, the client's model has \(expectedParameters)"
        }
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            return "parameter \(index) is \(values[index]) (not finite)"
        }
        guard update.sampleCount > 0 else { return "it claims \(update.sampleCount) samples" }
        guard update.trainLoss.isFinite, update.trainSeconds.isFinite, update.trainSeconds >= 0 else {
            return "its loss (\(update.trainLoss)) or training time (\(update.trainSeconds)) is not a finite number"
        }
        return nil
    }

    /// A problem with the update's privacy statement in a run with DP on: none, another mechanism
    /// or budget than the run's, or a spend past the budget (the guardian would not have trained).
    public static func problem(with update: ClientUpdate, privacy required: PrivacyRequirement?) -> String? {
        guard let required else { return nil }
        guard let statement = update.privacy else {
            return "the run trains with \(required.mechanism), the update states no privacy spend"
        }
        guard statement.mechanism == required.mechanism else {
            return "the run trains with \(required.mechanism), the update says \(statement.mechanism)"
        }
        guard statement.budgetEpsilon == required.epsilon, statement.delta == required.delta else {
            return "its privacy budget (ε=\(statement.budgetEpsilon), δ=\(statement.delta)) is not the run's (ε=\(required.epsilon), δ=\(required.delta))"
        }
        guard statement.epsilonAfter.isFinite, statement.withinBudget else {
            return "it states ε=\(statement.epsilonAfter) spent, past the budget of \(statement.budgetEpsilon)"
        }
        return nil
    }

    /// A problem with the update against its round's assignment: who was assigned, from which
    /// model, and how many samples the client bid.
    public static func problem(with update: ClientUpdate, under assignment: Assignment) -> String? {
        guard let instruction = assignment.instruction(for: update.clientID) else {
            return "client \(update.clientID) was not assigned round \(update.round)"
        }
        guard update.baseModelVersion == assignment.modelVersion else {
            return "it was trained on model v\(update.baseModelVersion), round \(update.round) uses v\(assignment.modelVersion)"
        }
        guard update.sampleCount <= instruction.bidSampleCount else {
            return "it claims \(update.sampleCount) samples, the client bid \(instruction.bidSampleCount)"
        }
        guard update.width == instruction.width else {
            return "it was trained at width \(update.width), the client was assigned width \(instruction.width)"
        }
        return nil
    }
}

/// What a run with differential privacy on requires of every update's privacy statement.
public struct PrivacyRequirement: Sendable, Hashable {
    public var mechanism: String
    public var epsilon: Double
    public var delta: Double

    public init(mechanism: String, epsilon: Double, delta: Double) {
        self.mechanism = mechanism
        self.epsilon = epsilon
        self.delta = delta
    }
}
