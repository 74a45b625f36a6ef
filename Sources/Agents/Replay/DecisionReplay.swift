import Audit
import Foundation
import Market
import Privacy
import Strategies
import WireProtocol

/// Re-derives a run's decisions from its audit log alone (with the run's configuration, which a
/// run publishes beside its log), and names every place where what was decided does not follow
/// from what was recorded (`agentfl audit replay`).
///
/// For each logged assignment, in round order:
/// - **inputs**: every bid the decision names was logged; no eligible bid sent at least
///   ``ignoredBidMargin`` before the round's bid deadline is left out;
/// - **plan**: the strategy the configuration names starts from its
///   initial state and folds the logged metrics of each round, as the server did; its state must
///   match the recorded digest before planning, and re-planning from the logged bids must give
///   the recorded K, preferred clients, state after, and then the whole recorded assignment;
/// - **market** (every brain): the auction re-cleared from the recorded K and preferred clients
///   over the logged asks gives the recorded winners, price and payments, within the budget.
///
/// For each logged round's metrics: every merged client was assigned, and each merged digest is
/// that of an update the client was logged sending. For each logged update's privacy statement:
/// its ε before and after are the accountant's for some number of earlier rounds of its own
/// mechanism, and within its budget (and the configured one).
///
/// A language model's decisions are re-derived the same way, its recorded answers (or failures)
/// fed back call by call through the brain's own guardrails (``ReplayedModel``): each call the
/// replay makes must carry the recorded prompt, and the model is never called again.
/// The replay trusts the log's integrity: `agentfl audit replay` verifies the chain, signatures
/// and tree heads first.
public struct DecisionReplay: Sendable {
    public var configuration: ExperimentConfiguration
    /// How long before the bid deadline a bid must have been sent for leaving it out to be a
    /// finding: one that reached the server after its window closed was rightly not used.
    public var ignoredBidMargin: Duration = .seconds(1)

    public init(configuration: ExperimentConfiguration) {
        self.configuration = configuration
    }

    public func replay(_ entries: [AuditEntry]) async throws -> ReplayReport {
        let run = try LoggedRun(entries)
        var report = ReplayReport()
        let decider = RoundDecider(configuration: configuration)
        // A language model brain answers from its recorded calls: the same guardrails then decide
        // again on the same answers, and every call it makes must be the recorded one.
        let model = ReplayedModel()
        let endpoint = run.assignments.lazy.flatMap(\.message.decision.externalCalls).first?.url ?? "replay"
        var strategy = try configuration.strategy(
            llm: configuration.needsLLM ? LLMBinding(client: model, settings: configuration.llmSettings, endpoint: endpoint) : nil)
        var decided: [Int: Int] = [:]
        var assignments: [Int: Assignment] = [:]
        for logged in run.assignments.sorted(by: { ($0.message.round, $0.entry) < ($1.message.round, $1.entry) }) {
            let assignment = logged.message
            let round = assignment.round
            func finding(_ kind: ReplayFinding.Kind, _ recorded: String, _ replayed: String) {
                report.findings.append(ReplayFinding(entry: logged.entry, round: round, kind: kind, recorded: recorded, replayed: replayed))
            }
            if let earlier = decided[round] {
                finding(.duplicateDecision, "a second decision for round \(round)", "one decision per round (the first is entry \(earlier))")
                continue
            }
            decided[round] = logged.entry
            assignments[round] = assignment
            let inputs = inputs(of: assignment, in: run, decider: decider, finding: finding)
            report.bidsUsed += assignment.decision.bidMessageIDs.count
            // Market: from the recorded plan, whatever brain made it; a negotiation's answers are
            // the logged ones the decision names (each must have been logged).
            let (participating, _) = decider.candidates(inputs)
            let recordedAnswers = (assignment.decision.negotiation?.answerMessageIDs ?? []).compactMap { id -> ReceivedAnswer? in
                guard let logged = run.answers[id] else {
                    finding(.bidNotLogged, "answer message \(id) used", "no such answer in the log")
                    return nil
                }
                return ReceivedAnswer(answer: logged.message, messageID: id)
            }
            let (cleared, negotiation) = try await decider.market(
                round: round, k: assignment.decision.k, chosen: assignment.decision.preferred, participating: participating,
                exchange: { _ in recordedAnswers })
            if negotiation != assignment.decision.negotiation {
                finding(.market, "negotiation \(Self.show(assignment.decision.negotiation))", "negotiation \(Self.show(negotiation))")
            }
            let payments = Dictionary(assignment.payments.map { ($0.clientID, $0.amount) }, uniquingKeysWith: { a, _ in a })
            if cleared.winners != assignment.selected || cleared.clearingPrice != assignment.clearingPrice || cleared.payments != payments {
                finding(.market, "winners \(assignment.selected) at \(assignment.clearingPrice), paid \(Self.show(payments))",
                        "winners \(cleared.winners) at \(cleared.clearingPrice), paid \(Self.show(cleared.payments))")
            }
            let paid = PaymentSum.total(payments)
            if paid > configuration.budget {
                finding(.budget, "payments of \(paid)", "at most the budget \(configuration.budget)")
            }
            report.marketsCleared += 1
            // Plan: re-derived from the state the logged feedback folds to.
            model.load(assignment.decision.externalCalls)
            try await replan(
                assignment, from: inputs, answers: recordedAnswers, history: run.accuracyHistory(before: round), strategy: &strategy, decider: decider,
                model: model, finding: finding)
            report.decisionsReplayed += 1
            if !assignment.decision.externalCalls.isEmpty { report.modelDecisions += 1 }
            // The round's feedback, folded as the server folded it once the metrics came.
            if let metrics = run.metrics[round] {
                try strategy.observe(RoundFeedback(metrics.message))
            }
        }
        checkAggregation(run, assignments: assignments, into: &report)
        checkPrivacy(run, into: &report)
        report.findings.sort { ($0.entry, $0.kind.rank) < ($1.entry, $1.kind.rank) }
        return report
    }

