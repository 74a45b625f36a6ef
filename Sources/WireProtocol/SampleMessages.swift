import Foundation

/// One plausible message of every type, for smoke tests (`agentfl roundtrip`) and protocol tests.
public enum SampleMessages {
    /// A message of `type` for run `runID`; tensors hold `tensorElements` values.
    public static func message(
        for type: MessageType, round: Int = 1, tensorElements: Int = 1024, runID: String = "run-sample"
    ) -> any ProtocolMessage {
        let start = Date(timeIntervalSince1970: 1_750_000_000.25)
        let tensor = Tensor(shape: [tensorElements], values: (0..<tensorElements).map { Float($0 % 997) * 0.001 - 0.5 })
        switch type {
        case .roundAnnouncement:
            return RoundAnnouncement(
                runID: runID, round: round, modelVersion: round - 1,
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
                round: round, modelVersion: round - 1, policy: "auction", k: 2, selected: [7, 9],
                instructions: [
                    ClientInstruction(clientID: 7, bidSampleCount: 600, width: 1, localEpochs: 1),
                    ClientInstruction(clientID: 9, bidSampleCount: 500, width: 1, localEpochs: 1),
                ],
                clearingPrice: 4,
                payments: [ClientPayment(clientID: 7, amount: 4), ClientPayment(clientID: 9, amount: 4)],
                reason: "two lowest asks within budget",
                decision: DecisionRecord(
                    strategy: StrategyDescriptor(name: "random+k-fixed", version: 1, parameters: ["k.k": .integer(2)]),
                    stateBefore: String(repeating: "0", count: 64), stateAfter: String(repeating: "1", count: 64),
                    candidatesDigest: String(repeating: "2", count: 64), bidMessageIDs: ["a", "b"], declined: [3], k: 2,
                    kRationale: "fixed K = 2", preferred: [9, 7], selectionRationale: "uniform random draw",
                    externalCalls: [ExternalCall(
                        purpose: "selection", url: "http://127.0.0.1:8080/v1/chat/completions", model: "m", request: "[]",
                        rawAnswer: "{}", failure: nil, promptTokens: 10, completionTokens: 2, latencySeconds: 0.5, estimatedCost: 0)],
                    guardrails: [GuardrailEvent(kind: "unknown-id", detail: "client 99 did not bid", action: "retried")],
                    runSeed: 42, budget: 100),
                roundDeadline: start.addingTimeInterval(30))
        case .globalModel:
            return GlobalModel(version: round, round: round, architecture: "sample", parameters: tensor)
        case .clientUpdate:
            return ClientUpdate(
                round: round, clientID: 7, baseModelVersion: round - 1, sampleCount: 600, trainLoss: 0.42,
                trainSeconds: 1.5, lastEpochExamples: 600, lastEpochLossSum: 240, lastEpochLossSquaredSum: 130.5, parameters: tensor)
        case .roundMetrics:
            return RoundMetrics(
                round: round, modelVersion: round, testAccuracy: 0.81, testLoss: 0.52, mergedClients: [7, 9],
                mergedDigests: ["aa", "bb"], lateClients: [], missingClients: [3], bytesUp: 1 << 20,
                bytesDown: 1 << 20, seconds: 1.25,
                outcomes: [
                    ClientOutcome(
                        clientID: 3, status: .missing, reason: "no update before the round was merged"),
                    ClientOutcome(
                        clientID: 7, status: .merged, sampleCount: 600, meanLoss: 0.42, lastEpochExamples: 600, lastEpochLossSum: 240,
                        lastEpochLossSquaredSum: 130.5, trainingSeconds: 1.5, arrivalSeconds: 2.25),
                ])
        case .auditEvent:
            return AuditEvent(
                kind: "selection", round: round, subject: "round-\(round)",
                detail: ["selected": [7, 9], "policy": "auction", "budget": 100.5, "note": nil, "ok": true])
        case .auditRoot:
            return AuditRoot(
                round: round, treeSize: 10, merkleRoot: String(repeating: "ab", count: 32), chainHead: String(repeating: "cd", count: 32),
                runID: runID, timestamp: 1_700_000_000_000, final: false, publicKey: samplePublicKey,
                signature: "c2lnbmF0dXJl")
        case .heartbeat:
            return Heartbeat(role: "server", instance: "server", publicKey: samplePublicKey, status: "ready")
        case .placeOffer:
            return PlaceOffer(round: round, clientID: 7, price: 2.5, mechanism: "posted-price(budget share)")
        case .offerAnswer:
            return OfferAnswer(round: round, clientID: 7, price: 2.5, accepted: true)
        }
    }

    /// A fixed public key, so that two samples of one type are equal.
    private static var samplePublicKey: String {
        // A constant 32-byte seed is always a valid Ed25519 private key.
        (try? EnvelopeSigner(privateKeyBase64: Data(repeating: 7, count: 32).base64EncodedString()).publicKeyBase64) ?? ""
    }
}
