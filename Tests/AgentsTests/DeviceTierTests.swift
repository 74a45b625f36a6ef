@testable import Agents
import Foundation
import Learning
import Privacy
import Testing
import WireProtocol

/// Population files: device tiers whose widths, speeds and availability the guardians honour,
/// per-client budgets and bidding strategies, and the errors a bad file gets.
@Suite struct DeviceTierTests {
    static func decode(_ json: String) throws(PopulationError) -> PopulationSpec {
        try PopulationSpec.decode(Data(json.utf8), path: "pop.json")
    }

    @Test func aBadPopulationFileIsNamedWithItsKey() throws {
        func problem(_ json: String, clients: Int = 10) -> String {
            do {
                _ = try Self.decode(json).resolve(clients: clients, path: "pop.json")
                return "no error"
            } catch {
                return error.description
            }
        }
        #expect(problem(#"{"groups": [{"clients": "0-3", "teir": "phone"}]}"#).contains(#"group 1: unknown key "teir""#))
        #expect(problem(#"{"tiers": {"x": {"samplesPerSecond": 1, "memoryMiB": 1, "speed": 2}}}"#).contains(#"tier "x": unknown key "speed""#))
        #expect(problem(#"{"tiers": {"x": {"memoryMiB": 1}}}"#).contains(#""samplesPerSecond" is required"#))
        #expect(problem(#"{"groups": [{"clients": "0-3", "tier": "toaster"}]}"#).contains(#"tier "toaster" is neither defined"#))
        #expect(problem(#"{"groups": [{"clients": "8-12"}]}"#).contains("client 10 is not in this run (0..<10)"))
        #expect(problem(#"{"groups": [{"clients": "a-b"}]}"#).contains("ids and ranges"))
        #expect(problem(#"{"groups": [{"clients": "1", "bidStrategy": "greedy"}]}"#).contains(#"bidStrategy "greedy""#))
        #expect(problem(#"{"groups": [{"clients": "1", "data": "noisy"}]}"#).contains("data must be mislabeled or tiny"))
        #expect(problem(#"{"groups": [{"clients": "1", "dpEpsilon": -1}]}"#).contains("dpEpsilon must be a positive number"))
        #expect(problem(#"{"tiers": {"x": {"samplesPerSecond": 1, "memoryMiB": 1, "availability": 2}}}"#).contains("availability must be in 0...1"))
        #expect(problem(#"[1, 2]"#).contains("the top level must be an object"))
        #expect(problem(#"{"groups": [{"clients": "1"}]"#).contains("not JSON"))
        #expect(problem(#"{"groups": [{"clients": "0-9", "tier": "phone"}]}"#) == "no error")
    }

    @Test func laterGroupsOverrideEarlierOnesFieldByField() throws {
        let settings = try Self.decode("""
            {"groups": [
              {"clients": "0-5", "tier": "phone", "dpEpsilon": 2, "bidStrategy": "margin:1.5"},
              {"clients": "4-7", "tier": "laptop", "data": "tiny"}
            ]}
            """).resolve(clients: 10)
        #expect(settings[0] == ClientSetting(tierName: "phone", tier: DeviceTier.builtIn["phone"], dpEpsilon: 2, bidStrategy: "margin:1.5"))
        #expect(settings[4] == ClientSetting(tierName: "laptop", tier: DeviceTier.builtIn["laptop"], dpEpsilon: 2, bidStrategy: "margin:1.5", data: .tiny))
        #expect(settings[7] == ClientSetting(tierName: "laptop", tier: DeviceTier.builtIn["laptop"], data: .tiny))
        #expect(settings[9] == ClientSetting())
    }

    static func task(widths: [Double]) throws -> FederatedTask {
        var c = ExperimentConfiguration()
        c.dataDirectory = try FashionMNISTSlice.directory().path
        c.clients = 10
        c.widths = widths
        return try c.federatedTask()
    }