    /// The bids the decision used (each must have been logged) and the round's logged declines,
    /// as the server held them; an eligible bid sent in good time and left out is a finding.
    private func inputs(
        of assignment: Assignment, in run: LoggedRun, decider: RoundDecider, finding: (ReplayFinding.Kind, String, String) -> Void
    ) -> [ReceivedBid] {
        let round = assignment.round
        let logged = run.bids[round] ?? []
        let byID = Dictionary(logged.map { ($0.messageID, $0) }, uniquingKeysWith: { first, _ in first })
        var used: [ReceivedBid] = []
        for id in assignment.decision.bidMessageIDs {
            guard let bid = byID[id] else {
                finding(.bidNotLogged, "bid message \(id) used", "no such bid of round \(round) in the log")
                continue
            }
            used.append(ReceivedBid(bid: bid.message, messageID: id))
        }
        // The declines the decision names: each client's last logged non-participating bid.
        let declined = Set(assignment.decision.declined)
        var declines: [Int: ReceivedBid] = [:]
        let usedIDs = Set(assignment.decision.bidMessageIDs)
        for bid in logged where declined.contains(bid.message.clientID) && !usedIDs.contains(bid.messageID) {
            declines[bid.message.clientID] = ReceivedBid(bid: bid.message, messageID: bid.messageID)
        }
        // Left out: an eligible bid, not superseded, sent well before the window closed.
        if let deadline = run.announcements[round]?.message.bidDeadline.millisecondsSince1970 {
            let cutoff = Int(deadline) - Int((ignoredBidMargin.inSeconds * 1000).rounded())
            let usedClients = Set(used.map(\.bid.clientID))
            let (eligible, _) = decider.candidates(logged.map { ReceivedBid(bid: $0.message, messageID: $0.messageID) })
            let eligibleIDs = Set(eligible.map(\.messageID))
            for bid in logged where eligibleIDs.contains(bid.messageID) && bid.sentAt <= cutoff
                && !usedClients.contains(bid.message.clientID) && !declined.contains(bid.message.clientID) {
                finding(.ignoredBid, "client \(bid.message.clientID)'s bid (entry \(bid.entry)) not used",
                        "a candidate: sent \(Int(deadline) - bid.sentAt) ms before the bid deadline")
            }
        }
        return used + declines.values.sorted { $0.bid.clientID < $1.bid.clientID }
    }

