import Foundation
import Market
import WireProtocol

/// The pure decision of one round: K from the K policy, participants from the selection policy,
/// then a budget-constrained reverse auction among them. No I/O, so it is unit-testable and a
/// replay can re-run it from the inputs the assignment records.
public struct RoundDecider: Sendable {
    public var configuration: ExperimentConfiguration
    public var policy: any SelectionPolicy
    public var kPolicy: any KPolicy

    public init(configuration: ExperimentConfiguration, policy: any SelectionPolicy, kPolicy: any KPolicy) {
        self.configuration = configuration
        self.policy = policy
        self.kPolicy = kPolicy
    }

    /// Selection, then market clearing among the selected: the pure decision of one round.
    public func decide(round: Int, bids: [Bid], history: [Double], roundDeadline: Date) async throws -> Assignment {
        let participating = bids.filter { $0.decision.isParticipating }.sorted { $0.clientID < $1.clientID }
        let k = kPolicy.k(round: round, accuracyHistory: history, available: participating.count)
        let context = SelectionContext(
            round: round, runSeed: configuration.seed, targetK: k,
            candidates: participating.map(Candidate.init(bid:)), accuracyHistory: history)
        let decision = try await policy.select(context)
        let chosen = Set(decision.selected)
        let auction = try ReverseAuction(budget: configuration.budget, maxWinners: k)
        let cleared = auction.clear(participating.filter { chosen.contains($0.clientID) }.map {
            MarketBid(clientID: $0.clientID, askPrice: $0.askPrice)
        })
        var inputs = decision.inputs
        inputs["run_seed"] = String(configuration.seed)
        inputs["policy"] = policy.name
        inputs["k_policy"] = kPolicy.name
        inputs["k"] = String(k)
        inputs["budget"] = String(configuration.budget)
        inputs["bids"] = participating.map { "\($0.clientID):\($0.askPrice)" }.joined(separator: ",")
        inputs["declined"] = bids.filter { !$0.decision.isParticipating }.map { String($0.clientID) }.joined(separator: ",")
        inputs["bids_digest"] = Self.digest(of: participating)
        return Assignment(
            round: round, modelVersion: round - 1, policy: policy.name, k: k, selected: cleared.winners,
            clearingPrice: cleared.clearingPrice,
            payments: cleared.winners.map { ClientPayment(clientID: $0, amount: cleared.payment(to: $0)) },
            reason: "\(decision.reason); \(cleared.reason)", decisionInputs: inputs, roundDeadline: roundDeadline)
    }

    static func digest(of bids: [Bid]) -> String {
        let text = bids.map { "\($0.clientID):\($0.askPrice):\($0.sampleCount)" }.joined(separator: ";")
        return SHA256Digest.hex(of: Array(text.utf8))
    }

}