    @Test func theGuardianTrainsTheWidestWidthThatFitsItsMemoryAndTheDeadline() throws {
        let task = try Self.task(widths: [1, 0.5, 0.25])
        let memory = task.widths.map { task.model(forWidth: $0)!.trainingMemoryBytes(batchSize: 32, optimizerSlots: 0) }
        #expect(memory[0] > memory[1] && memory[1] > memory[2])
        let between = (Double(memory[0] + memory[1]) / 2) / 1_048_576
        let fit = WidthFit()
        // Memory: the full model does not fit, half does.
        let small = DeviceTier(samplesPerSecond: 1_000_000, memoryMiB: between)
        #expect(try fit.choose(task: task, tier: small, sampleCount: 300, localEpochs: 1, deadlineSeconds: 30).get().width == 0.5)
        // Deadline: 300 samples at 100/s take 3 s at full width; 80% of a 1.25 s deadline allows
        // a third of the work: width 0.5 costs 45% of the multiply-adds, 0.25 costs 21%.
        let slow = DeviceTier(samplesPerSecond: 100, memoryMiB: 1024)
        let chosen = try fit.choose(task: task, tier: slow, sampleCount: 300, localEpochs: 1, deadlineSeconds: 1.25).get()
        #expect(chosen.width == 0.25)
        #expect(chosen.deviceSeconds <= 1)
        #expect(try fit.choose(task: task, tier: slow, sampleCount: 300, localEpochs: 1, deadlineSeconds: 2).get().width == 0.5)
        #expect(abs(WidthFit.deviceSeconds(model: task.model, fullModel: task.model, tier: slow, sampleCount: 300, localEpochs: 1) - 3) < 1e-9)
        // The link counts: the model down and the update up.
        let linked = DeviceTier(samplesPerSecond: 100, memoryMiB: 1024, bandwidthMbps: 8)
        let withLink = WidthFit.deviceSeconds(model: task.model, fullModel: task.model, tier: linked, sampleCount: 300, localEpochs: 1)
        #expect(abs(withLink - (3 + 2 * Double(task.model.parameterBytes) / 1_000_000)) < 1e-9)
        // Nothing fits: the reason names the narrowest width's needs.
        guard case .failure(let failure) = fit.choose(task: task, tier: DeviceTier(samplesPerSecond: 1, memoryMiB: 0.01), sampleCount: 300, localEpochs: 1, deadlineSeconds: 2) else {
            Issue.record("a device with 10 KiB and 1 sample/s fitted a width")
            return
        }
        #expect(failure.description.contains("no model width fits: width 0.25 needs"))
    }

    @Test func offlineRoundsAndAvailabilityAreDrawnFromTheRunSeed() throws {
        var c = ExperimentConfiguration()
        c.dataDirectory = try FashionMNISTSlice.directory().path
        c.clients = 10
        c.population = try Self.decode("""
            {"tiers": {"flaky": {"samplesPerSecond": 1000, "memoryMiB": 64, "availability": 0.5, "offlineRounds": [3]}},
             "groups": [{"clients": "0-9", "tier": "flaky"}]}
            """)
        let task = try c.federatedTask()
        let offers = ClientOffer.offers(of: Array(0..<10), task: task, configuration: c)
        let online = (1...40).map { round in (0..<10).filter { offers[$0]!.isOnline(round: round) }.count }
        #expect(online[2] == 0, "round 3 is an offline round")
        let mean = Double(online.reduce(0, +) - online[2]) / 390
        #expect(mean > 0.4 && mean < 0.6, "availability 0.5, seen \(mean)")
        let again = ClientOffer.offers(of: Array(0..<10), task: task, configuration: c)
        #expect((1...40).allSatisfy { round in (0..<10).allSatisfy { offers[$0]!.isOnline(round: round) == again[$0]!.isOnline(round: round) } })
        #expect(offers[0]!.decision(round: 3, privacy: nil) == .decline(reason: Bid.offlineReason))
    }

