extension Duration {
    /// The duration in whole milliseconds, rounded down and clamped to what librdkafka accepts (Int32).
    var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        let milliseconds = seconds.multipliedReportingOverflow(by: 1000)
        if milliseconds.overflow { return seconds < 0 ? 0 : Int(Int32.max) }
        let total = milliseconds.partialValue + attoseconds / 1_000_000_000_000_000
        return Int(min(max(total, 0), Int64(Int32.max)))
    }
}
