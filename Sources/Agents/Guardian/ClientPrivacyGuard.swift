import Foundation
import Learning
import Privacy
import WireProtocol

/// Guards the differential-privacy budgets of the clients one guardian process hosts (and, in
/// `agentfl simulate`, of every client): it quotes what a round would spend for the bid, charges
/// a round before the client trains it and refuses one that would pass the budget, and keeps
/// every client's ledger in a file, so a restarted guardian cannot forget what it spent.
public actor ClientPrivacyGuard {
    private let mechanisms: [Int: PrivacyMechanism]
    private var ledgers: [Int: PrivacyLedger]
    private let ledgerURL: URL?
    private let noise: NoiseSeed

    /// The guard of `sampleCounts`' clients (client → its samples), or nil when the configuration
    /// has DP off. Ledgers kept earlier at `ledgerURL` are read back; a ledger kept under another
    /// budget is an error, not a fresh start.
    public init?(
        configuration: ExperimentConfiguration, sampleCounts: [Int: Int], ledgerURL: URL?, noise: NoiseSeed
    ) throws {
        guard configuration.privacyBudget != nil else { return nil }
        var mechanisms: [Int: PrivacyMechanism] = [:]
        for (client, count) in sampleCounts {
            guard let mechanism = configuration.privacyMechanism(sampleCount: count) else { return nil }
            try mechanism.validate()
            mechanisms[client] = mechanism
        }
        // Each client's own budget: the run's, or its population group's ε.
        let budgets = configuration.privacyBudgets(of: Array(sampleCounts.keys))
        for budget in budgets.values { try budget.validate() }
        var ledgers = budgets.mapValues { PrivacyLedger(budget: $0) }
        if let ledgerURL, FileManager.default.fileExists(atPath: ledgerURL.path) {
            let kept = try Self.read(ledgerURL)
            for (client, ledger) in kept {
                guard let budget = budgets[client] else { continue }
                guard ledger.budget == budget else {
                    throw PrivacyError.ledgerFile(
                        path: ledgerURL.path,
                        reason: "client \(client)'s ledger was kept under the budget ε=\(ledger.budget.epsilon), δ=\(ledger.budget.delta); the configuration says ε=\(budget.epsilon), δ=\(budget.delta)")
                }
                ledgers[client] = ledger
            }
        }
        self.mechanisms = mechanisms
        self.ledgers = ledgers
        self.ledgerURL = ledgerURL
        self.noise = noise
    }

    /// What `round` would spend of `client`'s budget (for its bid); nil for a client not guarded here.
    public func quote(client: Int, round: Int) -> PrivacyStatement? {
        guard let mechanism = mechanisms[client], let ledger = ledgers[client] else { return nil }
        let (before, after) = ledger.quote(round: round, mechanism: mechanism)
        return statement(mechanism, budget: ledger.budget, before: before, after: after)
    }

    /// Charges `round` to `client`'s ledger and writes the ledger file before it returns, so the
    /// client trains only on recorded spending; throws ``PrivacyError/budgetExceeded(round:before:after:budget:)``
    /// (charging nothing) when the round would pass the budget. Charging a round twice (a
    /// re-delivered assignment) changes nothing.
    public func charge(client: Int, round: Int) throws -> PrivacyTraining {
        guard let mechanism = mechanisms[client], var ledger = ledgers[client] else {
            throw PrivacyError.invalidMechanism("client \(client) is not guarded by this guardian")
        }
        let (before, after) = try ledger.charge(round: round, mechanism: mechanism)
        ledgers[client] = ledger
        if let ledgerURL { try write(ledgerURL) }
        return PrivacyTraining(
            mechanism: mechanism, seed: noise.seed(client: client, round: round),
            statement: statement(mechanism, budget: ledger.budget, before: before, after: after))
    }

    /// ε spent so far per client.
    public func spent() -> [Int: Double] { ledgers.mapValues(\.spent) }

    private func statement(_ mechanism: PrivacyMechanism, budget: PrivacyBudget, before: Double, after: Double) -> PrivacyStatement {
        let cost = mechanism.roundCost
        return PrivacyStatement(
            mechanism: mechanism.name, noiseMultiplier: mechanism.noiseMultiplier, clipNorm: mechanism.clipNorm,
            sampleRate: cost.sampleRate, steps: cost.steps, accountedNoiseMultiplier: cost.noiseMultiplier,
            budgetEpsilon: budget.epsilon, delta: budget.delta, epsilonBefore: before, epsilonAfter: after)
    }

    private static func read(_ url: URL) throws(PrivacyError) -> [Int: PrivacyLedger] {
        do {
            return try ClientStateFile.read(PrivacyLedger.self, from: url)
        } catch {
            throw .ledgerFile(path: url.path, reason: error.reason)
        }
    }

    private func write(_ url: URL) throws(PrivacyError) {
        do {
            try ClientStateFile.write(ledgers, to: url)
        } catch {
            throw .ledgerFile(path: url.path, reason: error.reason)
        }
    }
}

/// What a client needs to train one charged round privately: the mechanism, its private seed for
/// the round, and the statement its update carries.
public struct PrivacyTraining: Sendable {
    public var mechanism: PrivacyMechanism
    public var seed: UInt64
    public var statement: PrivacyStatement
}