    /// A population of three tiers, two bidding strategies and two budgets, trained for real in
    /// one process (the run's round code): widths follow the tiers, the slow tier takes its time,
    /// the offline round and the small budgets show in the declines, and the model converges.
    @Test func aMixedTierRunConverges() async throws {
        var c = ExperimentConfiguration()
        c.dataDirectory = try FashionMNISTSlice.directory(train: 6000, test: 1000).path
        c.clients = 12
        c.k = 6
        c.rounds = 8
        c.seed = 5
        c.widths = [1, 0.5]
        c.privacy = "dp-sgd"
        c.dpNoiseMultiplier = 0.7
        c.dpEpsilon = 1e6
        // ε costs nothing here, so an ask is the strategy's markup of the work's cost alone.
        c.pricePerEpsilon = 0
        let task = try c.federatedTask()
        let halfOnly = (Double(task.model.trainingMemoryBytes(batchSize: 32, optimizerSlots: 0))
            + Double(task.model(forWidth: 0.5)!.trainingMemoryBytes(batchSize: 32, optimizerSlots: 0))) / 2 / 1_048_576
        var ledger = PrivacyLedger(budget: PrivacyBudget(epsilon: 1e9, delta: c.dpDelta))
        let mechanism = try #require(c.privacyMechanism(sampleCount: 500))
        let afterTwo = try { _ = try ledger.charge(round: 1, mechanism: mechanism); return try ledger.charge(round: 2, mechanism: mechanism).after }()
        c.population = try Self.decode("""
            {"tiers": {
               "edge": {"samplesPerSecond": 100000, "memoryMiB": \(halfOnly)},
               "slow": {"samplesPerSecond": 1000, "memoryMiB": 1024, "offlineRounds": [2]}},
             "groups": [
               {"clients": "0-3", "tier": "server"},
               {"clients": "4-7", "tier": "edge", "bidStrategy": "margin:2"},
               {"clients": "8-11", "tier": "slow", "dpEpsilon": \(afterTwo * 1.01)}]}
            """)
        let outcome = try await InProcessExperiment(configuration: c, concurrentClients: 2).run()
        let rounds = outcome.results.rounds
        #expect(rounds.count == 8)
        let document = rounds.map(\.resultsRound)
        // Widths: the server tier trains the full model, the edge tier half of it.
        for round in document {
            for (key, width) in round.widths ?? [:] {
                let client = Int(key)!
                #expect(width == ((4...7).contains(client) ? 0.5 : 1), "round \(round.round), client \(client)")
            }
        }
        #expect(document.contains { ($0.widths ?? [:]).values.contains(0.5) })
        // The slow tier is offline in round 2 and out of budget after two trained rounds.
        #expect((8...11).allSatisfy { document[1].declined?[String($0)] == Bid.offlineReason })
        let budgetDeclines = document.flatMap { ($0.declined ?? [:]).filter { $0.value == Bid.privacyBudgetReason }.keys }
        #expect(!budgetDeclines.isEmpty && budgetDeclines.allSatisfy { (8...11).contains(Int($0)!) })
        let summaries = ClientSummary.summaries(of: document, clients: 12)
        #expect(summaries[4...7].allSatisfy { $0.widths?["0.5"] == $0.selected })
        // The slow tier takes its device's time for real: a round that assigned one of its
        // clients lasts at least that client's samples at 1000 per second.
        for round in rounds {
            for client in round.selected where (8...11).contains(client) {
                #expect(round.seconds >= Double(outcome.partition[client].count) / 1000, "round \(round.round), client \(client)")
            }
        }
        // It learns under DP-SGD with mixed widths: measured 0.195 after round 1, 0.569 after 8.
        let accuracies = rounds.map(\.testAccuracy)
        #expect(accuracies.last! > 0.5, "accuracy by round: \(accuracies)")
        let early: Double = accuracies.prefix(3).reduce(0, +) / 3
        let late: Double = accuracies.suffix(3).reduce(0, +) / 3
        #expect(late > early + 0.2, "accuracy by round: \(accuracies)")
        // Margin 2 asks twice the work's cost; the rest ask it (truthful).
        let offers = ClientOffer.offers(of: Array(0..<12), task: task, configuration: c)
        let costs = try c.costModel()
        for client in [0, 4] {
            let cost = costs.cost(for: try offers[client]!.work(localEpochs: 1, privacy: nil))
            let expected = client == 4 ? 2 * cost : cost
            #expect(abs(outcome.asks[0][client]! - expected) <= 1e-9 * expected, "client \(client)")
        }
    }
}
