import Foundation

extension Duration {
    /// The duration in seconds, as the results and metrics report it.
    var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

extension ContinuousClock.Instant {
    /// The monotonic instant of a wall-clock deadline carried in a message (now, if it has passed).
    static func deadline(_ date: Date) -> ContinuousClock.Instant {
        .now + .milliseconds(Int64(max(0, date.timeIntervalSinceNow) * 1000))
    }
}
