/// One line per distinct message per interval: librdkafka repeats the same connection error many
/// times a second while a broker is down, which buried the one line that mattered.
///
/// The first occurrence of a message is logged at once; repeats within `interval` are counted,
/// and the next occurrence after the interval is logged with that count. `drain()` gives the
/// counts still unreported (for a last summary when the client goes away). Messages are keyed
/// without their parenthesised parts, where librdkafka puts timings and its own repeat counts.
struct LogRateLimiter {
    enum Decision: Equatable {
        /// Log it; `suppressed` earlier repeats were not logged since the last logged one.
        case log(suppressed: Int)
        case suppress
    }

    private struct Entry {
        var windowStart: ContinuousClock.Instant
        var suppressed: Int
        var text: String
    }

    let interval: Duration
    let maxEntries: Int
    private var entries: [String: Entry] = [:]

    init(interval: Duration = .seconds(30), maxEntries: Int = 256) {
        self.interval = interval
        self.maxEntries = maxEntries
    }

    static func key(for text: String) -> String {
        var key = ""
        key.reserveCapacity(text.utf8.count)
        var depth = 0
        for character in text {
            if character == "(" {
                depth += 1
            } else if character == ")" {
                depth = max(0, depth - 1)
            } else if depth == 0 {
                key.append(character)
            }
        }
        return key
    }

    mutating func admit(_ text: String, category: String = "", now: ContinuousClock.Instant) -> Decision {
        let key = category + "\u{1F}" + Self.key(for: text)
        if var entry = entries[key] {
            guard now - entry.windowStart >= interval else {
                entry.suppressed += 1
                entry.text = text
                entries[key] = entry
                return .suppress
            }
            entries[key] = Entry(windowStart: now, suppressed: 0, text: text)
            return .log(suppressed: entry.suppressed)
        }
        if entries.count >= maxEntries {
            entries = entries.filter { now - $0.value.windowStart < interval }
            if entries.count >= maxEntries { entries.removeAll() }
        }
        entries[key] = Entry(windowStart: now, suppressed: 0, text: text)
        return .log(suppressed: 0)
    }

    /// The messages with repeats not yet reported (latest text, count), and forgets them.
    mutating func drain() -> [(text: String, suppressed: Int)] {
        defer { entries.removeAll() }
        return entries.values.filter { $0.suppressed > 0 }.map { ($0.text, $0.suppressed) }.sorted { $0.text < $1.text }
    }
}
