/// One message of a conversation, in the roles the chat-completions API knows.
public struct ChatMessage: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable {
        case system, user, assistant, tool
    }

    public var role: Role
    /// The text. nil only for an assistant message that carries tool calls and no text.
    public var content: String?
    /// The tool calls an assistant message made (sent back when continuing a conversation after tool results).
    public var toolCalls: [ToolCall]
    /// For a `tool` message: the id of the call it answers.
    public var toolCallID: String?

    public init(role: Role, content: String?, toolCalls: [ToolCall] = [], toolCallID: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }

    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: .system, content: text) }
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: .user, content: text) }
    public static func assistant(_ text: String?, toolCalls: [ToolCall] = []) -> ChatMessage {
        ChatMessage(role: .assistant, content: text, toolCalls: toolCalls)
    }
    /// The result of the tool call `callID`, as the model will read it.
    public static func tool(callID: String, result: String) -> ChatMessage {
        ChatMessage(role: .tool, content: result, toolCallID: callID)
    }
}

/// A function call the model asked for.
public struct ToolCall: Sendable, Hashable, Codable {
    /// The server's id for the call (needed to answer it). Some servers omit it; then it is empty.
    public var id: String
    public var name: String
    /// The arguments as the model wrote them: JSON text that may well be invalid or off-schema.
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }

    /// The arguments parsed as JSON.
    public func parsedArguments() throws -> JSONValue { try JSONValue(parsing: arguments) }
}

/// A function the model may call: `tools: [{"type": "function", "function": {...}}]`.
public struct ToolDefinition: Sendable, Hashable, Codable {
    public var name: String
    public var description: String
    /// A JSON schema of the arguments object.
    public var parameters: JSONValue

    public init(name: String, description: String, parameters: JSONValue) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}

/// `tool_choice`: whether and which tool the model must call.
public enum ToolChoice: Sendable, Hashable, Codable {
    case auto
    case none
    case required
    case function(name: String)
}

/// `response_format`: constrain the answer to JSON, optionally to a schema.
public enum ResponseFormat: Sendable, Hashable, Codable {
    /// `{"type": "json_schema", "json_schema": {"name", "strict", "schema"}}`.
    case jsonSchema(name: String, schema: JSONValue, strict: Bool = true)
    /// `{"type": "json_object"}`: any JSON object.
    case jsonObject
}
