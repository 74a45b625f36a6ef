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
