import Foundation
import WireProtocol

/// A selection brain with its state as canonical JSON, so brains of different state types can sit
/// side by side as an LLM brain's tools.
public struct AnyClientSelector: Sendable {
    public let descriptor: StrategyDescriptor
    private let initial: @Sendable () throws -> Data
    private let selector: @Sendable (PlanningContext, Int, Data) async throws -> (Selection, Data)
    private let folder: @Sendable (RoundFeedback, Data) throws -> Data

    public init<S: ClientSelector>(_ brain: S) {
        descriptor = brain.descriptor
        let name = brain.descriptor.name
        initial = { try StrategyRunner.encode(brain.initialState()) }
        selector = { context, k, data in
            let (selection, next) = try await brain.select(context, k: k, state: try StrategyRunner.decode(S.State.self, from: data, strategy: name))
            return (selection, try StrategyRunner.encode(next))
        }
        folder = { feedback, data in
            try StrategyRunner.encode(brain.observe(feedback, state: try StrategyRunner.decode(S.State.self, from: data, strategy: name)))
        }
    }

    public var name: String { descriptor.name }

    public func initialState() -> Data { (try? initial()) ?? Data("{}".utf8) }

    public func select(_ context: PlanningContext, k: Int, state: Data) async throws -> (Selection, Data) {
        try await selector(context, k, state)
    }

    public func observe(_ feedback: RoundFeedback, state: Data) throws -> Data {
        try folder(feedback, state)
    }
}
