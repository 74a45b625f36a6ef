import Foundation
import LLMClient
import WireProtocol

/// K chosen by a language model from a summary of the round (accuracy trend, failures, budget
/// against the asks, the bounds) and a compact memory of the last rounds. Guardrails: the answer
/// parses against the schema, K lies within the bounds, and K clients at the median ask fit the
/// budget; a refused or failed answer is retried once with the reason, then the round falls back
/// to the fallback K-Agent (which observes every round, so it is ready).
public struct LLMKAgent<Fallback: KAgent>: KAgent {
    public struct State: Codable, Sendable, Equatable {
        public var fallback: Fallback.State
        public var memory: [String]
        public var pendingK: Int?
    }

    public let fallback: Fallback
    public let client: any ChatCompleting
    public let settings: LLMSettings
    public let endpoint: String
    public let memoryRounds = 3

    public init(fallback: Fallback, client: any ChatCompleting, settings: LLMSettings, endpoint: String) {
        self.fallback = fallback
        self.client = client
        self.settings = settings
        self.endpoint = endpoint
    }

    public var descriptor: StrategyDescriptor {
        var parameters: [String: WireProtocol.JSONValue] = [
            "model": .string(settings.model), "temperature": .number(settings.temperature), "seed": .exact(settings.seed),
            "max_tokens": .exact(settings.maxTokens), "max_calls": .exact(settings.maxCallsPerDecision),
            "fallback": .string(fallback.descriptor.name), "memory_rounds": .exact(memoryRounds),
        ]
        for (key, value) in fallback.descriptor.parameters { parameters["fallback.\(key)"] = value }
        return StrategyDescriptor(name: "k-llm", version: 1, parameters: parameters)
    }

    public func initialState() -> State { State(fallback: fallback.initialState(), memory: [], pendingK: nil) }

    struct Answer: Decodable, Equatable {
        var k: Int
        var reason: String
    }

    /// The conversation the model is sent first for this round (what `chooseK` sends).
    public func messages(_ context: PlanningContext, state: State) async throws -> [ChatMessage] {
        let (suggestion, _) = try await fallback.chooseK(context, state: state.fallback)
        return conversation(context, state: state, suggestion: suggestion.k)
    }

    private func conversation(_ context: PlanningContext, state: State, suggestion: Int) -> [ChatMessage] {
        [.system(Self.systemPrompt), .user(prompt(context, state: state, suggestion: suggestion))]
    }

    public func chooseK(_ context: PlanningContext, state: State) async throws -> (KChoice, State) {
        let (fallbackChoice, fallbackState) = try await fallback.chooseK(context, state: state.fallback)
        var next = state
        next.fallback = fallbackState
        let (decided, calls, events) = await LLMCall(client: client, settings: settings, endpoint: endpoint).decide(
            purpose: "k", messages: conversation(context, state: state, suggestion: fallbackChoice.k),
            schemaName: "k", schema: Self.schema, fallback: fallback.descriptor.name
        ) { validate($0, context: context) }
        if let answer = decided {
            next.pendingK = answer.k
            return (KChoice(k: answer.k, rationale: "LLM chose K = \(answer.k): \(answer.reason.prefix(160))", externalCalls: calls, guardrails: events), next)
        }
        next.pendingK = fallbackChoice.k
        return (KChoice(
            k: fallbackChoice.k, rationale: "LLM answer refused; fell back to \(fallback.descriptor.name): \(fallbackChoice.rationale)",
            externalCalls: calls + fallbackChoice.externalCalls, guardrails: events + fallbackChoice.guardrails), next)
    }

    public func observe(_ feedback: RoundFeedback, state: State) -> State {
        var next = state
        next.fallback = fallback.observe(feedback, state: state.fallback)
        let failed = feedback.outcomes.filter { $0.status != .merged }.count
        next.memory.append("round \(feedback.round): K \(state.pendingK.map(String.init) ?? "?"), accuracy \(RoundSummary.number(feedback.testAccuracy)), \(failed) of \(feedback.outcomes.count) missing or excluded")
        next.memory = Array(next.memory.suffix(memoryRounds))
        next.pendingK = nil
        return next
    }

    static var systemPrompt: String {
        """
        You choose K, how many clients train in this round of federated learning. More clients learn faster per \
        round but cost more and move more data; when accuracy still rises steadily, a smaller K saves traffic; when it \
        stalls or clients fail, a larger K helps. K must lie within the bounds and K clients at the median ask must \
        fit the budget. Answer only with JSON that follows the schema.
        """
    }

    func prompt(_ context: PlanningContext, state: State, suggestion: Int) -> String {
        var lines = RoundSummary.header(context)
        lines.append("A rule-based K-Agent suggests K = \(suggestion).")
        lines.append("Memory: " + (state.memory.isEmpty ? "none" : state.memory.joined(separator: "; ")))
        return lines.joined(separator: "\n")
    }

    static var schema: LLMClient.JSONValue {
        [
            "type": "object",
            "properties": ["k": ["type": "integer"], "reason": ["type": "string", "maxLength": .integer(LLMSelector.reasonLength)]],
            "required": ["k", "reason"],
            "additionalProperties": false,
        ]
    }

    func validate(_ outcome: LLMCall.Outcome, context: PlanningContext) -> Result<Answer, LLMCall.Refusal> {
        if let failure = outcome.failure {
            return .failure(.init(kind: failure.guardrailKind, detail: "the call failed: \(failure.kind)"))
        }
        guard let content = outcome.content, let data = content.data(using: .utf8),
              let answer = try? JSONDecoder().decode(Answer.self, from: data)
        else {
            return .failure(.init(kind: "schema", detail: "the answer is not the schema's JSON: \(String((outcome.content ?? "").prefix(120)).debugDescription)"))
        }
        let upper = min(context.kBounds.upperBound, context.candidates.count)
        guard answer.k >= context.kBounds.lowerBound, answer.k <= upper else {
            return .failure(.init(kind: "k-out-of-bounds", detail: "K = \(answer.k) is outside \(context.kBounds.lowerBound)...\(upper)"))
        }
        let cost = Double(answer.k) * RoundSummary.medianAsk(context)
        guard cost <= context.budget else {
            return .failure(.init(kind: "over-budget", detail: "K = \(answer.k) clients at the median ask cost \(RoundSummary.number(cost, digits: 2)), over the budget \(RoundSummary.number(context.budget, digits: 2))"))
        }
        return .success(answer)
    }
}
