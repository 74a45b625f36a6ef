/// How often the launcher restarts a role that crashed, and how long it waits before each restart.
///
/// Defaults: at most 3 restarts of one role within any 120 s, the n-th restart of that window
/// after 0.25 s · 2ⁿ⁻¹ (0.25 s, 0.5 s, 1 s, …, at most 4 s). A role that crashes a fourth time
/// within 120 s of its first crash ends the run: a deterministic fault (bad input, a bug, a broken
/// installation) would only crash again, and the run must end in bounded time with one clear
/// error. Restarts older than the window no longer count, so a long run survives occasional
/// crashes spread over hours.
public struct RestartPolicy: Sendable, Equatable {
    /// Restarts allowed per role within `window`.
    public var maxRestarts: Int
    public var window: Duration
    /// Wait before the first restart within the window; doubled for each further one.
    public var initialBackoff: Duration
    public var maxBackoff: Duration

    public init(
        maxRestarts: Int = 3, window: Duration = .seconds(120),
        initialBackoff: Duration = .milliseconds(250), maxBackoff: Duration = .seconds(4)
    ) {
        self.maxRestarts = maxRestarts
        self.window = window
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// Never restart: the first crash ends the run.
    public static let never = RestartPolicy(maxRestarts: 0)

    public enum Decision: Sendable, Equatable {
        /// Restart after waiting this long.
        case restart(after: Duration)
        /// The budget is spent.
        case giveUp
    }

    /// What to do about a crash at `now`, given the instants of the role's earlier restarts.
    public func decide(restarts: [ContinuousClock.Instant], now: ContinuousClock.Instant) -> Decision {
        let recent = restarts.filter { now - $0 < window }.count
        guard recent < maxRestarts else { return .giveUp }
        var backoff = initialBackoff
        for _ in 0..<recent { backoff = min(backoff * 2, maxBackoff) }
        return .restart(after: min(backoff, maxBackoff))
    }
}
