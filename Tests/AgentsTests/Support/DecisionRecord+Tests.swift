import WireProtocol

extension DecisionRecord {
    /// A record for assignments that tests build by hand (forged, or for content checks).
    static let handMade = DecisionRecord(
        strategy: StrategyDescriptor(name: "hand-made", version: 1), stateBefore: "", stateAfter: "", candidatesDigest: "",
        bidMessageIDs: [], declined: [], k: 0, kRationale: "by hand", preferred: [], selectionRationale: "by hand",
        runSeed: 0, budget: 0)
}
