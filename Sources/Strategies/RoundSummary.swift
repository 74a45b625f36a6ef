import Foundation

/// The round as an LLM brain is shown it: a few lines of aggregates whose length does not grow
/// with the number of clients (quantiles, counts, trends), never the per-client table. Client-
/// supplied text never enters it: only numbers the server computed.
enum RoundSummary {
    static func quantile(_ sorted: [Double], _ q: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }

    static func number(_ value: Double?, digits: Int = 3) -> String {
        guard let value, value.isFinite else { return "n/a" }
        return String(format: "%.\(digits)f", value)
    }

    /// Round, K bounds, budget against the asks, and the accuracy trend.
    static func header(_ context: PlanningContext) -> [String] {
        let asks = context.candidates.map(\.askPrice).sorted()
        let history = context.accuracyHistory.suffix(4)
        let trend: Double? = history.count >= 2 ? (history.last! - history.first!) / Double(history.count - 1) : nil
        return [
            "Round \(context.round) of \(context.totalRounds). \(context.candidates.count) of \(context.totalClients) clients bid.",
            "K must be between \(context.kBounds.lowerBound) and \(min(context.kBounds.upperBound, context.candidates.count)); configured K is \(context.configuredK).",
            "Budget \(number(context.budget, digits: 2)); asks median \(number(quantile(asks, 0.5), digits: 2)), 90th percentile \(number(quantile(asks, 0.9), digits: 2)).",
            "Test accuracy of the last rounds: " + (history.isEmpty ? "none yet" : history.map { number($0) }.joined(separator: ", "))
                + (trend.map { " (trend \(number($0, digits: 4)) per round)" } ?? "") + ".",
        ]
    }

    /// Median ask: what one more client costs, roughly.
    static func medianAsk(_ context: PlanningContext) -> Double {
        quantile(context.candidates.map(\.askPrice).sorted(), 0.5) ?? 0
    }
}
