import Foundation
import LLMClient
import WireProtocol

/// One call to the model, recorded whatever happens: the request as sent, the raw answer or the
/// failure, tokens, latency and cost. A decision keeps every such record, so the log shows what
/// the model saw and said, and a replay can feed the recorded answer back instead of calling.
struct LLMCall: Sendable {
    let client: any ChatCompleting
    let settings: LLMSettings
    /// The endpoint as recorded (credentials never appear: the key is sent in a header).
    let endpoint: String

    struct Outcome: Sendable {
        var content: String?
        var failure: ChatCompletionError?
        var record: ExternalCall
    }

    func ask(purpose: String, messages: [ChatMessage], schemaName: String, schema: LLMClient.JSONValue) async -> Outcome {
        let request = ChatCompletionRequest(
            messages: messages, responseFormat: .jsonSchema(name: schemaName, schema: schema, strict: true),
            maxTokens: settings.maxTokens, temperature: settings.temperature, seed: settings.seed)
        let requestText = Self.text(of: messages)
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let answer = try await client.complete(request)
            let prompt = answer.usage?.promptTokens ?? 0
            let completion = answer.usage?.completionTokens ?? 0
            return Outcome(content: answer.content, failure: nil, record: ExternalCall(
                purpose: purpose, url: endpoint, model: settings.model, request: requestText, rawAnswer: answer.rawBody, failure: nil,
                promptTokens: prompt, completionTokens: completion, latencySeconds: answer.latency.seconds,
                estimatedCost: settings.estimatedCost(promptTokens: prompt, completionTokens: completion)))
        } catch {
            return Outcome(content: nil, failure: error, record: ExternalCall(
                purpose: purpose, url: endpoint, model: settings.model, request: requestText, rawAnswer: nil, failure: error.description,
                promptTokens: 0, completionTokens: 0, latencySeconds: (error.latency ?? start.duration(to: clock.now)).seconds,
                estimatedCost: 0))
        }
    }

    /// Why a guardrail refused an answer: the kind it is counted under, and the reason the model
    /// is told when it is asked again.
    struct Refusal: Error, Equatable {
        var kind: String
        var detail: String
    }

    /// The guarded decision both LLM brains make: ask, check the answer with `validate`, and on a
    /// refusal ask again with the reason, at most `maxCallsPerDecision` calls in all. Every call
    /// and every refusal is returned; `answer` is nil when every call was refused, and the caller
    /// falls back to `fallback` (named in the last refusal's action).
    func decide<Answer>(
        purpose: String, messages first: [ChatMessage], schemaName: String, schema: LLMClient.JSONValue, fallback: String,
        validate: (Outcome) -> Result<Answer, Refusal>
    ) async -> (answer: Answer?, calls: [ExternalCall], guardrails: [GuardrailEvent]) {
        var messages = first
        var calls: [ExternalCall] = []
        var events: [GuardrailEvent] = []
        let attempts = max(1, settings.maxCallsPerDecision)
        for attempt in 1...attempts {
            let outcome = await ask(purpose: attempt == 1 ? purpose : "\(purpose)-retry", messages: messages, schemaName: schemaName, schema: schema)
            calls.append(outcome.record)
            switch validate(outcome) {
            case .success(let answer):
                return (answer, calls, events)
            case .failure(let refusal):
                events.append(GuardrailEvent(kind: refusal.kind, detail: refusal.detail, action: attempt == attempts ? "fell-back to \(fallback)" : "retried"))
                if let content = outcome.content { messages.append(.assistant(content)) }
                messages.append(.user("Your answer was refused: \(refusal.detail). Answer again with JSON that follows the schema."))
            }
        }
        return (nil, calls, events)
    }

    /// The conversation as canonical JSON text.
    static func text(of messages: [ChatMessage]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(messages)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
