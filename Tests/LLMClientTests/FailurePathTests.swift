import Foundation
import LLMClient
import LLMTestSupport
import Testing

/// Failure paths and wire format against a scripted HTTP endpoint (never a stand-in for a model).
@Suite("Chat completion client against a scripted endpoint")
struct FailurePathTests {
    static let okBody = """
        {"id":"c1","object":"chat.completion","model":"scripted","choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}
        """

    func client(_ server: ScriptedHTTPServer, total: Duration = .seconds(10), apiKey: APIKey? = nil) -> ChatCompletionClient {
        ChatCompletionClient(configuration: ChatCompletionConfiguration(
            baseURL: server.baseURL, model: "m", apiKey: apiKey, connectTimeout: .seconds(2), totalTimeout: total))
    }

    func expectFailure(
        _ client: ChatCompletionClient, _ request: ChatCompletionRequest = .init(messages: [.user("hi")])
    ) async -> ChatCompletionError? {
        do {
            let answer = try await client.complete(request)
            Issue.record("expected a failure, got \(answer)")
            return nil
        } catch {
            return error
        }
    }

    func outcome(_ client: ChatCompletionClient) async -> Result<ChatCompletion, ChatCompletionError> {
        do { return .success(try await client.complete(.init(messages: [.user("hi")]))) } catch { return .failure(error) }
    }

