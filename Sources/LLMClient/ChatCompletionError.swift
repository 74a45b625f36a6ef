import Foundation

/// Why a chat-completions call failed, which URL it was, and whether trying again may help.
public struct ChatCompletionError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Nothing listens at the address (connection refused).
        case connectionRefused
        /// The host could not be resolved or reached, or the connection broke before an answer came.
        case unreachable
        /// No connection within the connect timeout.
        case connectTimeout
        /// No complete answer within the total timeout.
        case timeout
        /// The server answered with a non-2xx status; `message` is the body's `error.message` when it has one.
        case httpStatus(code: Int, message: String?)
        /// The body is not the JSON of a chat completion.
        case malformedResponse
        /// The JSON has no `choices[0].message`.
        case missingChoices
        /// The answer exceeded the configured maximum size.
        case responseTooLarge
        /// The task was cancelled; the transfer was aborted.
        case cancelled
        /// The request could not be built (bad URL, unencodable value).
        case invalidRequest
        /// Another libcurl failure, with its code.
        case transport(curlCode: Int)
    }

    public var kind: Kind
    /// The URL called, without credentials or query.
    public var url: String
    /// What was wrong, in words (libcurl's message, the body's error, the decoding failure).
    public var detail: String
    /// How long the HTTP transfer ran before it failed, measured on the transfer's own thread, so it
    /// excludes any wait for the caller's task to be scheduled again; for an answer that came but was
    /// refused (a status, a malformed body) it is the whole exchange. `nil` when no transfer started
    /// (an invalid request, a cancellation before sending).
    public var latency: Duration?

    public init(_ kind: Kind, url: String, detail: String, latency: Duration? = nil) {
        self.kind = kind
        self.url = url
        self.detail = detail
        self.latency = latency
    }

    /// Whether the same request may succeed later: connection problems, timeouts, 408, 409, 425, 429 and 5xx.
    /// A malformed answer, a 4xx or a cancellation will not improve by asking again.
    public var isRetriable: Bool {
        switch kind {
        case .connectionRefused, .unreachable, .connectTimeout, .timeout: true
        case .httpStatus(let code, _): [408, 409, 425, 429].contains(code) || (500...599).contains(code)
        case .transport(let code): [55, 56].contains(code)  // CURLE_SEND_ERROR, CURLE_RECV_ERROR
        case .malformedResponse, .missingChoices, .responseTooLarge, .cancelled, .invalidRequest: false
        }
    }

    public var description: String {
        let what: String =
            switch kind {
            case .connectionRefused: "connection refused"
            case .unreachable: "server unreachable"
            case .connectTimeout: "connect timeout"
            case .timeout: "timeout"
            case .httpStatus(let code, let message): "HTTP \(code)" + (message.map { ": \($0)" } ?? "")
            case .malformedResponse: "malformed response"
            case .missingChoices: "no choices in the response"
            case .responseTooLarge: "response too large"
            case .cancelled: "cancelled"
            case .invalidRequest: "invalid request"
            case .transport(let code): "transport error (curl \(code))"
            }
        return "chat completion at \(url) failed: \(what) (\(detail))" + (isRetriable ? " [retriable]" : "")
    }
}

extension ChatCompletionError {
    /// The error whose ``description`` is `description`, read back from a decision record (which
    /// keeps a failed call as that text), or nil when no error of this build describes itself so.
    /// A replay throws it where the call failed, so the brain takes the same guardrail path.
    public static func reading(_ description: String, latency: Duration? = nil) -> ChatCompletionError? {
        let prefix = "chat completion at "
        guard description.hasPrefix(prefix), let failed = description.range(of: " failed: ") else { return nil }
        let url = String(description[description.index(description.startIndex, offsetBy: prefix.count)..<failed.lowerBound])
        var rest = String(description[failed.upperBound...])
        if rest.hasSuffix(" [retriable]") { rest.removeLast(" [retriable]".count) }
        guard rest.hasSuffix(")") else { return nil }
        // "WHAT (DETAIL)", where both may hold " (": try every split and keep those that read back.
        // Only an HTTP status whose server message holds " (" leaves more than one; then the split
        // whose detail is the client's own ("body: …", "error object …") is the one it wrote.
        var readings: [ChatCompletionError] = []
        var searchFrom = rest.startIndex
        while let open = rest.range(of: " (", range: searchFrom..<rest.endIndex) {
            searchFrom = open.upperBound
            let what = String(rest[..<open.lowerBound])
            let detail = String(rest[open.upperBound..<rest.index(before: rest.endIndex)])
            guard let kind = Kind(reading: what) else { continue }
            let error = ChatCompletionError(kind, url: url, detail: detail, latency: latency)
            if error.description == description { readings.append(error) }
        }
        return readings.first { $0.detail.hasPrefix("body: ") || $0.detail.hasPrefix("error object") } ?? readings.first
    }
}

extension ChatCompletionError.Kind {
    /// The kind whose words in ``ChatCompletionError/description`` are `what`.
    init?(reading what: String) {
        switch what {
        case "connection refused": self = .connectionRefused
        case "server unreachable": self = .unreachable
        case "connect timeout": self = .connectTimeout
        case "timeout": self = .timeout
        case "malformed response": self = .malformedResponse
        case "no choices in the response": self = .missingChoices
        case "response too large": self = .responseTooLarge
        case "cancelled": self = .cancelled
        case "invalid request": self = .invalidRequest
        default:
            if let match = what.wholeMatch(of: /transport error \(curl (-?\d+)\)/), let code = Int(match.1) {
                self = .transport(curlCode: code)
            } else if let match = what.wholeMatch(of: /HTTP (\d{3})(?:: (.*))?/), let code = Int(match.1) {
                self = .httpStatus(code: code, message: match.2.map(String.init))
            } else {
                return nil
            }
        }
    }
}

extension ChatCompletion {
    /// The completion a server's 2xx `rawBody` decodes to (as the client decoded it when the
    /// answer came), for feeding a recorded answer back to the brain that received it.
    public static func decoding(rawBody: String, latency: Duration, url: String) throws(ChatCompletionError) -> ChatCompletion {
        try ResponseDecoding.decode(status: 200, body: Data(rawBody.utf8), latency: latency, url: url)
    }
}
