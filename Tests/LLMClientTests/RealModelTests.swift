import Foundation
import LLMClient
import LLMTestSupport
import Testing

/// The client against the real local model (llama-server + SmolLM2-135M-Instruct), started once
/// for the suite. Serialized: one slot, and latencies are measured.
@Suite("Chat completion client against the real local model", .serialized, .localModel)
struct RealModelTests {
    static let candidates = ["c01", "c02", "c03", "c04", "c05", "c06", "c07", "c08"]

    func client(maxTokens: Int = 64, temperature: Double? = 0, seed: Int? = 42) throws -> ChatCompletionClient {
        let server = try LocalModelScope.current()
        return ChatCompletionClient(configuration: ChatCompletionConfiguration(
            baseURL: server.baseURL, model: "SmolLM2-135M-Instruct", totalTimeout: .seconds(60),
            maxTokens: maxTokens, temperature: temperature, seed: seed))
    }

    @Test func healthIsOK() async throws {
        #expect(try await client().healthStatus() == 200)
    }

    @Test func plainChatAnswer() async throws {
        let answer = try await client(maxTokens: 32).complete(.init(messages: [
            .system("You are a helpful assistant. Answer in one short sentence."),
            .user("What is the capital of France?"),
        ]))
        print("plain answer: \(answer.content ?? "nil") [finish \(answer.finishReason ?? "nil"), \(answer.latency)]")
        let content = try #require(answer.content)
        #expect(content.contains("Paris"))
        #expect(["stop", "length"].contains(answer.finishReason))
        #expect(answer.toolCalls.isEmpty)
        #expect(answer.model?.isEmpty == false)
        #expect(answer.rawBody.contains(#""choices""#))
        #expect(answer.latency > .zero && answer.latency < .seconds(30))
    }

    @Test func usageIsPresentAndPlausible() async throws {
        let answer = try await client(maxTokens: 16).complete(.init(messages: [.user("Count from one to ten in words.")]))
        let usage = try #require(answer.usage)
        let prompt = try #require(usage.promptTokens)
        let completion = try #require(usage.completionTokens)
        print("usage: prompt \(prompt), completion \(completion), total \(usage.totalTokens.map(String.init) ?? "nil")")
        // The chat template wraps the 8-word question in role markers: tens of tokens, not thousands.
        #expect((8...100).contains(prompt))
        #expect((1...16).contains(completion))
        #expect(usage.totalTokens == prompt + completion)
        if answer.finishReason == "length" { #expect(completion == 16) }
    }

    @Test func jsonSchemaAnswerFollowsTheSchema() async throws {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "k": ["type": "integer", "minimum": 2, "maximum": 5],
                "ids": ["type": "array", "items": ["type": "string", "enum": .array(Self.candidates.map(JSONValue.string))], "maxItems": 5],
            ],
            "required": ["k", "ids"],
            "additionalProperties": false,
        ]
        let losses = Self.candidates.enumerated().map { "\($1): loss \(String(format: "%.2f", 2.5 - Double($0) * 0.2))" }.joined(separator: ", ")
        let answer = try await client(maxTokens: 96).complete(.init(
            messages: [
                .system("You select clients for a federated learning round. Answer with JSON only."),
                .user("Candidates: \(losses). Choose k between 2 and 5 and list exactly k client ids, highest loss first."),
            ],
            responseFormat: .jsonSchema(name: "selection", schema: schema)))
        print("json_schema answer: \(answer.content ?? "nil") [finish \(answer.finishReason ?? "nil")]")
        let content = try #require(answer.content)
        let value = try JSONValue(parsing: content)
        let object = try #require(value.objectValue)
        #expect(Set(object.keys) == ["k", "ids"])
        let k = try #require(value["k"]?.intValue)
        #expect((2...5).contains(k))
        let ids = try #require(value["ids"]?.arrayValue).map { $0.stringValue }
        #expect(ids.count <= 5)
        #expect(ids.allSatisfy { $0.map(Self.candidates.contains) == true })
        // Whether ids.count == k, or the ids are distinct, is the model's business (and a guardrail's):
        // the schema cannot say either, so it is reported, not asserted.
        print("json_schema: k \(k), \(ids.count) ids, distinct \(Set(ids).count)")
    }

    @Test func seedAndTemperatureZeroRepeatTheAnswer() async throws {
        let request = ChatCompletionRequest(messages: [.user("Write one sentence about federated learning.")])
        let first = try await client(maxTokens: 40).complete(request)
        let second = try await client(maxTokens: 40).complete(request)
        #expect(first.content != nil)
        #expect(first.content == second.content)
        // A sampled answer (temperature 0.9) with a fixed seed repeats too, on one slot.
        let sampled = ChatCompletionRequest(messages: request.messages, temperature: 0.9, seed: 1234)
        let third = try await client(maxTokens: 40).complete(sampled)
        let fourth = try await client(maxTokens: 40).complete(sampled)
        #expect(third.content == fourth.content)
        print("greedy: \(first.content ?? "nil")\nsampled (seed 1234): \(third.content ?? "nil")")
    }
}
