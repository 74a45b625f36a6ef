import Foundation
import LLMClient
import LLMTestSupport
@testable import Strategies
import Testing
import WireProtocol

/// The LLM brains against the real local model (llama.cpp's server with SmolLM2-135M-Instruct).
/// The model is weak: what it gets wrong is a real hallucination, and the guardrails must catch it.
@Suite(.localModel, .serialized) struct LLMBrainsOnTheLocalModelTests {
    /// `timeout`: the calls' limit (the default is the brains' own; a test of determinism waits
    /// longer, so a loaded machine's slow answer is not a failed call that changes the decision).
    func strategy(timeout: Double? = nil) throws -> StrategyRunner {
        let server = try LocalModelScope.current()
        var settings = LLMSettings()
        if let timeout { settings.timeoutSeconds = timeout }
        let binding = LLMBinding.http(baseURL: server.baseURL, settings: settings)
        return try StrategyCatalog.make(policy: "llm", kAgent: "llm", configuredK: 4, llm: binding)
    }

    func context(round: Int, history: [Double]) -> PlanningContext {
        Fixture.context(
            round: round, candidates: (0..<24).map { Fixture.candidate($0, ask: 1 + Double($0 % 5) * 0.5, samples: 100 + 13 * $0) },
            configuredK: 4, kBounds: 2...8, budget: 20, history: history)
    }

    @Test func everyPlanIsValidEveryCallIsRecordedAndMistakesAreCaught() async throws {
        var runner = try strategy()
        var history: [Double] = []
        var kinds: [String: Int] = [:]
        var calls: [ExternalCall] = []
        for round in 1...3 {
            let (plan, _, _) = try await runner.plan(context(round: round, history: history))
            // The seam checked it: K within bounds, K distinct candidates.
            #expect((2...8).contains(plan.k))
            #expect(Set(plan.selected).count == plan.k)
            calls += plan.externalCalls
            for event in plan.guardrails { kinds[event.kind, default: 0] += 1 }
            history.append(0.5 + 0.05 * Double(round))
            try runner.observe(RoundFeedback(
                round: round, testAccuracy: history.last!, testLoss: 1,
                outcomes: plan.selected.map { Fixture.merged($0, loss: 2.0 / Double(round)) }))
        }
        #expect(calls.count >= 6)
        for call in calls where call.failure == nil {
            #expect(call.promptTokens > 0 && call.completionTokens > 0)
            #expect(call.rawAnswer != nil && call.latencySeconds > 0)
            #expect(call.model == "SmolLM2-135M-Instruct")
        }
        let prompt = calls.map(\.promptTokens).reduce(0, +), completion = calls.map(\.completionTokens).reduce(0, +)
        print("LLM-BRAIN-FIGURE \(calls.count) calls in 3 rounds (selection + K), \(prompt) prompt and \(completion) completion tokens, mean latency \(String(format: "%.2f", calls.map(\.latencySeconds).reduce(0, +) / Double(calls.count))) s; guardrail findings by kind: \(kinds.sorted { $0.key < $1.key })")
    }

    @Test func theSameSeedAndTemperatureZeroGiveTheSameDecision() async throws {
        var first = try strategy(timeout: 120)
        var second = try strategy(timeout: 120)
        let a = try await first.plan(context(round: 1, history: []))
        let b = try await second.plan(context(round: 1, history: []))
        #expect(a.plan.externalCalls.allSatisfy { $0.failure == nil }, "\(a.plan.externalCalls.compactMap(\.failure))")
        #expect(a.plan.selected == b.plan.selected && a.plan.k == b.plan.k)
        #expect(a.stateAfter == b.stateAfter)
        #expect(a.plan.externalCalls.map(\.rawAnswer).map { $0.map(Self.content) } == b.plan.externalCalls.map(\.rawAnswer).map { $0.map(Self.content) })
    }

    /// The answer's content (its raw body also holds an id and timings that differ per call).
    static func content(_ raw: String) -> String {
        let object = try? JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any]
        let message = ((object?["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])
        return message?["content"] as? String ?? raw
    }
}
