import Foundation
import Logging

/// Anything that answers chat-completion requests: the seam brains depend on.
public protocol ChatCompleting: Sendable {
    func complete(_ request: ChatCompletionRequest) async throws(ChatCompletionError) -> ChatCompletion
}

/// A client for `POST {baseURL}/v1/chat/completions` over libcurl, for llama.cpp's server, vLLM,
/// Ollama and OpenAI. Each call runs on its own thread (libcurl blocks), honours task cancellation,
/// and either returns the first choice with usage, raw body and latency, or throws a
/// `ChatCompletionError` that names the URL and says whether retrying may help. No retries here:
/// what to do on failure is the caller's policy.
public struct ChatCompletionClient: ChatCompleting {
    public let configuration: ChatCompletionConfiguration
    private let logger: Logger

    public init(configuration: ChatCompletionConfiguration, logger: Logger = Logger(label: "agentfl.llm-client")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The exact JSON body `complete(request)` sends (sorted keys, compact): what a brain records as
    /// the prompt of an external call, and hashes for replay.
    public func requestBody(for request: ChatCompletionRequest) throws(ChatCompletionError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { return try encoder.encode(request.body(model: configuration.model, defaults: configuration)) } catch {
            throw ChatCompletionError(
                .invalidRequest, url: configuration.chatCompletionsURL.redactedForDisplay,
                detail: "request not encodable as JSON (a non-finite number?): \(error)")
        }
    }

    public func complete(_ request: ChatCompletionRequest) async throws(ChatCompletionError) -> ChatCompletion {
        let url = configuration.chatCompletionsURL
        let displayURL = url.redactedForDisplay
        let data = try requestBody(for: request)
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"),
            ("Accept", "application/json"),
            // libcurl would otherwise send `Expect: 100-continue` for large bodies (over 1 MiB in 7.88,
            // over 1 KiB in older versions) and wait up to a second for a `100 Continue` some servers never send.
            ("Expect", ""),
        ]
        if let apiKey = configuration.apiKey { headers.append(("Authorization", "Bearer \(apiKey.secret)")) }
        headers += configuration.extraHeaders.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        logger.debug("chat completion request", metadata: [
            "url": "\(displayURL)", "model": "\(configuration.model)", "messages": "\(request.messages.count)", "bytes": "\(data.count)",
        ])
        let response = try await CurlTransfer.perform(HTTPRequest(
            url: url, method: .post(body: data), headers: headers,
            connectTimeout: configuration.connectTimeout, totalTimeout: configuration.totalTimeout,
            maximumResponseBytes: configuration.maximumResponseBytes
        ))
        let completion = try ResponseDecoding.decode(status: response.status, body: response.body, latency: response.latency, url: displayURL)
        logger.debug("chat completion answer", metadata: [
            "url": "\(displayURL)", "latency": "\(response.latency)", "finish": "\(completion.finishReason ?? "-")",
            "prompt_tokens": "\(completion.usage?.promptTokens.map(String.init) ?? "-")",
            "completion_tokens": "\(completion.usage?.completionTokens.map(String.init) ?? "-")",
        ])
        return completion
    }

    /// `GET {baseURL}/health` (llama-server, vLLM): the status code, 200 once the model is loaded
    /// (llama-server answers 503 while loading). Throws for transport failures only.
    public func healthStatus(timeout: Duration = .seconds(2)) async throws(ChatCompletionError) -> Int {
        var headers: [(name: String, value: String)] = []
        if let apiKey = configuration.apiKey { headers.append(("Authorization", "Bearer \(apiKey.secret)")) }
        let response = try await CurlTransfer.perform(HTTPRequest(
            url: configuration.healthURL, method: .get, headers: headers,
            connectTimeout: min(timeout, configuration.connectTimeout), totalTimeout: timeout, maximumResponseBytes: 1 << 20
        ))
        return response.status
    }
}
