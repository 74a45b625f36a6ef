/// One request: the conversation plus what the answer must look like. Sampling fields left nil
/// take the client configuration's defaults.
public struct ChatCompletionRequest: Sendable, Hashable, Codable {
    public var messages: [ChatMessage]
    public var responseFormat: ResponseFormat?
    public var tools: [ToolDefinition]
    public var toolChoice: ToolChoice?
    public var maxTokens: Int?
    public var temperature: Double?
    public var seed: Int?

    public init(
        messages: [ChatMessage],
        responseFormat: ResponseFormat? = nil,
        tools: [ToolDefinition] = [],
        toolChoice: ToolChoice? = nil,
        maxTokens: Int? = nil,
        temperature: Double? = nil,
        seed: Int? = nil
    ) {
        self.messages = messages
        self.responseFormat = responseFormat
        self.tools = tools
        self.toolChoice = toolChoice
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.seed = seed
    }
}

extension ChatCompletionRequest {
    /// The JSON body, with only standard chat-completions fields so every compatible server takes it.
    /// `max_tokens` rather than `max_completion_tokens`: the latter is OpenAI-only and unknown to older servers.
    func body(model: String, defaults configuration: ChatCompletionConfiguration) -> JSONValue {
        var body: [String: JSONValue] = [
            "model": .string(model),
            "messages": .array(messages.map(\.wireValue)),
            "stream": false,
        ]
        if let maxTokens = maxTokens ?? configuration.maxTokens { body["max_tokens"] = .integer(maxTokens) }
        if let temperature = temperature ?? configuration.temperature { body["temperature"] = .number(temperature) }
        if let seed = seed ?? configuration.seed { body["seed"] = .integer(seed) }
        if let responseFormat { body["response_format"] = responseFormat.wireValue }
        if !tools.isEmpty { body["tools"] = .array(tools.map(\.wireValue)) }
        if let toolChoice { body["tool_choice"] = toolChoice.wireValue }
        return .object(body)
    }
}

extension ChatMessage {
    var wireValue: JSONValue {
        var message: [String: JSONValue] = ["role": .string(role.rawValue), "content": content.map(JSONValue.string) ?? .null]
        if !toolCalls.isEmpty { message["tool_calls"] = .array(toolCalls.map(\.wireValue)) }
        if let toolCallID { message["tool_call_id"] = .string(toolCallID) }
        return .object(message)
    }
}

extension ToolCall {
    var wireValue: JSONValue {
        ["id": .string(id), "type": "function", "function": ["name": .string(name), "arguments": .string(arguments)]]
    }
}

extension ToolDefinition {
    var wireValue: JSONValue {
        ["type": "function", "function": ["name": .string(name), "description": .string(description), "parameters": parameters]]
    }
}

extension ToolChoice {
    var wireValue: JSONValue {
        switch self {
        case .auto: "auto"
        case .none: "none"
        case .required: "required"
        case .function(let name): ["type": "function", "function": ["name": .string(name)]]
        }
    }
}

extension ResponseFormat {
    var wireValue: JSONValue {
        switch self {
        case .jsonSchema(let name, let schema, let strict):
            ["type": "json_schema", "json_schema": ["name": .string(name), "strict": .bool(strict), "schema": schema]]
        case .jsonObject:
            ["type": "json_object"]
        }
    }
}
