import Foundation

/// Where and how to reach an OpenAI-compatible chat-completions endpoint (llama.cpp's
/// `llama-server`, vLLM, Ollama, OpenAI), and the sampling defaults every request starts from.
public struct ChatCompletionConfiguration: Sendable {
    /// The server's base URL, e.g. `http://127.0.0.1:8080`. Requests go to `{baseURL}/v1/chat/completions`;
    /// a base URL that already ends in `/v1` (OpenAI's and Ollama's convention) is not given a second one.
    public var baseURL: URL
    /// The model name sent in every request. llama-server ignores it (it serves one model); the others need it.
    public var model: String
    /// Sent as `Authorization: Bearer …`. Never logged, never part of an error or a description.
    public var apiKey: APIKey?
    /// Time allowed to establish the TCP connection.
    public var connectTimeout: Duration
    /// Time allowed for the whole request, connection included, until the last byte of the answer.
    public var totalTimeout: Duration
    /// `max_tokens`: an upper bound on the answer's length. nil leaves it to the server.
    public var maxTokens: Int?
    /// `temperature`. nil leaves it to the server.
    public var temperature: Double?
    /// `seed`, for servers that can reproduce a sampled answer (llama-server and vLLM do; OpenAI best effort).
    public var seed: Int?
    /// Headers added to every request (e.g. `OpenAI-Organization`). They may hold secrets and are never logged.
    public var extraHeaders: [String: String]
    /// Bodies larger than this are refused instead of being buffered without bound.
    public var maximumResponseBytes: Int

    public init(
        baseURL: URL,
        model: String,
        apiKey: APIKey? = nil,
        connectTimeout: Duration = .seconds(5),
        totalTimeout: Duration = .seconds(60),
        maxTokens: Int? = nil,
        temperature: Double? = nil,
        seed: Int? = nil,
        extraHeaders: [String: String] = [:],
        maximumResponseBytes: Int = 16 << 20
    ) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.seed = seed
        self.extraHeaders = extraHeaders
        self.maximumResponseBytes = maximumResponseBytes
    }

    /// `{baseURL}/v1/chat/completions`.
    public var chatCompletionsURL: URL { endpoint("chat/completions") }

    /// `{baseURL}/v1/{path}` (or `{baseURL}/{path}` when the base already ends in `/v1`).
    func endpoint(_ path: String) -> URL {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        if !base.hasSuffix("/v1") { base += "/v1" }
        return URL(string: base + "/" + path) ?? baseURL
    }

    /// `{baseURL}/health` without any `/v1` suffix: llama-server's and vLLM's readiness probe.
    var healthURL: URL {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/v1") { base.removeLast(3) }
        return URL(string: base + "/health") ?? baseURL
    }
}

/// A bearer token. Its description is redacted so it cannot leak through logs, errors or `print`.
public struct APIKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    let secret: String

    public init(_ secret: String) { self.secret = secret }

    /// The key held by the environment variable `name` (e.g. `OPENAI_API_KEY`), or nil when it is unset or empty.
    /// The variable's *name* is the configurable part; its value is read here and nowhere else.
    public init?(environmentVariable name: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        self.secret = value
    }

    public var description: String { "APIKey(redacted)" }
    public var debugDescription: String { description }
}

extension URL {
    /// The URL as errors and logs show it: no user name, password, query or fragment.
    public var redactedForDisplay: String {
        guard var components = URLComponents(url: self, resolvingAgainstBaseURL: false) else { return "<unprintable URL>" }
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        return components.string ?? "<unprintable URL>"
    }
}

extension ChatCompletionConfiguration: CustomStringConvertible {
    /// Safe to log: the key is redacted and extra headers are shown by name only.
    public var description: String {
        "ChatCompletionConfiguration(url: \(chatCompletionsURL.redactedForDisplay), model: \(model), "
            + "apiKey: \(apiKey == nil ? "none" : "redacted"), connectTimeout: \(connectTimeout), totalTimeout: \(totalTimeout), "
            + "maxTokens: \(maxTokens.map(String.init) ?? "server default"), temperature: \(temperature.map { "\($0)" } ?? "server default"), "
            + "seed: \(seed.map(String.init) ?? "none"), extraHeaders: \(extraHeaders.keys.sorted()))"
    }
}
