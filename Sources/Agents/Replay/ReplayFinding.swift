/// One place where what a run's log recorded does not follow from what it recorded before:
/// the entry, its round, what kind of decision, and both values.
public struct ReplayFinding: Sendable, Hashable, CustomStringConvertible {
    /// In the order a reader should see them at one entry: the inputs, then the plan, then the
    /// market and the record (a wrong selection also moves the market: the cause comes first).
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The decision names another strategy, version or parameters than the run's configuration.
        case strategy
        /// Two decisions were logged for one round.
        case duplicateDecision = "duplicate-decision"
        /// A bid (or an answer to an offer) the decision says it used was never logged.
        case bidNotLogged = "bid-not-logged"
        /// An eligible bid sent well before the bid deadline was logged but not used.
        case ignoredBid = "ignored-bid"
        /// The candidates the decision saw are not the logged bids it names.
        case candidates
        /// The strategy state the decision started from is not the one the logged feedback folds to.
        case stateBefore = "state-before"
        /// A language model brain asked other calls than the recorded ones (another prompt, more
        /// or fewer calls), or a recorded answer cannot be read back.
        case modelCalls = "model-calls"
        /// K does not follow from the state and the candidates.
        case k
        /// The preferred clients do not follow from the state and the candidates.
        case selection
        /// The state after planning is not the one planning gives.
        case stateAfter = "state-after"
        /// Winners, clearing price or payments do not follow from the plan and the asks.
        case market
        /// Payments add up to more than the budget.
        case budget
        /// Any other field of the recorded decision differs from the re-derived one.
        case decision
        /// An update was merged for a client the round did not assign.
        case mergedNotAssigned = "merged-not-assigned"
        /// A merged update's digest is not that of any update the client was logged sending.
        case mergedNotLogged = "merged-not-logged"
        /// A merged update's weight (its sample count) is not the one its update stated, or is
        /// more than its bid offered.
        case mergeWeight = "merge-weight"
        /// A privacy statement's ε does not follow from its mechanism, or passes its budget.
        case privacy

        /// Position in the reading order above.
        public var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    }

    /// The log entry that does not replay.
    public var entry: Int
    public var round: Int?
    public var kind: Kind
    /// What the log says.
    public var recorded: String
    /// What re-deriving it from the log's inputs gives.
    public var replayed: String

    public init(entry: Int, round: Int?, kind: Kind, recorded: String, replayed: String) {
        self.entry = entry
        self.round = round
        self.kind = kind
        self.recorded = recorded
        self.replayed = replayed
    }

    public var description: String {
        "entry \(entry)\(round.map { " (round \($0))" } ?? ""): \(kind.rawValue): recorded \(recorded); replay gives \(replayed)"
    }
}

/// What a replay checked and what it found.
public struct ReplayReport: Sendable, CustomStringConvertible {
    /// In log order.
    public var findings: [ReplayFinding] = []
    /// Decisions whose K, selection, state digests and market were re-derived.
    public var decisionsReplayed = 0
    /// Decisions of a language model re-derived by feeding its recorded answers back through the
    /// brain's guardrails (counted in ``decisionsReplayed`` too).
    public var modelDecisions = 0
    /// Decisions whose market (winners, price, payments, budget) was re-cleared from their plan.
    public var marketsCleared = 0
    public var bidsUsed = 0
    public var roundsAggregated = 0
    public var privacyStatements = 0

    public var isClean: Bool { findings.isEmpty }

    public var description: String {
        var lines = [
            "decisions: \(decisionsReplayed) re-derived (K, selection, state before and after, the whole record)"
                + (modelDecisions == 0 ? "" : "; \(modelDecisions) of them a language model's, from its recorded answers through the same guardrails"),
            "market: \(marketsCleared) rounds re-cleared from the plan and the asks; payments within the budget",
            "bids: \(bidsUsed) used, each logged; no eligible bid sent in time left out",
            "aggregation: \(roundsAggregated) rounds, every merged update assigned, logged with its digest and weighted by its stated samples",
            "privacy: \(privacyStatements) statements, each ε recomputed from its mechanism and within its budget",
        ]
        if !findings.isEmpty {
            lines.append("\(findings.count) finding\(findings.count == 1 ? "" : "s"):")
            lines += findings.map { "  \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}
