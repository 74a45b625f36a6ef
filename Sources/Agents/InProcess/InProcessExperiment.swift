import Foundation
import Learning
import Strategies
import WireProtocol

/// `agentfl simulate`: the run's own round code in one process, without Kafka. Every hosted
/// client bids as its guardian would (``ClientOffer``, priced by a ``ClientBidder`` that folds
/// each round's assignment into the client's strategy as the guardian does), the server's ``RoundDecider`` plans with
/// the same strategy and clears the same market, the clients train as their guardians train
/// (``ClientUpdate/init(trainedBy:client:round:baseModelVersion:global:)``), the aggregator's
/// ``RoundMerge`` merges and accounts for them, and the strategy folds the same feedback. So for
/// every deterministic strategy `simulate` decides what `run` decides, round by round.
///
/// What it leaves out is what only processes have: deadlines (every update arrives), the
/// signatures and the network.
public struct InProcessExperiment: Sendable {
    public let configuration: ExperimentConfiguration
    /// Clients trained side by side, each on single-threaded BLAS (the numbers do not depend on it).
    public let concurrentClients: Int
    /// The guardians' private DP randomness: the seed file `agentfl run` wrote gives the run's
    /// noise; nil draws a fresh secret (DP runs are then not repeatable).
    public let noiseSeed: NoiseSeed?

    public init(configuration: ExperimentConfiguration, concurrentClients: Int = 1, noiseSeed: NoiseSeed? = nil) {
        self.configuration = configuration
        self.concurrentClients = max(1, concurrentClients)
        self.noiseSeed = noiseSeed
    }

    public struct Outcome: Sendable {
        public var results: RunResults
        public var partition: [[Int]]
        public var finalStrategyState: Data
        /// What every client asked, round by round (client → ask; decliners included). Asks
        /// are not part of results.json.
        public var asks: [[Int: Double]]
    }

