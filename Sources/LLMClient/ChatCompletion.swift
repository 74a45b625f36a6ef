/// A server's answer to one request, with what a brain needs to record it for audit and replay.
public struct ChatCompletion: Sendable, Hashable, Codable {
    /// The first choice's text; nil when the model only called tools.
    public var content: String?
    /// The first choice's tool calls, in order; empty when there were none.
    public var toolCalls: [ToolCall]
    /// `finish_reason`: "stop", "length" (cut by max_tokens), "tool_calls", … nil if the server gave none.
    public var finishReason: String?
    /// Token counts as the server reports them; nil when the server sent no `usage` (never guessed as zero).
    public var usage: TokenUsage?
    /// The model the server says answered (`model`), which may differ from the one asked for.
    public var model: String?
    /// The completion's `id`, if any.
    public var id: String?
    /// The response body exactly as received (UTF-8), for the audit log and for replay.
    public var rawBody: String
    /// Wall-clock time from sending the request to the last byte of the answer, measured by the client.
    public var latency: Duration

    public init(
        content: String?, toolCalls: [ToolCall], finishReason: String?, usage: TokenUsage?,
        model: String?, id: String?, rawBody: String, latency: Duration
    ) {
        self.content = content
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.usage = usage
        self.model = model
        self.id = id
        self.rawBody = rawBody
        self.latency = latency
    }
}

/// `usage`. Each count is nil when the server left it out.
public struct TokenUsage: Sendable, Hashable, Codable {
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var totalTokens: Int?

    public init(promptTokens: Int?, completionTokens: Int?, totalTokens: Int?) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
    }
}
