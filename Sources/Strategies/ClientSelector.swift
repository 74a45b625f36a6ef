import WireProtocol

/// Chooses which clients take part, given K. Stateful like ``KAgent``. The seam checks every
/// answer (``StrategyError/invalidSelection(strategy:reason:)``): exactly `min(k, candidates)`
/// distinct ids, each a candidate of the round.
public protocol ClientSelector: Sendable {
    associatedtype State: Codable & Sendable & Equatable
    var descriptor: StrategyDescriptor { get }
    func initialState() -> State
    func select(_ context: PlanningContext, k: Int, state: State) async throws -> (Selection, State)
    func observe(_ feedback: RoundFeedback, state: State) -> State
}
