import WireProtocol

/// The FedAvg baseline's K: the configured value every round (the seam caps it by the bounds
/// and the number of candidates).
public struct FixedK: KAgent {
    public struct State: Codable, Sendable, Equatable {}

    public let value: Int

    public init(_ value: Int) { self.value = value }

    public var descriptor: StrategyDescriptor {
        StrategyDescriptor(name: "k-fixed", version: 1, parameters: ["k": .exact(value)])
    }

    public func initialState() -> State { State() }

    public func chooseK(_ context: PlanningContext, state: State) async throws -> (KChoice, State) {
        (KChoice(k: value, rationale: "fixed K = \(value)"), state)
    }

    public func observe(_ feedback: RoundFeedback, state: State) -> State { state }
}
