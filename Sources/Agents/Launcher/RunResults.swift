import Foundation
import Learning
import WireProtocol

/// One round of a run as the launcher saw it: the server's assignment and the aggregator's metrics.
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
    /// Sample-weighted mean training loss of the merged clients (from the aggregator's feedback).
    public var trainLoss: Double?
    /// The strategy that decided, and the digest of its state right after planning the round
    /// (equal in `run` and `simulate` for a deterministic strategy).
    public var strategy: String
    public var strategyStateAfterPlan: String
    /// The round's token ledger, from the decision record.
    public var llmCalls: Int
    public var promptTokens: Int
    public var completionTokens: Int
    public var llmCost: Double
    public var guardrails: [String: Int]
    /// Per client id: why it was no candidate, why its assigned update was not merged, its ε.
    public var declined: [String: String]
    public var missed: [String: String]
    public var epsilon: [String: Double]
    /// Per assigned client id: the model width the server confirmed.
    public var widths: [String: Double]
    /// Per merged client: the samples its update was weighted by.
    public var samples: [String: Int]

    enum CodingKeys: String, CodingKey {
        case round, k, selected, merged, seconds, payments, strategy
        case testAccuracy = "test_accuracy", testLoss = "test_loss", bytesUp = "bytes_up", bytesDown = "bytes_down"
        case clearingPrice = "clearing_price", trainLoss = "train_loss", strategyStateAfterPlan = "strategy_state_after_plan"
        case llmCalls = "llm_calls", promptTokens = "prompt_tokens", completionTokens = "completion_tokens", llmCost = "llm_cost", guardrails
        case declined, missed, epsilon, widths, samples
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
        let merged = metrics.outcomes.filter { $0.status == .merged }
        let total = merged.reduce(0) { $0 + $1.sampleCount }
        trainLoss = total == 0 ? nil : merged.reduce(0.0) { $0 + ($1.meanLoss ?? 0) * Double($1.sampleCount) } / Double(total)
        strategy = assignment.decision.strategy.name
        strategyStateAfterPlan = assignment.decision.stateAfter
        let calls = assignment.decision.externalCalls
        llmCalls = calls.count
        promptTokens = calls.reduce(0) { $0 + $1.promptTokens }
        completionTokens = calls.reduce(0) { $0 + $1.completionTokens }
        llmCost = calls.reduce(0) { $0 + $1.estimatedCost }
        guardrails = assignment.decision.guardrails.reduce(into: [:]) { $0[$1.kind, default: 0] += 1 }
        declined = assignment.decision.declineReasons
        missed = Dictionary(uniqueKeysWithValues: metrics.outcomes.filter { $0.status != .merged }.map {
            (String($0.clientID), $0.status == .excluded ? "excluded: \($0.reason ?? "")" : $0.status.rawValue)
        })
        epsilon = Dictionary(uniqueKeysWithValues: metrics.outcomes.compactMap { o in o.epsilonSpent.map { (String(o.clientID), $0) } })
        widths = Dictionary(assignment.instructions.map { (String($0.clientID), $0.width) }, uniquingKeysWith: { a, _ in a })
        samples = Dictionary(merged.map { (String($0.clientID), $0.sampleCount) }, uniquingKeysWith: { a, _ in a })
    }

    /// The round in the shared `results.json` schema (the aggregator does not see training losses: null).
    public var resultsRound: ResultsDocument.Round {
        ResultsDocument.Round(
            round: round, k: k, selected: selected, merged: merged, testAccuracy: testAccuracy, testLoss: testLoss, trainLoss: trainLoss,
            bytesUp: bytesUp, bytesDown: bytesDown, seconds: seconds, clearingPrice: clearingPrice, payments: payments,
            strategy: strategy, strategyState: strategyStateAfterPlan, llmCalls: llmCalls, promptTokens: promptTokens,
            completionTokens: completionTokens, llmCost: llmCost, guardrails: guardrails,
            declined: declined.isEmpty ? nil : declined, missed: missed.isEmpty ? nil : missed, epsilon: epsilon.isEmpty ? nil : epsilon,
            widths: widths.values.allSatisfy { $0 == 1 } ? nil : widths, samples: samples.isEmpty ? nil : samples)
    }
}

/// The outcome of `agentfl run`: the configuration and every round, plus how the system started
/// and ran. It is written as `results.json` and `results.csv` in the schema ``ResultsDocument``
/// documents, the same `agentfl simulate` writes.
public struct RunResults: Encodable, Sendable {
    /// "run" or "simulate".
    public var command: String
    public var config: ExperimentConfiguration
    public var rounds: [RunRound]
    /// Broker up, topics created, every role process launched.
    public var startupSeconds: Double?
    /// Until the first call for participation: every guardian loaded its data and said so.
    public var readySeconds: Double?
    public var totalSeconds: Double

    public init(
        command: String = "run", config: ExperimentConfiguration, rounds: [RunRound], startupSeconds: Double?, readySeconds: Double?,
        totalSeconds: Double
    ) {
        self.command = command
        self.config = config
        self.rounds = rounds
        self.startupSeconds = startupSeconds
        self.readySeconds = readySeconds
        self.totalSeconds = totalSeconds
    }

    /// The shared results document of this run.
    public func document() throws -> ResultsDocument {
        ResultsDocument(
            command: command,
            config: ResultsDocument.ConfigRecord(
                try config.simulationConfiguration(), parameterCount: try config.parameterCount(), agents: config.agentSettings),
            rounds: rounds.map(\.resultsRound), startupSeconds: startupSeconds, readySeconds: readySeconds, totalSeconds: totalSeconds)
    }

    public func encode(to encoder: any Encoder) throws {
        try document().encode(to: encoder)
    }

    public func write(to directory: URL) throws {
        try document().write(to: directory)
    }
}
