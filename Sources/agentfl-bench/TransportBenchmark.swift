import ArgumentParser
import Foundation
import KafkaTransport
import Logging

/// `agentfl-bench transport`: produce and consume throughput of the Swift transport against a
/// fresh embedded broker per run, beside the C librdkafka reference figures.
struct TransportBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transport",
        abstract: "Produce (enqueue+flush, acks=all, idempotent) and consume throughput on the embedded broker."
    )

    @Option(help: "Runs per case; the median is reported.")
    var runs: Int = 3

    @Option(help: "Comma-separated cases: \(TransportCase.all.map(\.name).joined(separator: ",")), or all.")
    var cases: String = "all"

    @Option(help: "Producer compression: none, lz4 or zstd (the reference used none).")
    var compression: String = "none"

    @Flag(help: "Print per-run timings.")
    var verbose = false

    @Option(help: "Producer linger in milliseconds.")
    var linger: Int = 5

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        guard KafkaCompression(rawValue: compression) != nil else {
            throw ValidationError("--compression must be none, lz4 or zstd")
        }
        _ = try selectedCases()
    }

    func run() async throws {
        var logger = Logger(label: "agentfl-bench")
        logger.logLevel = .warning
        let compression = KafkaCompression(rawValue: compression) ?? .none
        print("transport benchmark: librdkafka \(LibrdkafkaVersion.string), compression \(compression.rawValue), linger \(linger) ms, "
            + "acks=all, idempotent, 1 partition, fresh broker per run, median of \(runs)")
        print(TransportReport.header)
        for benchmarkCase in try selectedCases() {
            var results: [TransportRunResult] = []
            for _ in 0..<runs {
                let runner = TransportRunner(benchmarkCase: benchmarkCase, compression: compression, linger: linger, logger: logger, verbose: verbose)
                results.append(try await runner.run())
            }
            print(TransportReport(benchmarkCase: benchmarkCase, results: results).row)
        }
    }

    private func selectedCases() throws -> [TransportCase] {
        if cases == "all" { return TransportCase.all }
        return try cases.split(separator: ",").map { name in
            guard let found = TransportCase.all.first(where: { $0.name == name }) else {
                throw ValidationError("unknown case '\(name)'; known: \(TransportCase.all.map(\.name).joined(separator: ","))")
            }
            return found
        }
    }
}
