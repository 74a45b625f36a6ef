import Foundation
import Market
import Strategies
import WireProtocol

/// A bid as the server received it: the message and the id of the envelope it came in, which the
/// decision record names so an auditor can match the bids a decision used with those it logged.
public struct ReceivedBid: Sendable, Hashable {
    public var bid: Bid
    public var messageID: String

    public init(bid: Bid, messageID: String) {
        self.bid = bid
        self.messageID = messageID
    }
}

/// An answer to an offer as the server received it, with the id of the message it came in.
public struct ReceivedAnswer: Sendable, Hashable {
    public var answer: OfferAnswer
    public var messageID: String

    public init(answer: OfferAnswer, messageID: String) {
        self.answer = answer
        self.messageID = messageID
    }
}

/// How a round's offers reach the clients and their answers come back: published and awaited by
/// the server agent, asked of the bidders directly by the in-process engine, read from the log by
/// a replay.
public typealias OfferExchange = @Sendable ([PlaceOffer]) async throws -> [ReceivedAnswer]

/// The decision of one round: the strategy plans (K, then who), then a budget-constrained reverse
/// auction clears among the chosen. No I/O: the server agent and the in-process engine of
/// `agentfl simulate` both call it, so they decide alike, and a replay can re-run it from the
/// decision record.
public struct RoundDecider: Sendable {
    public var configuration: ExperimentConfiguration

    public init(configuration: ExperimentConfiguration) {
        self.configuration = configuration
    }

    /// Plans with `strategy` (which moves to its state after planning), then clears the market;
    /// when the run negotiates and the auction left places, its offers go out through `exchange`
    /// (none answered without one) and the answers settle the round.
    public func decide(
        round: Int, bids: [ReceivedBid], history: [Double], roundDeadline: Date, strategy: inout StrategyRunner,
        exchange: OfferExchange? = nil
    ) async throws -> Assignment {
        let (participating, ineligible) = candidates(bids)
        let widths = Set(configuration.widths)
        // `firstRoundTakesAll`: round 1's bounds are every bidder, so any K-Agent is clamped to all.
        let bounds = configuration.firstRoundTakesAll && round == 1
            ? max(1, participating.count)...max(1, participating.count) : configuration.kBounds
        let context = PlanningContext(
            round: round, totalRounds: configuration.rounds, runSeed: configuration.seed,
            candidates: participating.map { Candidate(bid: $0.bid) }, totalClients: configuration.clients,
            kBounds: bounds, configuredK: configuration.k, budget: configuration.budget,
            localEpochs: configuration.localEpochs, accuracyHistory: history)
        let (plan, before, after) = try await strategy.plan(context)
        let (cleared, negotiation) = try await market(
            round: round, k: plan.k, chosen: plan.selected, participating: participating, exchange: exchange)
        let offered = Dictionary(participating.map { ($0.bid.clientID, $0.bid) }, uniquingKeysWith: { first, _ in first })
        let instructions = cleared.winners.map { client in
            ClientInstruction(
                clientID: client, bidSampleCount: offered[client]?.sampleCount ?? 0,
                width: Self.confirmedWidth(planned: plan.work[client]?.width, offered: offered[client]?.device.maxWidth ?? 1, widths: widths),
                localEpochs: plan.work[client]?.localEpochs ?? configuration.localEpochs)
        }
        let decision = DecisionRecord(
            strategy: strategy.descriptor, stateBefore: before, stateAfter: after,
            candidatesDigest: StrategyRunner.digest(of: context.candidates),
            bidMessageIDs: participating.map(\.messageID),
            declined: ineligible.map(\.bid.clientID),
            k: plan.k, kRationale: plan.kRationale, preferred: plan.selected, selectionRationale: plan.selectionRationale,
            externalCalls: plan.externalCalls, guardrails: plan.guardrails, runSeed: configuration.seed,
            budget: configuration.budget,
            declineReasons: Dictionary(ineligible.map { (String($0.bid.clientID), reason(excluding: $0.bid)) }, uniquingKeysWith: { a, _ in a }),
            negotiation: negotiation)
        return Assignment(
            round: round, modelVersion: round - 1, policy: strategy.descriptor.name, k: plan.k, selected: cleared.winners,
            instructions: instructions, clearingPrice: cleared.clearingPrice,
            payments: cleared.winners.map { ClientPayment(clientID: $0, amount: cleared.payment(to: $0)) },
            reason: "\(plan.kRationale); \(plan.selectionRationale); \(cleared.reason)", decision: decision,
            roundDeadline: roundDeadline)
    }
}