    /// Runs every round; `progress` sees each as it completes. `llm` is the model an LLM brain
    /// calls (see ``ExperimentConfiguration/withLLM(_:)``).
    public func run(
        task preloaded: FederatedTask? = nil, llm: LLMBinding? = nil,
        progress: @Sendable (RunRound) -> Void = { _ in }
    ) async throws -> Outcome {
        let clock = ContinuousClock()
        let began = clock.now
        BLASThreads.set(1)
        let configuration = self.configuration
        let task = try preloaded ?? configuration.federatedTask()
        var strategy = try configuration.strategy(llm: llm)
        let offers = ClientOffer.offers(of: Array(0..<configuration.clients), task: task, configuration: configuration)
        let privacy = try ClientPrivacyGuard(
            configuration: configuration, sampleCounts: offers.mapValues(\.sampleCount), ledgerURL: nil, noise: noiseSeed ?? .fresh())
        let bidder = try ClientBidder(
            strategies: configuration.bidStrategies(of: Array(0..<configuration.clients)), costModel: configuration.costModel())
        let decider = RoundDecider(configuration: configuration)
        let merge = RoundMerge(task: task)
        var global = task.initialParameters()
        var rounds: [RunRound] = []
        var history: [Double] = []
        var asks: [[Int: Double]] = []
        for round in 1...max(configuration.rounds, 1) where configuration.rounds > 0 {
            try Task.checkCancellation()
            let roundStart = clock.now
            let offered = try await ClientOffer.bids(
                of: Array(0..<configuration.clients), round: round, localEpochs: configuration.localEpochs, offers: offers,
                privacy: privacy, bidder: bidder)
            asks.append(Dictionary(offered.map { ($0.clientID, $0.askPrice) }, uniquingKeysWith: { a, _ in a }))
            let bids = offered.map { ReceivedBid(bid: $0, messageID: "in-process-r\(round)-c\($0.clientID)") }
            // As each guardian answers an offer for one of its clients.
            let exchange: OfferExchange = { offers in
                var answers: [ReceivedAnswer] = []
                for offer in offers {
                    if let answer = await bidder.answer(offer) {
                        answers.append(ReceivedAnswer(answer: answer, messageID: "in-process-r\(round)-answer-c\(offer.clientID)"))
                    }
                }
                return answers
            }
            // In-process there is no deadline: every assigned update arrives.
            let assignment = try await decider.decide(
                round: round, bids: bids, history: history, roundDeadline: Date(timeIntervalSince1970: 0), strategy: &strategy,
                exchange: exchange)
            // As each guardian does when the assignment reaches it, before the next round's bid.
            try await bidder.observe(assignment)
            let slowdowns = configuration.slowdowns(round: round)
            // As a guardian does: each round is charged before the client trains it.
            var charged: [Int: PrivacyTraining] = [:]
            if let privacy {
                for client in assignment.selected { charged[client] = try await privacy.charge(client: client, round: round) }
            }
            // As a guardian does: at the confirmed width, as long as the client's device takes.
            var paces: [Int: (width: Double, pace: TrainingPace)] = [:]
            for client in assignment.selected {
                guard let pace = offers[client]?.pace(for: assignment, task: task, slowdown: slowdowns[client] ?? 1) else {
                    throw AgentError.invalidConfiguration("round \(round): client \(client)'s assigned width is wider than it offered")
                }
                paces[client] = pace
            }
            let trained = try await train(assignment, task: task, global: global, paces: paces, privacy: charged)
            let updates = trained.map(\.update)
            // Slow devices and delayed clients take longer for real: the round waits for the
            // slowest (in the field the clients train side by side). There is no deadline in one
            // process: they are merged.
            let wait = trained.map(\.remainingDelay).max() ?? 0
            if wait > 0 { try await Task.sleep(for: .milliseconds(Int64(wait * 1000))) }
            let (accepted, excluded) = merge.sort(updates, under: assignment)
            // As the aggregator does: below the quorum (most clients' training diverged), nothing is merged.
            let merged = merge.quorate(accepted, assigned: assignment.selected.count, fraction: configuration.quorum) ?? []
            let (parameters, evaluation) = try await merge.mergeAndEvaluate(merged, global: global, round: round)
            global = parameters
            let metrics = merge.metrics(
                round: round, modelVersion: round, evaluation: evaluation, assignment: assignment, merged: merged,
                excluded: excluded, modelParameters: parameters.count, seconds: roundStart.duration(to: clock.now).inSeconds)
            try strategy.observe(RoundFeedback(metrics))
            history.append(metrics.testAccuracy)
            let record = RunRound(assignment: assignment, metrics: metrics)
            rounds.append(record)
            progress(record)
        }
        let total = began.duration(to: clock.now).inSeconds
        return Outcome(
            results: RunResults(
                command: "simulate", config: configuration, rounds: rounds, startupSeconds: nil, readySeconds: nil, totalSeconds: total),
            partition: task.partition, finalStrategyState: strategy.state, asks: asks)
    }

    /// Trains the assigned clients side by side on threads of their own, returning their updates
    /// in the assignment's order; a client whose training diverged has none (it is missing, as
    /// its guardian sends nothing).
    private func train(
        _ assignment: Assignment, task: FederatedTask, global: [Float], paces: [Int: (width: Double, pace: TrainingPace)],
        privacy: [Int: PrivacyTraining]
    ) async throws -> [TrainedUpdate] {
        let clients = assignment.selected
        let lanes = concurrentClients
        return try await ComputeThread.run(named: "agentfl-train") {
            try ShardRunner(threads: lanes).map(clients.count) { index in
                let pace = paces[clients[index]]
                return try TrainedUpdate.unlessDiverged {
                    try TrainedUpdate(
                        trainedBy: task, client: clients[index], round: assignment.round,
                        baseModelVersion: assignment.modelVersion, global: global, width: pace?.width ?? 1,
                        pace: pace?.pace ?? TrainingPace(), privacy: privacy[clients[index]])
                }
            }.compactMap { $0 }
        }
    }
}
