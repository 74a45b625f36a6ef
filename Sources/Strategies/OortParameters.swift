import WireProtocol

/// Every hyperparameter of ``OortSelector``. Defaults follow FedScale's Oort
/// (`fedscale/cloud/config_parser.py` and `thirdparty/oort/oort.py` in SymbioticLab/FedScale),
/// except the two the brief fixes, which follow Oort's own repository (SymbioticLab/Oort,
/// `training/argParser.py`) or `oort.py`'s own default: the exploration floor (0.2) and the
/// clip bound (0.95). Each doc comment names the FedScale argument it stands for.
public struct OortParameters: Codable, Sendable, Hashable {
    /// Where a client's duration (the straggler penalty's input) comes from.
    public enum DurationSource: String, Codable, Sendable, Hashable, CaseIterable {
        /// `Candidate.declaredSeconds(localEpochs:)` from the round's bid: deterministic, so
        /// `run` and `simulate` decide alike.
        case declared
        /// The training seconds the client's guardian measured the last time it took part
        /// (its declaration until then). Wall-clock: `run` and `simulate` may then differ.
        case measured
    }

    /// Share of the round's slots given to exploration at the start (`--exploration_factor`, 0.9).
    public var explorationFactor: Double = 0.9
    /// Factor the exploration share is multiplied by every round (`--exploration_decay`, 0.98).
    public var explorationDecay: Double = 0.98
    /// Floor of the exploration share (`--exploration_min`: 0.3 in FedScale, 0.2 in Oort's repo and here).
    public var explorationMin: Double = 0.2
    /// Quantile of the known utilities that caps every utility before normalising
    /// (`--clip_bound`: 0.9 in FedScale's config, 0.95 as `get_norm`'s default and here).
    public var clipBound: Double = 0.95
    /// Percentile (0–100) of the candidates' durations taken as the preferred round duration T;
    /// 100 or more disables the straggler penalty (`--round_threshold`, 30).
    public var roundThreshold: Double = 30
    /// Exponent α of the straggler penalty (T / duration)^α for clients slower than T (`--round_penalty`, 2).
    public var roundPenalty: Double = 2
    /// Rounds in one pacer window; the pacer compares the last window's exploitation utility
    /// with the one before, every `pacerStep` rounds (`--pacer_step`, 20).
    public var pacerStep: Int = 20
    /// Percentile points the pacer moves `roundThreshold` by (`--pacer_delta`, 5).
    public var pacerDelta: Double = 5
    /// The pacer relaxes T (threshold + delta) when the windows' utilities differ by at most this
    /// fraction of the earlier one (FedScale hard-codes 0.1).
    public var pacerFlatTolerance: Double = 0.1
    /// The pacer tightens T (threshold − delta) when the windows' utilities differ by at least
    /// this multiple of the earlier one (FedScale hard-codes 5).
    public var pacerSharpChange: Double = 5
    /// Exploitation samples among clients scoring at least this fraction of the score at the
    /// exploitation cut-off (`--cut_off_util`, 0.05).
    public var cutOffUtil: Double = 0.05
    /// The exploitation pool keeps clients below the cut-off until it holds more than this many
    /// times the exploitation slots (FedScale hard-codes 10).
    public var exploitPoolFactor: Double = 10
    /// Exploration samples among the best `sampleWindow` × slots unexplored clients by size
    /// (`--sample_window`, 5).
    public var sampleWindow: Double = 5
    /// Weight c of the staleness bonus sqrt(c · ln t / t_last) (FedScale hard-codes 0.1).
    public var stalenessWeight: Double = 0.1
    /// A client that took part more than this many times is left out of exploitation; nil
    /// disables the blacklist (`--blacklist_rounds`, -1 = disabled).
    public var blacklistRounds: Int? = nil
    /// Largest share of the known clients the blacklist may hold (`--blacklist_max_len`, 0.3).
    public var blacklistMaxFraction: Double = 0.3
    /// Declared (default) or measured durations for the straggler penalty.
    public var durationSource: DurationSource = .declared