extension RoundDecider {
    /// The bids that are candidates and those that are not, each in client-id order. An exhausted
    /// client (its spend would pass its DP budget) is no candidate, whatever it says; nor is a
    /// client offering a width this run does not train (its update could not be merged).
    func candidates(_ bids: [ReceivedBid]) -> (participating: [ReceivedBid], ineligible: [ReceivedBid]) {
        let sorted = bids.sorted { $0.bid.clientID < $1.bid.clientID }
        let requiringPrivacy = configuration.privacy != nil
        let widths = Set(configuration.widths)
        func eligible(_ bid: Bid) -> Bool { bid.isEligible(requiringPrivacy: requiringPrivacy) && widths.contains(bid.device.maxWidth) }
        return (sorted.filter { eligible($0.bid) }, sorted.filter { !eligible($0.bid) })
    }

    /// The market among the clients the plan chose: a budget-constrained reverse auction with at
    /// most `k` winners over their asks, then, when the run negotiates, offers of the places it
    /// left to its losers, settled by the answers `exchange` brings back. Returns the final
    /// result (the auction's when nothing was offered) and what the negotiation did.
    func market(
        round: Int, k: Int, chosen: [Int], participating: [ReceivedBid], exchange: OfferExchange?
    ) async throws -> (ClearingResult, NegotiationRecord?) {
        let chosen = Set(chosen)
        let asks = participating.filter { chosen.contains($0.bid.clientID) }.map {
            MarketBid(clientID: $0.bid.clientID, askPrice: $0.bid.askPrice)
        }
        let cleared = try ReverseAuction(budget: configuration.budget, maxWinners: k).clear(asks)
        guard let mechanism = try configuration.negotiationMechanism() else { return (cleared, nil) }
        let offers = mechanism.offers(round: round, bids: asks, clearing: cleared)
        guard !offers.isEmpty else { return (cleared, nil) }
        // Every answer that came back goes to the mechanism's own settlement rule, which counts
        // only a client's single answer naming its offer (`OfferSettlement`); in client-id order,
        // so a replay that feeds the recorded ones back settles alike.
        let received = try await exchange?(offers.map { PlaceOffer($0, mechanism: mechanism.name) }) ?? []
        let used = received.enumerated().sorted { ($0.element.answer.clientID, $0.offset) < ($1.element.answer.clientID, $1.offset) }.map(\.element)
        let outcome = mechanism.settle(
            round: round, clearing: cleared, offers: offers,
            answers: used.map { MarketAnswer($0.answer) })
        return (outcome.result, NegotiationRecord(
            mechanism: mechanism.name, offers: offers.map { NegotiationRecord.Offer(clientID: $0.clientID, price: $0.price) },
            answerMessageIDs: used.map(\.messageID), accepted: outcome.accepted, declined: outcome.declined,
            unanswered: outcome.unanswered))
    }

    /// Why a bid is not a candidate: the guardian's own reason, or the server's.
    /// The width the server confirms: the one the client offered (the largest that fits its
    /// hardware and the deadline), or a narrower one of the run's widths if the plan asks for it.
    static func confirmedWidth(planned: Double?, offered: Double, widths: Set<Double>) -> Double {
        guard let planned, planned <= offered, widths.contains(planned) else { return offered }
        return planned
    }

    func reason(excluding bid: Bid) -> String {
        if case .decline(let reason) = bid.decision { return reason }
        if !configuration.widths.contains(bid.device.maxWidth) {
            return "it offers width \(bid.device.maxWidth), the run trains \(Set(configuration.widths).sorted(by: >))"
        }
        if let privacy = bid.privacy, !privacy.withinBudget { return Bid.privacyBudgetReason }
        return "no privacy statement in a run with DP on"
    }
}

extension Candidate {
    init(bid: Bid) {
        self.init(
            clientID: bid.clientID, askPrice: bid.askPrice, sampleCount: bid.sampleCount,
            labelHistogram: bid.labelHistogram, samplesPerSecond: bid.device.samplesPerSecond,
            memoryMiB: bid.device.memoryMiB, availability: bid.availability)
    }
}
