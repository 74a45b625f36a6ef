import Foundation

/// How an LLM brain reaches its model and what a call may cost. Sampling defaults (temperature 0,
/// a fixed seed) make a local model's answers repeat, so an experiment with an LLM brain can be
/// run again with the same numbers.
public struct LLMSettings: Codable, Sendable, Hashable {
    /// The OpenAI-compatible server's base URL (llama.cpp's server, vLLM, Ollama, OpenAI). Nil:
    /// `agentfl run` and `simulate` start the cached local llama-server with SmolLM2-135M-Instruct.
    public var url: String?
    public var model: String = "SmolLM2-135M-Instruct"
    /// The environment variable that holds the API key (never the key itself in a file).
    public var apiKeyVariable: String = "AGENTFL_LLM_API_KEY"
    /// Seconds one call may take from connect to last byte.
    public var timeoutSeconds: Double = 20
    public var maxTokens: Int = 160
    public var temperature: Double = 0
    public var seed: Int = 42
    /// Calls one decision may make: the first answer, then one retry with the validation error.
    public var maxCallsPerDecision: Int = 2
    /// Price per million prompt and completion tokens, for the cost estimate (0 for a local model).
    public var promptPricePerMillion: Double = 0
    public var completionPricePerMillion: Double = 0

    public init() {}

    public func estimatedCost(promptTokens: Int, completionTokens: Int) -> Double {
        (Double(promptTokens) * promptPricePerMillion + Double(completionTokens) * completionPricePerMillion) / 1_000_000
    }
}
