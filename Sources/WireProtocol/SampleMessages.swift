import Foundation

/// One plausible message of every type, for smoke tests (`agentfl roundtrip`) and protocol tests.
public enum SampleMessages {
    /// A message of `type`; tensors hold `tensorElements` values.
    public static func message(for type: MessageType, round: Int = 1, tensorElements: Int = 1024) -> any ProtocolMessage {
        let start = Date(timeIntervalSince1970: 1_750_000_000.25)
        let tensor = Tensor(shape: [tensorElements], values: (0..<tensorElements).map { Float($0 % 997) * 0.001 - 0.5 })
        switch type {
        case .roundAnnouncement:
            return RoundAnnouncement(
                runID: "run-sample", round: round, modelVersion: round - 1,
                task: TrainingTask(localEpochs: 1, batchSize: 32, learningRate: 0.05, momentum: 0.9),
                bidDeadline: start.addingTimeInterval(2), roundDeadline: start.addingTimeInterval(30),
                budget: 100, seed: 42)
        case .bid:
            return Bid(
                round: round, clientID: 7, decision: .participate, askPrice: 3.5, sampleCount: 600,
                labelHistogram: [60, 60, 60, 60, 60, 60, 60, 60, 60, 60],
                device: DeviceProfile(samplesPerSecond: 5000, memoryMiB: 2048), privacyBudgetRemaining: 4.5,
                availability: 0.95)
        case .assignment:
            return Assignment(
                round: round, modelVersion: round - 1, policy: "auction", k: 2, selected: [7, 9], clearingPrice: 4,
                payments: [ClientPayment(clientID: 7, amount: 4), ClientPayment(clientID: 9, amount: 4)],
                reason: "two lowest asks within budget", decisionInputs: ["seed": "42", "bids": "2"],
                roundDeadline: start.addingTimeInterval(30))
        case .globalModel:
            return GlobalModel(version: round, round: round, architecture: "sample", parameters: tensor)
        case .clientUpdate:
            return ClientUpdate(
                round: round, clientID: 7, baseModelVersion: round - 1, sampleCount: 600, trainLoss: 0.42,
                trainSeconds: 1.5, parameters: tensor)
        case .roundMetrics:
            return RoundMetrics(
                round: round, modelVersion: round, testAccuracy: 0.81, testLoss: 0.52, mergedClients: [7, 9],
                mergedDigests: ["aa", "bb"], lateClients: [], missingClients: [3], bytesUp: 1 << 20,
                bytesDown: 1 << 20, seconds: 1.25)
        case .auditEvent:
            return AuditEvent(
                kind: "selection", round: round, subject: "round-\(round)",
                detail: ["selected": [7, 9], "policy": "auction", "budget": 100.5, "note": nil, "ok": true])
        case .auditRoot:
            return AuditRoot(round: round, merkleRoot: String(repeating: "ab", count: 32), firstIndex: 0, lastIndex: 9, entryCount: 10)
        case .heartbeat:
            return Heartbeat(role: "server", instance: "server", publicKey: EnvelopeSigner().publicKeyBase64, status: "ready")
        }
    }
}
