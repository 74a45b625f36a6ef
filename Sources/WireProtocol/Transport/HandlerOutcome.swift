/// A handler's verdict on a message that checked out as a message.
public enum HandlerOutcome: Sendable, Hashable {
    /// Acted on; the offset may be committed.
    case accepted
    /// Refused for its content (a NaN in an update, more samples than bid, an unassigned client):
    /// counted, reported to the auditor, and committed past, never retried.
    case rejected(RejectionReason, String)

    /// Refused for unusable content, with the reason in words.
    public static func invalid(_ detail: String) -> HandlerOutcome { .rejected(.invalidContent, detail) }
}

/// How often a ``ProtocolSubscriber`` retries a handler that threw a transient error (anything but
/// a ``ProtocolError`` or a cancellation), and how long it waits in between: exponential back-off
/// from `initialDelay`, doubling, capped at `maximumDelay`.
public struct HandlerRetry: Sendable, Hashable {
    /// Tries in all, the first included; 1 means no retry.
    public var attempts: Int
    public var initialDelay: Duration
    public var maximumDelay: Duration

    public init(attempts: Int = 5, initialDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(2)) {
        self.attempts = max(1, attempts)
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// The wait before try number `attempt` (2 for the first retry).
    func delay(beforeAttempt attempt: Int) -> Duration {
        var delay = initialDelay
        for _ in 2..<max(2, attempt) { delay = min(maximumDelay, delay * 2) }
        return min(maximumDelay, delay)
    }
}
