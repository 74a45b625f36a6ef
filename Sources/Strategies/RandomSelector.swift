import Learning
import WireProtocol

/// FedAvg's baseline: K of the candidates uniformly at random, from the generator seeded by
/// (run seed, round, selection). No state.
public struct RandomSelector: ClientSelector {
    public struct State: Codable, Sendable, Equatable {}

    public init() {}

    public var descriptor: StrategyDescriptor { StrategyDescriptor(name: "random", version: 1) }

    public func initialState() -> State { State() }

    public func select(_ context: PlanningContext, k: Int, state: State) async throws -> (Selection, State) {
        let ids = context.candidateIDs
        let seed = SeedDerivation.seed(run: context.runSeed, round: context.round, client: -1, purpose: .selection)
        let chosen = RandomSelection.choose(min(k, ids.count), from: ids, seed: seed)
        return (Selection(clients: chosen, rationale: "uniform random draw of \(chosen.count) of \(ids.count) candidates (seed \(seed))"), state)
    }

    public func observe(_ feedback: RoundFeedback, state: State) -> State { state }
}
