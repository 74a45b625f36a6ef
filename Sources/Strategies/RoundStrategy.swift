import WireProtocol

/// The seam every brain plugs into: one object that plans a round (K, the clients, their work,
/// the rationale) from a context and an explicit state, and folds each round's feedback into the
/// next state. `agentfl run` (the server agent) and `agentfl simulate` drive the same object
/// through ``StrategyRunner``, so for deterministic brains they decide alike by construction.
public protocol RoundStrategy: Sendable {
    associatedtype State: Codable & Sendable & Equatable
    var descriptor: StrategyDescriptor { get }
    func initialState() -> State
    func plan(_ context: PlanningContext, state: State) async throws -> (RoundPlan, State)
    func observe(_ feedback: RoundFeedback, state: State) -> State
}

/// A K-Agent and a selection brain as one strategy: K first, then who; both see every round's
/// feedback. Checks the selection before anyone acts on it.
public struct ComposedStrategy<K: KAgent, S: ClientSelector>: RoundStrategy {
    public struct State: Codable, Sendable, Equatable {
        public var k: K.State
        public var selection: S.State
    }

    public let kAgent: K
    public let selector: S

    public init(kAgent: K, selector: S) {
        self.kAgent = kAgent
        self.selector = selector
    }

    public var descriptor: StrategyDescriptor {
        let k = kAgent.descriptor
        let s = selector.descriptor
        var parameters: [String: JSONValue] = [:]
        for (key, value) in k.parameters { parameters["k.\(key)"] = value }
        for (key, value) in s.parameters { parameters["selection.\(key)"] = value }
        parameters["k.version"] = .exact(k.version)
        parameters["selection.version"] = .exact(s.version)
        return StrategyDescriptor(name: "\(s.name)+\(k.name)", version: 1, parameters: parameters)
    }

    public func initialState() -> State {
        State(k: kAgent.initialState(), selection: selector.initialState())
    }

    public func plan(_ context: PlanningContext, state: State) async throws -> (RoundPlan, State) {
        let (choice, kState) = try await kAgent.chooseK(context, state: state.k)
        let k = min(max(choice.k, context.kBounds.lowerBound), context.kBounds.upperBound, context.candidates.count)
        var kRationale = choice.rationale
        if k != choice.k { kRationale += "; clamped from \(choice.k) to \(k) (bounds \(context.kBounds), \(context.candidates.count) candidates)" }
        let (selection, selectionState) = try await selector.select(context, k: k, state: state.selection)
        try Self.check(selection.clients, k: k, context: context, strategy: selector.descriptor.name)
        let plan = RoundPlan(
            k: k, kRationale: kRationale, selected: selection.clients, selectionRationale: selection.rationale,
            work: selection.work, externalCalls: choice.externalCalls + selection.externalCalls,
            guardrails: choice.guardrails + selection.guardrails)
        return (plan, State(k: kState, selection: selectionState))
    }

    public func observe(_ feedback: RoundFeedback, state: State) -> State {
        State(k: kAgent.observe(feedback, state: state.k), selection: selector.observe(feedback, state: state.selection))
    }

    /// Exactly K distinct candidates (K already capped by the candidate count).
    static func check(_ clients: [Int], k: Int, context: PlanningContext, strategy: String) throws(StrategyError) {
        let eligible = Set(context.candidateIDs)
        if let unknown = clients.first(where: { !eligible.contains($0) }) {
            throw .invalidSelection(strategy: strategy, reason: "client \(unknown) did not bid in round \(context.round)")
        }
        guard Set(clients).count == clients.count else {
            throw .invalidSelection(strategy: strategy, reason: "a client is chosen twice in \(clients)")
        }
        guard clients.count == k else {
            throw .invalidSelection(strategy: strategy, reason: "\(clients.count) clients chosen, K is \(k)")
        }
    }
}
