import Learning

/// The FedAvg baseline: K clients uniformly at random from those that bid, drawn from the seed
/// derived from (run seed, round, selection). `agentfl simulate` draws with the same function, so
/// a multi-process run and an in-process simulation select the same clients.
public struct RandomSelectionPolicy: SelectionPolicy {
    public let name = "random"

    public init() {}

    public func select(_ context: SelectionContext) async throws -> SelectionDecision {
        let ids = context.candidates.map(\.clientID)
        let seed = SeedDerivation.seed(run: context.runSeed, round: context.round, client: -1, purpose: .selection)
        let chosen = RandomSelection.choose(min(context.targetK, ids.count), from: ids, seed: seed)
        return SelectionDecision(
            selected: chosen,
            reason: "uniform random draw of \(chosen.count) of \(ids.count) bidders",
            inputs: ["selection_seed": String(seed), "candidates": ids.map(String.init).joined(separator: ",")]
        )
    }
}