    @Test func http500WithErrorBodyIsRetriableAndCarriesTheServersMessage() async throws {
        let server = try ScriptedHTTPServer(always: .respond(status: 500, body: #"{"error":{"code":500,"message":"slot unavailable","type":"server_error"}}"#))
        let error = try #require(await expectFailure(client(server)))
        await server.stop()
        #expect(error.kind == .httpStatus(code: 500, message: "slot unavailable"))
        #expect(error.isRetriable)
        #expect(error.url == "http://127.0.0.1:\(server.port)/v1/chat/completions")
        #expect(error.description.contains(error.url))
        #expect(error.description.contains("slot unavailable"))
    }

    @Test func http429IsRetriableAndOllamaStyleErrorStringsAreRead() async throws {
        let server = try ScriptedHTTPServer(always: .respond(status: 429, body: #"{"error":"rate limited, slow down"}"#))
        let error = try #require(await expectFailure(client(server)))
        await server.stop()
        #expect(error.kind == .httpStatus(code: 429, message: "rate limited, slow down"))
        #expect(error.isRetriable)
    }

    @Test func http400IsNotRetriableAndANonJSONBodyIsQuotedInTheDetail() async throws {
        let server = try ScriptedHTTPServer(always: .respond(status: 400, body: "bad request: no model"))
        let error = try #require(await expectFailure(client(server)))
        await server.stop()
        #expect(error.kind == .httpStatus(code: 400, message: nil))
        #expect(!error.isRetriable)
        #expect(error.detail.contains("bad request: no model"))
    }

    @Test func vLLMStyleTopLevelErrorObjectIsRead() async throws {
        let server = try ScriptedHTTPServer(always: .respond(status: 404, body: #"{"object":"error","message":"The model `x` does not exist.","type":"NotFoundError","code":404}"#))
        let error = try #require(await expectFailure(client(server)))
        await server.stop()
        #expect(error.kind == .httpStatus(code: 404, message: "The model `x` does not exist."))
    }

    @Test func malformedJSONIsNotRetriableAndQuotesTheBody() async throws {
        let server = try ScriptedHTTPServer(always: .respond(status: 200, body: #"{"choices": [ {"message": "#))
        let error = try #require(await expectFailure(client(server)))
        await server.stop()
        #expect(error.kind == .malformedResponse)
        #expect(!error.isRetriable)
        #expect(error.detail.contains(#"{"choices": ["#))
    }

    @Test func missingChoicesIsItsOwnError() async throws {
        let server = try ScriptedHTTPServer(always: .respond(status: 200, body: #"{"id":"x","choices":[]}"#))
        let error = try #require(await expectFailure(client(server)))
        await server.stop()
        #expect(error.kind == .missingChoices)
        #expect(!error.isRetriable)
    }

    @Test func missingUsageGivesNilTokensNotZero() async throws {
        let body = #"{"choices":[{"message":{"role":"assistant","content":"ok"}}]}"#
        let server = try ScriptedHTTPServer(always: .respond(status: 200, body: body))
        let answer = try await client(server).complete(.init(messages: [.user("hi")]))
        await server.stop()
        #expect(answer.content == "ok")
        #expect(answer.usage == nil)
        #expect(answer.finishReason == nil)
        #expect(answer.model == nil)
        #expect(answer.rawBody == body)
    }

    @Test func slowAnswerBeyondTheTotalTimeoutIsARetriableTimeout() async throws {
        let server = try ScriptedHTTPServer(always: .respond(status: 200, body: Self.okBody, delay: .seconds(5)))
        let error = try #require(await expectFailure(client(server, total: .milliseconds(400))))
        await server.stop()
        #expect(error.kind == .timeout)
        #expect(error.isRetriable)
        // The transfer's own clock: a wall clock around the call would also count the wait for this
        // task to be scheduled again, which on a 2-core machine running the suite in parallel was 5 s.
        let latency = try #require(error.latency)
        #expect(latency >= .milliseconds(350) && latency < .seconds(3), "timed out after \(latency), not near 400 ms (libcurl may fire its timer a few ms early)")
        #expect(error.description.contains("127.0.0.1:\(server.port)"))
    }

    @Test func connectionRefusedIsRetriableAndNamesTheURL() async throws {
        let port = try unusedLoopbackPort()
        let client = ChatCompletionClient(configuration: .init(baseURL: URL(string: "http://127.0.0.1:\(port)")!, model: "m"))
        let error = try #require(await expectFailure(client))
        #expect(error.kind == .connectionRefused)
        #expect(error.isRetriable)
        #expect(error.url == "http://127.0.0.1:\(port)/v1/chat/completions")
        #expect(error.description.contains("Connection refused"), "\(error)")
    }

    @Test func cancellationMidRequestAbortsTheTransferPromptly() async throws {
        let server = try ScriptedHTTPServer(always: .hang)
        let client = client(server, total: .seconds(60))
        let task = Task { await outcome(client) }
        // Cancel only once the server holds the request, so the transfer is really in flight.
        while server.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        let cancelledAt = ContinuousClock.now
        task.cancel()
        let result = await task.value
        // The abort as the server sees it: the connection closed, noted by the server's own thread.
        // (A wall clock around `task.value` would also count the wait for this test's task to be
        // scheduled again, which on 2 cores running the whole suite in parallel took seconds.)
        let deadline = ContinuousClock.now + .seconds(30)
        while server.peerClosings.isEmpty && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        await server.stop()
        guard case .failure(let error) = result else { Issue.record("expected cancellation, got \(result)"); return }
        #expect(error.kind == .cancelled)
        #expect(!error.isRetriable)
        let closedAt = try #require(server.peerClosings.first, "the client never closed the connection")
        let reaction = closedAt - cancelledAt
        // libcurl calls the progress callback at least once a second while waiting.
        #expect(reaction < .milliseconds(1500), "the connection closed \(reaction) after the cancellation")
    }

    @Test func alreadyCancelledTaskSendsNothing() async throws {
        let server = try ScriptedHTTPServer(always: .respond(status: 200, body: Self.okBody))
        let client = client(server)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await outcome(client)
        }
        let result = await task.value
        await server.stop()
        guard case .failure(let error) = result else { Issue.record("expected cancellation, got \(result)"); return }
        #expect(error.kind == .cancelled)
        #expect(server.requests.isEmpty)
    }

    @Test func blockingTransfersDoNotOccupyTheCooperativePool() async throws {
        // More hanging requests than the machine has cores: if each blocked a pool thread, the
        // small task below could not run until they time out (10 s). It must run long before
        // that; 2 s leaves room for a loaded machine (0.6 s was seen beside the whole suite).
        let server = try ScriptedHTTPServer(always: .hang)
        let client = client(server, total: .seconds(10))
        let count = ProcessInfo.processInfo.activeProcessorCount * 2 + 2
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<count { group.addTask { _ = try? await client.complete(.init(messages: [.user("hi")])) } }
            while server.requests.count < count { try await Task.sleep(for: .milliseconds(10)) }
            let start = ContinuousClock.now
            let value = await Task.detached { (1...1000).reduce(0, +) }.value
            #expect(value == 500_500)
            #expect(ContinuousClock.now - start < .seconds(2))
            group.cancelAll()
        }
        await server.stop()
    }

    @Test func oversizedAnswerIsRefused() async throws {
        let server = try ScriptedHTTPServer(always: .respond(status: 200, body: String(repeating: "x", count: 100_000)))
        var configuration = ChatCompletionConfiguration(baseURL: server.baseURL, model: "m")
        configuration.maximumResponseBytes = 10_000
        let error = try #require(await expectFailure(ChatCompletionClient(configuration: configuration)))
        await server.stop()
        #expect(error.kind == .responseTooLarge)
    }

    @Test func requestCarriesOnlyStandardFieldsAndTheKeyOnlyInItsHeader() async throws {
        let server = try ScriptedHTTPServer(always: .respond(status: 500, body: #"{"error":{"message":"no"}}"#))
        let key = try #require(APIKey(environmentVariable: "AGENTFL_TEST_KEY", environment: ["AGENTFL_TEST_KEY": "sk-secret-123"]))
        var configuration = ChatCompletionConfiguration(
            baseURL: URL(string: "http://127.0.0.1:\(server.port)/v1/")!, model: "smol", apiKey: key,
            maxTokens: 64, temperature: 0, seed: 7, extraHeaders: ["X-Trace": "abc"])
        configuration.totalTimeout = .seconds(10)
        let request = ChatCompletionRequest(
            messages: [
                // Over 1 MiB: libcurl (7.88) would add `Expect: 100-continue` to such a body unless told not to.
                .system("be brief. " + String(repeating: "context ", count: 140_000)), .user("pick"),
                .assistant(nil, toolCalls: [ToolCall(id: "call-1", name: "scores", arguments: #"{"n":3}"#)]),
                .tool(callID: "call-1", result: "[1,2,3]"),
            ],
            responseFormat: .jsonSchema(name: "pick", schema: ["type": "object", "properties": ["k": ["type": "integer", "minimum": 2]]]),
            tools: [ToolDefinition(name: "scores", description: "client scores", parameters: ["type": "object"])],
            toolChoice: .function(name: "scores"),
            maxTokens: 32)
        let error = try #require(await expectFailure(ChatCompletionClient(configuration: configuration), request))
        await server.stop()
        #expect(!error.description.contains("sk-secret-123"))
        #expect(!"\(configuration)".contains("sk-secret-123"))
        #expect("\(configuration)".contains("extraHeaders: [\"X-Trace\"]") && !"\(configuration)".contains("abc"))
        let received = try #require(server.requests.first)
        #expect(received.requestLine == "POST /v1/chat/completions HTTP/1.1")
        #expect(received.header("Authorization") == "Bearer sk-secret-123")
        #expect(received.header("Content-Type") == "application/json")
        #expect(received.header("X-Trace") == "abc")
        #expect(received.header("Expect") == nil)
        let body = try JSONDecoder().decode(JSONValue.self, from: received.body)
        #expect(body["model"] == "smol")
        #expect(body["max_tokens"] == 32)  // the request's value wins over the configuration's
        #expect(body["seed"] == 7)
        #expect(body["temperature"]?.doubleValue == 0)
        #expect(body["stream"] == false)
        #expect(body["tool_choice"] == ["type": "function", "function": ["name": "scores"]])
        #expect(body["response_format"] == [
            "type": "json_schema",
            "json_schema": ["name": "pick", "strict": true, "schema": ["type": "object", "properties": ["k": ["type": "integer", "minimum": 2]]]],
        ])
        #expect(body["tools"] == [["type": "function", "function": ["name": "scores", "description": "client scores", "parameters": ["type": "object"]]]])
        let messages = try #require(body["messages"]?.arrayValue)
        #expect(messages.count == 4)
        #expect(messages[2] == [
            "role": "assistant", "content": nil,
            "tool_calls": [["id": "call-1", "type": "function", "function": ["name": "scores", "arguments": #"{"n":3}"#]]],
        ])
        #expect(messages[3] == ["role": "tool", "content": "[1,2,3]", "tool_call_id": "call-1"])
    }

    @Test func toolCallsAreParsedWhateverShapeTheServerUses() async throws {
        // One call with text arguments and an id (OpenAI), one with an object and no id (some servers).
        let body = """
            {"model":"x","choices":[{"message":{"role":"assistant","content":null,"tool_calls":[\
            {"id":"a1","type":"function","function":{"name":"oort","arguments":"{\\"k\\": 3}"}},\
            {"type":"function","function":{"name":"poc","arguments":{"d":5}}}]},"finish_reason":"tool_calls"}],\
            "usage":{"prompt_tokens":5,"completion_tokens":9,"total_tokens":14}}
            """
        let server = try ScriptedHTTPServer(always: .respond(status: 200, body: body))
        let answer = try await client(server).complete(.init(messages: [.user("hi")]))
        await server.stop()
        #expect(answer.content == nil)
        #expect(answer.finishReason == "tool_calls")
        #expect(answer.toolCalls == [ToolCall(id: "a1", name: "oort", arguments: #"{"k": 3}"#), ToolCall(id: "", name: "poc", arguments: #"{"d":5}"#)])
        #expect(try answer.toolCalls[0].parsedArguments() == ["k": 3])
        #expect(answer.usage == TokenUsage(promptTokens: 5, completionTokens: 9, totalTokens: 14))
    }

    @Test func apiKeyFromAnUnsetOrEmptyVariableIsNil() {
        #expect(APIKey(environmentVariable: "NOPE", environment: [:]) == nil)
        #expect(APIKey(environmentVariable: "EMPTY", environment: ["EMPTY": "  "]) == nil)
        #expect("\(APIKey("sk-1"))" == "APIKey(redacted)")
    }
}

extension FailurePathTests {
    @Test func requestBodyIsWhatIsSent() async throws {
        let server = try ScriptedHTTPServer(always: .respond(status: 200, body: Self.okBody))
        let client = client(server)
        let request = ChatCompletionRequest(messages: [.system("s"), .user("u")], maxTokens: 5, seed: 3)
        let answer = try await client.complete(request)
        await server.stop()
        #expect(answer.content == "hello")
        #expect(answer.usage == TokenUsage(promptTokens: 12, completionTokens: 3, totalTokens: 15))
        #expect(answer.model == "scripted")
        #expect(answer.id == "c1")
        #expect(try server.requests.first?.body == client.requestBody(for: request))
    }

    @Test func baseURLEndingInV1IsNotGivenASecondOne() {
        let plain = ChatCompletionConfiguration(baseURL: URL(string: "http://localhost:8080")!, model: "m")
        let openAI = ChatCompletionConfiguration(baseURL: URL(string: "https://api.openai.com/v1")!, model: "m")
        let ollama = ChatCompletionConfiguration(baseURL: URL(string: "http://localhost:11434/v1/")!, model: "m")
        #expect(plain.chatCompletionsURL.absoluteString == "http://localhost:8080/v1/chat/completions")
        #expect(openAI.chatCompletionsURL.absoluteString == "https://api.openai.com/v1/chat/completions")
        #expect(ollama.chatCompletionsURL.absoluteString == "http://localhost:11434/v1/chat/completions")
    }

    @Test func credentialsInTheURLAreNotShownInErrors() async throws {
        let port = try unusedLoopbackPort()
        let client = ChatCompletionClient(configuration: .init(baseURL: URL(string: "http://user:pw-123@127.0.0.1:\(port)")!, model: "m"))
        let error = try #require(await expectFailure(client))
        #expect(!error.description.contains("pw-123"))
        #expect(error.url == "http://127.0.0.1:\(port)/v1/chat/completions")
    }
}

extension FailurePathTests {
    @Test func connectBeyondTheConnectTimeoutIsARetriableConnectTimeout() async throws {
        let listener = try FullBacklogListener()
        let client = ChatCompletionClient(configuration: .init(
            baseURL: URL(string: "http://127.0.0.1:\(listener.port)")!, model: "m",
            connectTimeout: .milliseconds(300), totalTimeout: .seconds(10)))
        let error = try #require(await expectFailure(client))
        withExtendedLifetime(listener) {}
        #expect(error.kind == .connectTimeout, "\(error)")
        #expect(error.isRetriable)
        // Measured by the transfer, not around the call: see slowAnswerBeyondTheTotalTimeoutIsARetriableTimeout.
        let latency = try #require(error.latency)
        #expect(latency >= .milliseconds(250) && latency < .seconds(3), "gave up after \(latency), not near the 300 ms connect timeout (libcurl may fire its timer a few ms early)")
    }
}
