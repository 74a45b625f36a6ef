import WireProtocol

/// Chooses how many clients a round takes. Stateful: `observe` folds each round's feedback into
/// the state the next `chooseK` reads, and the state is plain Codable data so a replay can rebuild
/// it from the log and a restarted server can resume it.
public protocol KAgent: Sendable {
    associatedtype State: Codable & Sendable & Equatable
    var descriptor: StrategyDescriptor { get }
    func initialState() -> State
    /// K for the round; the seam clamps it to the context's bounds and the candidates there are.
    func chooseK(_ context: PlanningContext, state: State) async throws -> (KChoice, State)
    func observe(_ feedback: RoundFeedback, state: State) -> State
}
