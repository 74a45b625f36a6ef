import Foundation
import WireProtocol

/// One round of a run, as `results.json` and `results.csv` report it (the same shape as
/// `agentfl simulate` writes, plus the market's outcome).
public struct RunRound: Codable, Sendable, Equatable {
    public var round: Int
    public var k: Int
    public var selected: [Int]
    public var merged: [Int]
    public var testAccuracy: Double
    public var testLoss: Double
    public var bytesUp: Int
    public var bytesDown: Int
    public var seconds: Double
    public var clearingPrice: Double
    public var payments: [String: Double]

    enum CodingKeys: String, CodingKey {
        case round, k, selected, merged, seconds, payments
        case testAccuracy = "test_accuracy", testLoss = "test_loss", bytesUp = "bytes_up", bytesDown = "bytes_down"
        case clearingPrice = "clearing_price"
    }

    public init(assignment: Assignment, metrics: RoundMetrics) {
        round = metrics.round
        k = assignment.k
        selected = assignment.selected
        merged = metrics.mergedClients
        testAccuracy = metrics.testAccuracy
        testLoss = metrics.testLoss
        bytesUp = metrics.bytesUp
        bytesDown = metrics.bytesDown
        seconds = metrics.seconds
        clearingPrice = assignment.clearingPrice
        payments = Dictionary(uniqueKeysWithValues: assignment.payments.map { (String($0.clientID), $0.amount) })
    }
}

/// `results.json`: the configuration and every round, plus how the system started and ran.
public struct RunResults: Codable, Sendable {
    public var config: ExperimentConfiguration
    public var rounds: [RunRound]
    /// Broker up, topics created, every role process launched.
    public var startupSeconds: Double
    /// Until the first call for participation: every guardian loaded its data and said so.
    public var readySeconds: Double
    public var totalSeconds: Double

    enum CodingKeys: String, CodingKey {
        case config, rounds
        case startupSeconds = "startup_seconds", readySeconds = "ready_seconds", totalSeconds = "total_seconds"
    }

    public func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: directory.appendingPathComponent("results.json"), options: .atomic)
        var csv = "round,k,selected,merged,test_accuracy,test_loss,bytes_up,bytes_down,seconds,clearing_price\n"
        for r in rounds {
            csv += "\(r.round),\(r.k),\(r.selected.map(String.init).joined(separator: " ")),"
            csv += "\(r.merged.map(String.init).joined(separator: " ")),\(r.testAccuracy),\(r.testLoss),"
            csv += "\(r.bytesUp),\(r.bytesDown),\(r.seconds),\(r.clearingPrice)\n"
        }
        try Data(csv.utf8).write(to: directory.appendingPathComponent("results.csv"), options: .atomic)
    }
}