    /// Re-plans `assignment` from its inputs with `strategy` (which moves to the replayed state
    /// after planning) and names the first field that differs, most telling first.
    private func replan(
        _ assignment: Assignment, from inputs: [ReceivedBid], answers: [ReceivedAnswer], history: [Double], strategy: inout StrategyRunner,
        decider: RoundDecider, model: ReplayedModel, finding: (ReplayFinding.Kind, String, String) -> Void
    ) async throws {
        let recorded = assignment.decision
        if strategy.descriptor != recorded.strategy {
            finding(.strategy, Self.show(recorded.strategy), Self.show(strategy.descriptor))
            return
        }
        if strategy.stateDigest != recorded.stateBefore {
            finding(.stateBefore, recorded.stateBefore, strategy.stateDigest)
        }
        var replayed = try await decider.decide(
            round: assignment.round, bids: inputs, history: history, roundDeadline: assignment.roundDeadline, strategy: &strategy,
            exchange: { _ in answers })
        // A call's latency is a measurement, not an input to any decision: the recorded one stands.
        if replayed.decision.externalCalls.count == recorded.externalCalls.count {
            for index in recorded.externalCalls.indices {
                replayed.decision.externalCalls[index].latencySeconds = recorded.externalCalls[index].latencySeconds
            }
        }
        let again = replayed.decision
        let mismatches = model.mismatches
        if !mismatches.isEmpty {
            finding(.modelCalls, "\(recorded.externalCalls.count) call(s)", mismatches.joined(separator: "; "))
        } else if again.candidatesDigest != recorded.candidatesDigest {
            finding(.candidates, recorded.candidatesDigest, again.candidatesDigest)
        } else if again.k != recorded.k {
            finding(.k, "K=\(recorded.k) (\(recorded.kRationale))", "K=\(again.k) (\(again.kRationale))")
        } else if again.preferred != recorded.preferred {
            finding(.selection, "\(recorded.preferred) (\(recorded.selectionRationale))", "\(again.preferred) (\(again.selectionRationale))")
        } else if again.stateAfter != recorded.stateAfter {
            finding(.stateAfter, recorded.stateAfter, again.stateAfter)
        } else if replayed != assignment {
            let (recordedFields, replayedFields) = Self.differingFields(assignment, replayed)
            finding(.decision, recordedFields, replayedFields)
        }
    }

    private func checkAggregation(_ run: LoggedRun, assignments: [Int: Assignment], into report: inout ReplayReport) {
        for (round, logged) in run.metrics.sorted(by: { $0.key < $1.key }) {
            let metrics = logged.message
            let assigned = Set(assignments[round]?.selected ?? [])
            var sent: [Int: Set<String>] = [:]
            var samples: [String: Int] = [:]
            for update in run.updates[round] ?? [] {
                sent[update.message.clientID, default: []].insert(update.message.digest)
                samples[update.message.digest] = update.message.sampleCount
            }
            let bid = Dictionary((assignments[round]?.instructions ?? []).map { ($0.clientID, $0.bidSampleCount) }, uniquingKeysWith: { a, _ in a })
            for (index, client) in metrics.mergedClients.enumerated() {
                if !assigned.contains(client) {
                    report.findings.append(ReplayFinding(
                        entry: logged.entry, round: round, kind: .mergedNotAssigned, recorded: "client \(client)'s update merged",
                        replayed: "round \(round) assigned \(assigned.sorted())"))
                }
                let digest = index < metrics.mergedDigests.count ? metrics.mergedDigests[index] : "(none)"
                if !(sent[client]?.contains(digest) ?? false) {
                    report.findings.append(ReplayFinding(
                        entry: logged.entry, round: round, kind: .mergedNotLogged, recorded: "client \(client)'s update \(digest.prefix(16)) merged",
                        replayed: "its logged updates of round \(round): \(sent[client].map { $0.map { String($0.prefix(16)) }.sorted() } ?? [])"))
                }
                // Its weight in the merge: the sample count it was merged with is the one its
                // update stated, and no more than its bid offered.
                if let outcome = metrics.outcomes.first(where: { $0.clientID == client && $0.status == .merged }) {
                    let stated = samples[digest]
                    if let stated, outcome.sampleCount != stated || outcome.sampleCount > (bid[client] ?? .max) {
                        report.findings.append(ReplayFinding(
                            entry: logged.entry, round: round, kind: .mergeWeight, recorded: "client \(client) merged with weight \(outcome.sampleCount) samples",
                            replayed: "its update states \(stated) samples, its bid offered \(bid[client].map(String.init) ?? "none")"))
                    }
                }
            }
            report.roundsAggregated += 1
        }
    }

