import Foundation

/// Formats the medians of one case beside the C librdkafka reference.
struct TransportReport {
    let benchmarkCase: TransportCase
    let results: [TransportRunResult]

    static let header = [
        "case", "messages", "produce msg/s", "MiB/s", "C msg/s", "ratio",
        "consume msg/s", "MiB/s", "C msg/s", "ratio", "broker RSS",
    ].map { $0.padding(toLength: 13, withPad: " ", startingAt: 0) }.joined(separator: " ")

    var row: String {
        let count = Double(benchmarkCase.count)
        let mebibytes = Double(benchmarkCase.totalBytes) / Double(1 << 20)
        let produceSeconds = median(results.map(\.produceSeconds))
        let consumeSeconds = median(results.map(\.consumeSeconds))
        let produceRate = count / produceSeconds
        let consumeRate = count / consumeSeconds
        let rss = results.last?.brokerResidentBytes.map { String(format: "%.0f MiB", Double($0) / Double(1 << 20)) } ?? "?"
        let cells = [
            benchmarkCase.name,
            "\(benchmarkCase.count)x\(benchmarkCase.size >> 10)KiB",
            String(format: "%.0f", produceRate),
            String(format: "%.0f", mebibytes / produceSeconds),
            String(format: "%.0f", benchmarkCase.referenceProduceMessagesPerSecond),
            String(format: "%.2f", produceRate / benchmarkCase.referenceProduceMessagesPerSecond),
            String(format: "%.0f", consumeRate),
            String(format: "%.0f", mebibytes / consumeSeconds),
            String(format: "%.0f", benchmarkCase.referenceConsumeMessagesPerSecond),
            String(format: "%.2f", consumeRate / benchmarkCase.referenceConsumeMessagesPerSecond),
            rss,
        ]
        return cells.map { $0.padding(toLength: 13, withPad: " ", startingAt: 0) }.joined(separator: " ")
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
