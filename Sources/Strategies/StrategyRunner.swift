import Crypto
import Foundation
import WireProtocol

/// A strategy with its state held as canonical JSON: what the server agent and the in-process
/// engine drive, what a checkpoint saves, and what a decision record's digests are taken of.
/// One runner, one state: `plan` and `observe` move it forward.
public struct StrategyRunner: Sendable {
    public let descriptor: StrategyDescriptor
    /// The current state, canonical JSON (sorted keys): digests are taken of these bytes.
    public private(set) var state: Data
    private let planner: @Sendable (PlanningContext, Data) async throws -> (RoundPlan, Data)
    private let folder: @Sendable (RoundFeedback, Data) throws -> Data
    private let validator: @Sendable (Data) throws -> Void

    public init<S: RoundStrategy>(_ strategy: S) {
        descriptor = strategy.descriptor
        let name = strategy.descriptor.name
        state = (try? Self.encode(strategy.initialState())) ?? Data()
        planner = { context, data in
            let (plan, next) = try await strategy.plan(context, state: try Self.decode(S.State.self, from: data, strategy: name))
            return (plan, try Self.encode(next))
        }
        folder = { feedback, data in
            try Self.encode(strategy.observe(feedback, state: try Self.decode(S.State.self, from: data, strategy: name)))
        }
        validator = { data in _ = try Self.decode(S.State.self, from: data, strategy: name) }
    }

    /// Lowercase hex SHA-256 of the current state.
    public var stateDigest: String { Self.digest(state) }

    /// Plans a round from the current state and moves to the state after planning.
    public mutating func plan(_ context: PlanningContext) async throws -> (plan: RoundPlan, stateBefore: String, stateAfter: String) {
        let before = stateDigest
        let (plan, next) = try await planner(context, state)
        state = next
        return (plan, before, Self.digest(next))
    }

    /// Folds a round's feedback into the state.
    public mutating func observe(_ feedback: RoundFeedback) throws {
        state = try folder(feedback, state)
    }

    /// Replaces the state with a saved one (a restarted server's checkpoint), after checking that
    /// it decodes as this strategy's state.
    public mutating func restore(_ saved: Data) throws {
        try validator(saved)
        state = saved
    }

    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data, strategy: String) throws(StrategyError) -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw .unreadableState(strategy: strategy, reason: "\(error)")
        }
    }

    public static func digest(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// Lowercase hex SHA-256 of the candidates' canonical JSON, as a decision record names them.
    public static func digest(of candidates: [Candidate]) -> String {
        digest((try? encode(candidates)) ?? Data())
    }
}