    private func checkPrivacy(_ run: LoggedRun, into report: inout ReplayReport) {
        let updates = run.updates.keys.sorted().flatMap { run.updates[$0] ?? [] }
        for logged in updates {
            guard let statement = logged.message.privacy else { continue }
            report.privacyStatements += 1
            let client = logged.message.clientID
            func finding(_ recorded: String, _ replayed: String) {
                report.findings.append(ReplayFinding(
                    entry: logged.entry, round: logged.message.round, kind: .privacy, recorded: "client \(client): \(recorded)", replayed: replayed))
            }
            if !statement.withinBudget {
                finding("ε \(statement.epsilonAfter) after the round", "at most its budget ε \(statement.budgetEpsilon)")
            }
            if let budget = configuration.privacyBudget(ofClient: client),
               budget.epsilon != statement.budgetEpsilon || budget.delta != statement.delta {
                finding("budget (ε \(statement.budgetEpsilon), δ \(statement.delta))", "the configured (ε \(budget.epsilon), δ \(budget.delta))")
            }
            if Self.roundsSpent(before: statement, limit: max(configuration.rounds, logged.message.round)) == nil {
                finding("ε \(statement.epsilonBefore) → \(statement.epsilonAfter)",
                        "no number of earlier rounds of \(statement.mechanism) (σ \(statement.accountedNoiseMultiplier) accounted, q \(statement.sampleRate), \(statement.steps) steps) gives both")
            }
        }
    }

    /// How many earlier rounds of the statement's own mechanism its ε before and after stand
    /// for (both recomputed with the RDP accountant), or nil when no count up to `limit` does.
    static func roundsSpent(before statement: PrivacyStatement, limit: Int) -> Int? {
        func epsilon(rounds: Int) -> Double {
            guard rounds > 0 else { return 0 }
            let stretch = RDPAccountant.Stretch(
                noiseMultiplier: statement.accountedNoiseMultiplier, sampleRate: statement.sampleRate, steps: statement.steps * rounds)
            return RDPAccountant().epsilon(delta: statement.delta, adding: [stretch]).epsilon
        }
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(1, abs(a), abs(b)) }
        for rounds in 0..<max(1, limit) where close(epsilon(rounds: rounds), statement.epsilonBefore) {
            if close(epsilon(rounds: rounds + 1), statement.epsilonAfter) { return rounds }
        }
        return nil
    }

    static func show(_ negotiation: NegotiationRecord?) -> String {
        guard let negotiation else { return "none" }
        let offers = negotiation.offers.map { "\($0.clientID)@\($0.price)" }.joined(separator: " ")
        return "\(negotiation.mechanism): offers [\(offers)], accepted \(negotiation.accepted), declined \(negotiation.declined), unanswered \(negotiation.unanswered)"
    }

    static func show(_ payments: [Int: Double]) -> String {
        "{" + payments.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
    }

    static func show(_ strategy: StrategyDescriptor) -> String {
        "\(strategy.name) v\(strategy.version) \(strategy.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
    }

    /// The top-level fields of the two assignments' JSON that differ, each side's values.
    static func differingFields(_ a: Assignment, _ b: Assignment) -> (String, String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .deferredToDate
        func fields(_ assignment: Assignment) -> [String: String] {
            guard let data = try? encoder.encode(assignment),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
            var result: [String: String] = [:]
            for (key, value) in object {
                let text = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]))
                    .map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
                result[key] = text
            }
            return result
        }
        let (left, right) = (fields(a), fields(b))
        let keys = Set(left.keys).union(right.keys).filter { left[$0] != right[$0] }.sorted()
        func show(_ side: [String: String]) -> String {
            keys.map { "\($0)=\(String((side[$0] ?? "null").prefix(200)))" }.joined(separator: "; ")
        }
        return (show(left), show(right))
    }

}
