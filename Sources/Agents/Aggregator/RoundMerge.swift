import Foundation
import Learning
import WireProtocol

/// The aggregation step of a round: merge the accepted updates into the global model, and account
/// for every assigned client. The aggregator and the in-process engine of `agentfl simulate` both
/// use it, so the same updates give the same model, the same metrics and the same feedback.
struct RoundMerge: Sendable {
    let task: FederatedTask

    /// The updates in client-id order (the sum's order, so the merged floats do not depend on
    /// arrival order) merged into `global` by the run's aggregation rule.
    func merge(_ updates: [ClientUpdate], global: [Float], round: Int) throws -> [Float] {
        try task.aggregate(updates.sorted { $0.clientID < $1.clientID }.map {
            ClientContribution(
                clientID: $0.clientID, parameters: $0.parameters.values, sampleCount: $0.sampleCount,
                width: $0.width)
        }, global: global, round: round)
    }

    /// How many of `assigned` clients' updates make a quorum of `fraction` (at least one).
    static func quorum(of assigned: Int, fraction: Double) -> Int {
        max(1, Int((fraction * Double(assigned)).rounded(.up)))
    }

    /// The accepted updates to merge, or nil when they fall short of the quorum of `assigned`
    /// clients: the model then stays as it was. The aggregator and `simulate` share the rule, so
    /// a round where most clients' training diverged ends the same way in both.
    func quorate(_ accepted: [ClientUpdate], assigned: Int, fraction: Double) -> [ClientUpdate]? {
        accepted.count >= Self.quorum(of: assigned, fraction: fraction) ? accepted : nil
    }

    /// The round's updates held to its assignment: those it accepts, and those it refuses with why.
    func sort(_ updates: [ClientUpdate], under assignment: Assignment) -> (accepted: [ClientUpdate], excluded: [(update: ClientUpdate, reason: String)]) {
        var accepted: [ClientUpdate] = []
        var excluded: [(update: ClientUpdate, reason: String)] = []
        for update in updates {
            if let problem = UpdateContent.problem(with: update, under: assignment) {
                excluded.append((update, problem))
            } else {
                accepted.append(update)
            }
        }
        return (accepted, excluded)
    }

    /// `updates` merged into `global` (or `global` itself when there are none) and the result
    /// evaluated on the test set, on a thread of its own: both are CPU-bound, and on the
    /// cooperative pool they would hold up every other task (the aggregator's subscriber).
    func mergeAndEvaluate(_ updates: [ClientUpdate], global: [Float], round: Int) async throws -> (parameters: [Float], evaluation: (accuracy: Double, loss: Double)) {
        let task = self.task
        let merge = self
        return try await ComputeThread.run(named: "agentfl-merge") {
            let parameters = updates.isEmpty ? global : try merge.merge(updates, global: global, round: round)
            return (parameters, try task.evaluate(parameters, threads: ProcessInfo.processInfo.activeProcessorCount))
        }
    }

    /// What became of each client `assignment` selected: merged (with its loss statistics),
    /// excluded (with the reason) or missing; `arrivals` holds seconds from the assignment to each
    /// update's arrival where they are known.
    func outcomes(
        of assignment: Assignment, merged: [ClientUpdate], excluded: [(update: ClientUpdate, reason: String)],
        arrivals: [Int: Double] = [:]
    ) -> [ClientOutcome] {
        let mergedByClient = Dictionary(merged.map { ($0.clientID, $0) }, uniquingKeysWith: { first, _ in first })
        let excludedByClient = Dictionary(excluded.map { ($0.update.clientID, $0) }, uniquingKeysWith: { first, _ in first })
        return assignment.selected.sorted().map { client in
            if let update = mergedByClient[client] {
                return Self.outcome(update, status: .merged, reason: nil, arrival: arrivals[client])
            }
            if let refused = excludedByClient[client] {
                return Self.outcome(refused.update, status: .excluded, reason: refused.reason, arrival: arrivals[client])
            }
            return ClientOutcome(clientID: client, status: .missing, reason: "no update before the round was merged")
        }
    }

    private static func outcome(_ update: ClientUpdate, status: ClientOutcome.Status, reason: String?, arrival: Double?) -> ClientOutcome {
        ClientOutcome(
            clientID: update.clientID, status: status, reason: reason, sampleCount: update.sampleCount, meanLoss: update.trainLoss,
            lastEpochExamples: update.lastEpochExamples, lastEpochLossSum: update.lastEpochLossSum,
            lastEpochLossSquaredSum: update.lastEpochLossSquaredSum, trainingSeconds: update.trainSeconds, arrivalSeconds: arrival,
            epsilonSpent: update.privacy?.epsilonAfter)
    }

    /// The round's metrics: accuracy of the new model, which updates went in, traffic, feedback.
    func metrics(
        round: Int, modelVersion: Int, evaluation: (accuracy: Double, loss: Double), assignment: Assignment,
        merged: [ClientUpdate], excluded: [(update: ClientUpdate, reason: String)], arrivals: [Int: Double] = [:],
        modelParameters: Int, seconds: Double
    ) -> RoundMetrics {
        let sorted = merged.sorted { $0.clientID < $1.clientID }
        let mergedIDs = Set(sorted.map(\.clientID))
        return RoundMetrics(
            round: round, modelVersion: modelVersion, testAccuracy: evaluation.accuracy, testLoss: evaluation.loss,
            mergedClients: sorted.map(\.clientID), mergedDigests: sorted.map(\.digest),
            lateClients: [], missingClients: assignment.selected.filter { !mergedIDs.contains($0) }.sorted(),
            bytesUp: sorted.reduce(0) { $0 + $1.parameters.values.count * MemoryLayout<Float>.size },
            bytesDown: modelParameters * MemoryLayout<Float>.size * assignment.selected.count,
            seconds: seconds, outcomes: outcomes(of: assignment, merged: sorted, excluded: excluded, arrivals: arrivals))
    }
}