    public init() {}

    /// Decodes the parameters a configuration names; the rest keep their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = OortParameters()
        explorationFactor = try c.decodeIfPresent(Double.self, forKey: .explorationFactor) ?? d.explorationFactor
        explorationDecay = try c.decodeIfPresent(Double.self, forKey: .explorationDecay) ?? d.explorationDecay
        explorationMin = try c.decodeIfPresent(Double.self, forKey: .explorationMin) ?? d.explorationMin
        clipBound = try c.decodeIfPresent(Double.self, forKey: .clipBound) ?? d.clipBound
        roundThreshold = try c.decodeIfPresent(Double.self, forKey: .roundThreshold) ?? d.roundThreshold
        roundPenalty = try c.decodeIfPresent(Double.self, forKey: .roundPenalty) ?? d.roundPenalty
        pacerStep = try c.decodeIfPresent(Int.self, forKey: .pacerStep) ?? d.pacerStep
        pacerDelta = try c.decodeIfPresent(Double.self, forKey: .pacerDelta) ?? d.pacerDelta
        pacerFlatTolerance = try c.decodeIfPresent(Double.self, forKey: .pacerFlatTolerance) ?? d.pacerFlatTolerance
        pacerSharpChange = try c.decodeIfPresent(Double.self, forKey: .pacerSharpChange) ?? d.pacerSharpChange
        cutOffUtil = try c.decodeIfPresent(Double.self, forKey: .cutOffUtil) ?? d.cutOffUtil
        exploitPoolFactor = try c.decodeIfPresent(Double.self, forKey: .exploitPoolFactor) ?? d.exploitPoolFactor
        sampleWindow = try c.decodeIfPresent(Double.self, forKey: .sampleWindow) ?? d.sampleWindow
        stalenessWeight = try c.decodeIfPresent(Double.self, forKey: .stalenessWeight) ?? d.stalenessWeight
        blacklistRounds = try c.decodeIfPresent(Int.self, forKey: .blacklistRounds) ?? d.blacklistRounds
        blacklistMaxFraction = try c.decodeIfPresent(Double.self, forKey: .blacklistMaxFraction) ?? d.blacklistMaxFraction
        durationSource = try c.decodeIfPresent(DurationSource.self, forKey: .durationSource) ?? d.durationSource
    }

    /// One line of help per parameter, by the name it has in the descriptor and in `Codable`
    /// (a flag is `--oort-` and the name in kebab case, e.g. `--oort-exploration-factor`).
    public static let help: [(name: String, help: String)] = [
        ("explorationFactor", "initial share of the slots given to exploring unseen clients (FedScale exploration_factor)"),
        ("explorationDecay", "factor the exploration share is multiplied by every round (exploration_decay)"),
        ("explorationMin", "floor of the exploration share (exploration_min)"),
        ("clipBound", "quantile of the known utilities that caps each utility before normalising (clip_bound)"),
        ("roundThreshold", "percentile of the candidates' durations taken as the preferred duration T; 100 disables the straggler penalty (round_threshold)"),
        ("roundPenalty", "exponent alpha of the straggler penalty (T/duration)^alpha (round_penalty)"),
        ("pacerStep", "rounds per pacer window (pacer_step)"),
        ("pacerDelta", "percentile points the pacer moves the round threshold by (pacer_delta)"),
        ("pacerFlatTolerance", "relative change of windowed utility at or below which the pacer relaxes T"),
        ("pacerSharpChange", "relative change of windowed utility at or above which the pacer tightens T"),
        ("cutOffUtil", "exploitation samples among clients scoring at least this fraction of the cut-off score (cut_off_util)"),
        ("exploitPoolFactor", "the exploitation pool grows past the cut-off until it holds this many times the slots"),
        ("sampleWindow", "exploration samples among this many times the slots of the largest unseen clients (sample_window)"),
        ("stalenessWeight", "weight c of the staleness bonus sqrt(c ln t / t_last)"),
        ("blacklistRounds", "leave a client out of exploitation after more than this many participations; unset disables (blacklist_rounds)"),
        ("blacklistMaxFraction", "largest share of the known clients the blacklist may hold (blacklist_max_len)"),
        ("durationSource", "declared (bid, deterministic) or measured (last training seconds) durations for the straggler penalty"),
    ]

    /// Throws ``StrategyError/invalidConfiguration(_:)`` naming the first value out of range.
    public func validate() throws(StrategyError) {
        func require(_ ok: Bool, _ name: String, _ value: Any, _ range: String) throws(StrategyError) {
            if !ok { throw .invalidConfiguration("oort parameter \(name) is \(value); it must be \(range)") }
        }
        try require((0...1).contains(explorationFactor), "explorationFactor", explorationFactor, "in 0...1")
        try require(explorationDecay > 0 && explorationDecay <= 1, "explorationDecay", explorationDecay, "in (0, 1]")
        try require((0...1).contains(explorationMin), "explorationMin", explorationMin, "in 0...1")
        try require(clipBound > 0 && clipBound <= 1, "clipBound", clipBound, "in (0, 1]")
        try require(roundThreshold >= 0 && roundThreshold.isFinite, "roundThreshold", roundThreshold, "a percentile ≥ 0")
        try require(roundPenalty >= 0 && roundPenalty.isFinite, "roundPenalty", roundPenalty, "≥ 0")
        try require(pacerStep >= 1, "pacerStep", pacerStep, "≥ 1")
        try require(pacerDelta >= 0 && pacerDelta.isFinite, "pacerDelta", pacerDelta, "≥ 0")
        try require(pacerFlatTolerance >= 0 && pacerFlatTolerance.isFinite, "pacerFlatTolerance", pacerFlatTolerance, "≥ 0")
        try require(pacerSharpChange > pacerFlatTolerance && pacerSharpChange.isFinite, "pacerSharpChange", pacerSharpChange, "above pacerFlatTolerance")
        try require((0...1).contains(cutOffUtil), "cutOffUtil", cutOffUtil, "in 0...1")
        try require(exploitPoolFactor >= 1 && exploitPoolFactor.isFinite, "exploitPoolFactor", exploitPoolFactor, "≥ 1")
        try require(sampleWindow >= 1 && sampleWindow.isFinite, "sampleWindow", sampleWindow, "≥ 1")
        try require(stalenessWeight >= 0 && stalenessWeight.isFinite, "stalenessWeight", stalenessWeight, "≥ 0")
        try require(blacklistRounds.map { $0 >= 0 } ?? true, "blacklistRounds", blacklistRounds as Any, "≥ 0 or unset")
        try require((0...1).contains(blacklistMaxFraction), "blacklistMaxFraction", blacklistMaxFraction, "in 0...1")
    }

    /// Every parameter and its value, as a decision record's descriptor names them.
    public var descriptorParameters: [String: JSONValue] {
        [
            "explorationFactor": .number(explorationFactor),
            "explorationDecay": .number(explorationDecay),
            "explorationMin": .number(explorationMin),
            "clipBound": .number(clipBound),
            "roundThreshold": .number(roundThreshold),
            "roundPenalty": .number(roundPenalty),
            "pacerStep": .exact(pacerStep),
            "pacerDelta": .number(pacerDelta),
            "pacerFlatTolerance": .number(pacerFlatTolerance),
            "pacerSharpChange": .number(pacerSharpChange),
            "cutOffUtil": .number(cutOffUtil),
            "exploitPoolFactor": .number(exploitPoolFactor),
            "sampleWindow": .number(sampleWindow),
            "stalenessWeight": .number(stalenessWeight),
            "blacklistRounds": blacklistRounds.map { .exact($0) } ?? .null,
            "blacklistMaxFraction": .number(blacklistMaxFraction),
            "durationSource": .string(durationSource.rawValue),
        ]
    }
}
