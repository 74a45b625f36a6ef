import Foundation
import LLMClient
import LLMTestSupport
import Testing

/// Latency and token rates for a brain-sized request: a ~300-token prompt, a 50-token answer,
/// median of 5. Prints the figures (for the README); asserts only that usage reports them. Part of
/// `RealModelTests`, so it shares that suite's server.
extension RealModelTests {
    /// A round summary of about 300 SmolLM2 tokens with the system line and chat template (the user
    /// text alone is 270, counted offline with the GGUF's own vocabulary and merges). `round` varies the first line so llama-server's
    /// prompt cache cannot reuse the previous run's evaluation: every run pays for its whole prompt.
    static func brainSizedPrompt(round: Int) -> String {
        let clients = (1...9).map { index in
            "c\(String(format: "%02d", index)): loss \(String(format: "%.2f", 1.0 + Double(index % 7) * 0.13)), \(20 + index * 3) s, price \(index % 5 + 1)"
        }
        return """
            Round \(round) of 50. Budget left: \(500 - round * 7) credits. Accuracy trend: 0.61, 0.64, 0.66, 0.67.
            Candidates (id: last loss, training time, price):
            \(clients.joined(separator: "\n"))
            Pick between 2 and 5 clients that balance high loss against short training time and low price.
            Explain your choice briefly, then list the ids.
            """
    }

    @Test func latencyAndTokenRatesOfABrainSizedRequest() async throws {
        let server = try LocalModelScope.current()
        let client = ChatCompletionClient(configuration: .init(
            baseURL: server.baseURL, model: "SmolLM2-135M-Instruct", totalTimeout: .seconds(60), maxTokens: 50, temperature: 0, seed: 42))
        struct Run { var latency: Duration; var prompt: Int; var completion: Int; var serverPromptRate: Double?; var serverGenerationRate: Double? }
        var runs: [Run] = []
        for round in 1...5 {
            let answer = try await client.complete(.init(messages: [
                .system("You are the client-selection agent of a federated learning server."),
                .user(Self.brainSizedPrompt(round: round)),
            ]))
            let usage = try #require(answer.usage)
            // llama-server adds non-standard `timings`; other servers do not, hence optional.
            let timings = (try? JSONValue(parsing: answer.rawBody))?["timings"]
            func rate(_ key: String) -> Double? { timings?[key]?.doubleValue }
            runs.append(Run(
                latency: answer.latency, prompt: try #require(usage.promptTokens), completion: try #require(usage.completionTokens),
                serverPromptRate: rate("prompt_per_second"), serverGenerationRate: rate("predicted_per_second")))
        }
        func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let latency = median(runs.map { seconds($0.latency) })
        let endToEnd = median(runs.map { Double($0.prompt + $0.completion) / seconds($0.latency) })
        let completionRate = median(runs.map { Double($0.completion) / seconds($0.latency) })
        print(String(
            format: "throughput (median of 5): latency %.3f s; %.0f prompt+completion tokens/s end to end; %.0f completion tokens/s over the whole latency",
            latency, endToEnd, completionRate))
        print("  usage per run (prompt/completion): " + runs.map { "\($0.prompt)/\($0.completion)" }.joined(separator: ", "))
        let promptRates = runs.compactMap(\.serverPromptRate), generationRates = runs.compactMap(\.serverGenerationRate)
        if !promptRates.isEmpty, !generationRates.isEmpty {
            print(String(format: "  llama-server timings (median): prompt %.0f tokens/s, generation %.0f tokens/s", median(promptRates), median(generationRates)))
        }
        #expect(runs.allSatisfy { (200...400).contains($0.prompt) }, "the prompt should be about 300 tokens: \(runs.map(\.prompt))")
        #expect(runs.allSatisfy { (1...50).contains($0.completion) })
    }
}
