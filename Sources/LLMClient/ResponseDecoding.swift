import Foundation

/// Turns an HTTP status and body into a `ChatCompletion` or the error that explains it. Tolerant of
/// what compatible servers differ in (missing `usage`, `id` or tool-call ids, arguments given as an
/// object instead of text), strict about what a caller cannot do without (`choices[0].message`).
enum ResponseDecoding {
    static func decode(status: Int, body: Data, latency: Duration, url: String) throws(ChatCompletionError) -> ChatCompletion {
        guard let text = String(data: body, encoding: .utf8) else {
            throw ChatCompletionError(.malformedResponse, url: url, detail: "HTTP \(status), body of \(body.count) bytes is not UTF-8", latency: latency)
        }
        let json = try? JSONValue(parsing: text)
        guard (200...299).contains(status) else {
            let message = json.flatMap(errorMessage(in:))
            throw ChatCompletionError(.httpStatus(code: status, message: message), url: url, detail: "body: \(excerpt(text))", latency: latency)
        }
        guard let json, case .object = json else {
            throw ChatCompletionError(.malformedResponse, url: url, detail: "HTTP \(status), body is not a JSON object: \(excerpt(text))", latency: latency)
        }
        if let message = errorMessage(in: json), json["choices"] == nil {
            // Some proxies answer 200 with an error object.
            throw ChatCompletionError(.httpStatus(code: status, message: message), url: url, detail: "error object in a 200 answer", latency: latency)
        }
        guard let choice = json["choices"]?.arrayValue?.first, let message = choice["message"], message.objectValue != nil else {
            throw ChatCompletionError(.missingChoices, url: url, detail: "no choices[0].message in: \(excerpt(text))", latency: latency)
        }
        let toolCalls: [ToolCall]
        do { toolCalls = try (message["tool_calls"]?.arrayValue ?? []).enumerated().map(toolCall(from:)) } catch {
            throw ChatCompletionError(.malformedResponse, url: url, detail: "\(error.reason) in: \(excerpt(text))", latency: latency)
        }
        return ChatCompletion(
            content: content(of: message["content"]),
            toolCalls: toolCalls,
            finishReason: choice["finish_reason"]?.stringValue,
            usage: usage(from: json["usage"]),
            model: json["model"]?.stringValue,
            id: json["id"]?.stringValue,
            rawBody: text,
            latency: latency
        )
    }

    /// OpenAI and llama.cpp: `{"error": {"message": …}}`; Ollama: `{"error": "…"}`; vLLM: `{"message": …}`.
    static func errorMessage(in json: JSONValue) -> String? {
        if let error = json["error"] {
            return error.stringValue ?? error["message"]?.stringValue ?? error.jsonText
        }
        if json["object"]?.stringValue == "error" { return json["message"]?.stringValue }
        return nil
    }

    private struct BadToolCall: Error { var reason: String }

    private static func toolCall(from element: (offset: Int, element: JSONValue)) throws(BadToolCall) -> ToolCall {
        let call = element.element
        guard let function = call["function"], let name = function["name"]?.stringValue else {
            throw BadToolCall(reason: "tool_calls[\(element.offset)] has no function name")
        }
        let arguments: String =
            switch function["arguments"] {
            case .string(let text)?: text
            case nil, .null?: ""
            case let other?: other.jsonText  // some servers send the object itself
            }
        return ToolCall(id: call["id"]?.stringValue ?? "", name: name, arguments: arguments)
    }

    /// `content` is text, null, or (rarely) an array of `{"type": "text", "text": …}` parts.
    private static func content(of value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: text
        case .array(let parts)?: parts.compactMap { $0["text"]?.stringValue }.joined()
        default: nil
        }
    }

    private static func usage(from value: JSONValue?) -> TokenUsage? {
        guard let value, value.objectValue != nil else { return nil }
        let usage = TokenUsage(
            promptTokens: value["prompt_tokens"]?.intValue,
            completionTokens: value["completion_tokens"]?.intValue,
            totalTokens: value["total_tokens"]?.intValue
        )
        return usage.promptTokens == nil && usage.completionTokens == nil && usage.totalTokens == nil ? nil : usage
    }

    static func excerpt(_ text: String, limit: Int = 300) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "… (\(text.utf8.count) bytes)"
    }
}
