@testable import Agents
import Foundation
import Learning
import Market
import Testing
import WireProtocol

/// The guardians' bidding: asks are the cost model's cost of the round's work marked up by the
/// configured strategy, strategies learn from each round's assignment, and their states survive
/// a restarted guardian.
@Suite struct ClientBiddingTests {
    /// A cost model charging only compute time, so a round of `seconds` costs exactly that.
    static let computeOnly = try! CostModel(pricePerSecond: 1, powerWatts: 0, pricePerJoule: 0, pricePerByte: 0, pricePerEpsilon: 0)

    static func assignment(round: Int, selected: [Int], clearingPrice: Double = 0) -> Assignment {
        Assignment(
            round: round, modelVersion: round - 1, policy: "test", k: selected.count, selected: selected, instructions: [],
            clearingPrice: clearingPrice, payments: selected.map { ClientPayment(clientID: $0, amount: clearingPrice) },
            reason: "test", decision: DecisionRecord(
                strategy: StrategyDescriptor(name: "test", version: 1, parameters: [:]), stateBefore: "", stateAfter: "",
                candidatesDigest: "", bidMessageIDs: [], declined: [], k: selected.count, kRationale: "", preferred: selected,
                selectionRationale: "", runSeed: 1, budget: 1000),
            roundDeadline: Date(timeIntervalSince1970: 0))
    }

    /// Bids a round of 10 s for `clients`, every one taking part, and returns their asks.
    static func bid(_ bidder: ClientBidder, round: Int, clients: [Int], declining: Set<Int> = []) async throws -> [Int: Double] {
        let work = Dictionary(uniqueKeysWithValues: try clients.map { ($0, try RoundWork(seconds: 10)) })
        return try await bidder.asks(round: round, for: work, participating: Set(clients).subtracting(declining))
    }

    @Test func adaptiveMarginsRiseAfterWinsAndFallAfterLossesWithinTheirBounds() async throws {
        let bidder = try ClientBidder(
            strategy: BidStrategyCatalog.parse("adaptive:1.1-1.5:0.1"), costModel: Self.computeOnly, clients: [0, 1])
        var margins: [[Double]] = []
        // Client 0 wins rounds 1-5 and loses 6-8; client 1 always loses.
        for round in 1...8 {
            let asks = try await Self.bid(bidder, round: round, clients: [0, 1])
            margins.append([asks[0]! / 10, asks[1]! / 10])
            let feedback = try await bidder.observe(Self.assignment(round: round, selected: round <= 5 ? [0] : [], clearingPrice: 20))
            #expect(feedback[0]?.outcome == (round <= 5 ? .won : .lost))
            #expect(feedback[0]?.payment == (round <= 5 ? 20 : 0) && feedback[0]?.clearingPrice == 20)
            #expect(feedback[1]?.outcome == .lost && feedback[1]?.payment == 0)
        }
        let expected0 = [1.1, 1.21, 1.331, 1.4641, 1.5, 1.5, 1.5 / 1.1, 1.5 / 1.1 / 1.1]
        for (round, (got, want)) in zip(margins.map { $0[0] }, expected0).enumerated() {
            #expect(abs(got - want) < 1e-9, "round \(round + 1): margin \(got), expected \(want)")
        }
        #expect(margins.allSatisfy { abs($0[1] - 1.1) < 1e-12 }, "a client that only loses stays at its minimum: \(margins)")
        #expect(margins.allSatisfy { $0.allSatisfy { (1.1 - 1e-12)...(1.5 + 1e-12) ~= $0 } })
    }

    @Test func onlyTakingPartFeedsBackAndAnAssignmentFoldsOnce() async throws {
        let bidder = try ClientBidder(strategy: BidStrategyCatalog.parse("adaptive:1-3:0.5"), costModel: Self.computeOnly, clients: [0, 1, 2])
        let asks = try await Self.bid(bidder, round: 1, clients: [0, 1, 2], declining: [2])
        #expect(asks == [0: 10, 1: 10, 2: 10], "a decliner's bid still carries its ask")
        let won = Self.assignment(round: 1, selected: [0, 1])
        #expect(Set(try await bidder.observe(won).keys) == [0, 1], "the decliner learns nothing from the round")
        #expect(try await bidder.observe(won).isEmpty, "a re-delivered assignment folds nothing more")
        #expect(try await bidder.observe(Self.assignment(round: 7, selected: [0])).isEmpty, "nor does one of a round not bid on")
        #expect(await bidder.strategy(of: 0)?.spec == "adaptive:1.0-3.0:0.5:1.5")
        #expect(await bidder.strategy(of: 2)?.spec == "adaptive:1.0-3.0:0.5")
        #expect(await bidder.strategy(of: 9) == nil)
    }

    @Test func truthfulAndMarginBiddersAskTheCostAndItsMultiple() async throws {
        let truthful = try ClientBidder(strategy: .truthful(TruthfulBidding()), costModel: .standard, clients: [4])
        let margin = try ClientBidder(strategy: BidStrategyCatalog.parse("margin:1.5"), costModel: .standard, clients: [4])
        let work = try RoundWork(seconds: 3, bytesUploaded: 1_000_000, bytesDownloaded: 1_000_000, epsilon: 0.25)
        let cost = CostModel.standard.cost(for: work)
        #expect(abs(cost - (3 + 0.03 + 0.2 + 0.25)) < 1e-12)
        for round in 1...3 {
            #expect(try await truthful.asks(round: round, for: [4: work], participating: [4]) == [4: cost])
            #expect(try await margin.asks(round: round, for: [4: work], participating: [4]) == [4: cost * 1.5])
            try await truthful.observe(Self.assignment(round: round, selected: round == 2 ? [4] : []))
            try await margin.observe(Self.assignment(round: round, selected: round == 2 ? [4] : []))
        }
    }

    @Test func theStatesSurviveARestartAndAnotherRuleIsRefused() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bidding-\(UUID().uuidString)")
        let url = GuardianHost.biddingStateURL(in: directory)
        let strategy = try BidStrategyCatalog.parse("adaptive:1-2:0.25")
        let first = try ClientBidder(strategy: strategy, costModel: Self.computeOnly, clients: [3, 4], stateURL: url)
        _ = try await Self.bid(first, round: 1, clients: [3, 4])
        try await first.observe(Self.assignment(round: 1, selected: [3]))
        // Round 2 is bid on, then the guardian dies before its assignment arrives.
        _ = try await Self.bid(first, round: 2, clients: [3, 4])
        #expect(FileManager.default.fileExists(atPath: url.path))

        let second = try ClientBidder(strategy: strategy, costModel: Self.computeOnly, clients: [3, 4], stateURL: url)
        #expect(await second.strategy(of: 3) == first.strategy(of: 3))
        #expect(await second.strategy(of: 3)?.spec == "adaptive:1.0-2.0:0.25:1.25")
        #expect(await second.openRound(of: 4) == 2)
        // The assignment of round 2, read after the restart, still feeds back — once.
        #expect(Set(try await second.observe(Self.assignment(round: 2, selected: [3, 4])).keys) == [3, 4])
        let asks = try await Self.bid(second, round: 3, clients: [3, 4])
        #expect(abs(asks[3]! - 10 * 1.25 * 1.25) < 1e-9 && abs(asks[4]! - 12.5) < 1e-9, "\(asks)")

        #expect(throws: AgentError.self) {
            try ClientBidder(strategy: BidStrategyCatalog.parse("adaptive:1-3:0.25"), costModel: Self.computeOnly, clients: [3], stateURL: url)
        }
        #expect(throws: AgentError.self) {
            try ClientBidder(strategy: .truthful(TruthfulBidding()), costModel: Self.computeOnly, clients: [3], stateURL: url)
        }
        // A client the file does not know starts afresh.
        let third = try ClientBidder(strategy: strategy, costModel: Self.computeOnly, clients: [3, 5], stateURL: url)
        #expect(await third.strategy(of: 5) == strategy)
        // A strategy that never changes keeps no file.
        let plain = directory.appendingPathComponent("plain.json")
        let margin = try ClientBidder(strategy: BidStrategyCatalog.parse("margin:2"), costModel: Self.computeOnly, clients: [3], stateURL: plain)
        _ = try await Self.bid(margin, round: 1, clients: [3])
        try await margin.observe(Self.assignment(round: 1, selected: [3]))
        #expect(!FileManager.default.fileExists(atPath: plain.path))
    }

    @Test func aRoundsWorkIsItsTrainingItsModelBothWaysAndItsPrivacySpend() throws {
        var configuration = ExperimentConfiguration()
        configuration.dataDirectory = try FashionMNISTSlice.directory().path
        configuration.clients = 6
        configuration.k = 3
        configuration.widths = [1, 0.5]
        let task = try configuration.federatedTask()
        let offers = ClientOffer.offers(of: [0, 1], task: task, configuration: configuration)
        for client in [0, 1] {
            let offer = try #require(offers[client])
            let statement = PrivacyStatement(
                mechanism: "dp-sgd", noiseMultiplier: 1, clipNorm: 1, sampleRate: 0.1, steps: 10, accountedNoiseMultiplier: 1,
                budgetEpsilon: 8, delta: 1e-5, epsilonBefore: 1.25, epsilonAfter: 2)
            let work = try offer.work(localEpochs: 2, privacy: statement)
            #expect(work.bytesUploaded == task.parameterCount(forClient: client) * 4)
            #expect(work.bytesDownloaded == work.bytesUploaded)
            #expect(work.epsilon == 0.75)
            #expect(work.seconds == Double(offer.sampleCount * 2) / offer.profile.samplesPerSecond)
            #expect(try offer.work(localEpochs: 2, privacy: nil).epsilon == 0)
        }
        #expect(try offers[1]!.work(localEpochs: 1, privacy: nil).bytesUploaded < offers[0]!.work(localEpochs: 1, privacy: nil).bytesUploaded,
                "a half-width client moves a smaller model")
    }

    @Test func theStrategyAndThePricesAreValidatedNamingTheFlag() throws {
        func messages(_ configure: (inout ExperimentConfiguration) -> Void) -> [String] {
            var configuration = ExperimentConfiguration()
            configure(&configuration)
            return configuration.problems().map(\.message)
        }
        #expect(messages { $0.bidStrategy = "greedy" }
            == ["--bid-strategy: unknown bidding strategy 'greedy' in 'greedy'; known: truthful, margin:M, adaptive:MIN-MAX:STEP[:START]"])
        #expect(messages { $0.bidStrategy = "margin:0.5" } == ["--bid-strategy: margin must be a finite number ≥ 1, got 0.5 in 'margin:0.5'"])
        #expect(messages { $0.pricePerByte = -1 } == ["--price-per-byte must be ≥ 0 (got -1)"])
        #expect(messages { $0.fixedCost = .infinity } == ["--fixed-cost must be ≥ 0 (got inf)"])
        #expect(messages { $0.bidStrategy = "adaptive:1.1-2:0.1:1.3"; $0.powerWatts = 0 }.isEmpty)
        var configuration = ExperimentConfiguration()
        configuration.pricePerEpsilon = -2
        #expect(throws: ConfigurationError(issues: [ConfigurationIssue(key: .pricePerEpsilon, message: "--price-per-epsilon must be a finite number ≥ 0 (got -2.0)")])) {
            try configuration.costModel()
        }
        #expect(try ExperimentConfiguration().costModel() == .standard)
        #expect(try ExperimentConfiguration().bidStrategyValue() == .truthful(TruthfulBidding()))
        // In a file, by key.
        let decoded = try JSONDecoder().decode(
            ExperimentConfiguration.self, from: Data(#"{"bidStrategy": "margin:1.5", "pricePerSecond": 2, "fixedCost": 0.5}"#.utf8))
        #expect(decoded.bidStrategy == "margin:1.5" && decoded.pricePerSecond == 2 && decoded.fixedCost == 0.5 && decoded.powerWatts == 10)
        let again = try JSONDecoder().decode(ExperimentConfiguration.self, from: JSONEncoder().encode(decoded))
        #expect(again == decoded)
    }

    // MARK: - In the run's own round code

    static func configuration(_ strategy: String) throws -> ExperimentConfiguration {
        var c = ExperimentConfiguration()
        c.dataDirectory = try FashionMNISTSlice.directory(train: 2000, test: 500).path
        c.clients = 8
        c.k = 3
        c.rounds = 6
        c.seed = 5
        c.bidStrategy = strategy
        return c
    }

    /// Truthful, margin:1.5 and adaptive bidders, each a whole in-process run: truthful asks
    /// the cost model's cost of each client's work, margin 1.5 times it, and adaptive's margin
    /// (its ask over truthful's) moves after each round by the rule, from the assignment.
    @Test func inProcessRunsAskAsTheirStrategiesSay() async throws {
        let truthfulConfiguration = try Self.configuration("truthful")
        let task = try truthfulConfiguration.federatedTask()
        let truthful = try await InProcessExperiment(configuration: truthfulConfiguration, concurrentClients: 2).run(task: task)
        let margin = try await InProcessExperiment(configuration: Self.configuration("margin:1.5"), concurrentClients: 2).run(task: task)
        let adaptive = try await InProcessExperiment(configuration: Self.configuration("adaptive:1-2:0.25"), concurrentClients: 2).run(task: task)
        #expect(truthful.asks.count == 6 && margin.asks.count == 6 && adaptive.asks.count == 6)

        // Truthful: the cost of the client's work, the same every round without DP.
        let offers = ClientOffer.offers(of: Array(0..<8), task: task, configuration: truthfulConfiguration)
        for client in 0..<8 {
            let offer = try #require(offers[client])
            let cost = CostModel.standard.cost(for: try offer.work(localEpochs: 1, privacy: nil))
            for round in 0..<6 { #expect(truthful.asks[round][client] == cost, "round \(round + 1), client \(client)") }
        }
        // Margin: 1.5 × truthful, for the same client and round.
        for round in 0..<6 {
            for client in 0..<8 {
                let t = try #require(truthful.asks[round][client])
                #expect(margin.asks[round][client] == t * 1.5, "round \(round + 1), client \(client)")
            }
        }
        // Adaptive: starts at 1, × 1.25 after a win, ÷ 1.25 after a loss, within [1, 2].
        var rises = 0, falls = 0
        for client in 0..<8 {
            let t = try #require(truthful.asks[0][client])
            let margins = adaptive.asks.map { ($0[client] ?? .nan) / t }
            #expect(abs(margins[0] - 1) < 1e-12)
            for round in 1..<6 {
                let won = adaptive.results.rounds[round - 1].selected.contains(client)
                let expected = won ? min(2, margins[round - 1] * 1.25) : max(1, margins[round - 1] / 1.25)
                #expect(abs(margins[round] - expected) < 1e-9, "client \(client), round \(round + 1): \(margins)")
                if margins[round] > margins[round - 1] + 1e-12 { rises += 1 }
                if margins[round] < margins[round - 1] - 1e-12 { falls += 1 }
            }
        }
        #expect(rises > 0 && falls > 0, "the run shows no rise (\(rises)) or no fall (\(falls)): it does not test the rule")
        let client = 0
        func show(_ asks: [[Int: Double]]) -> String { asks.map { String(format: "%.4f", $0[client] ?? .nan) }.joined(separator: " ") }
        print("BIDDING-FIGURE client \(client) asks r1-6: truthful \(show(truthful.asks)); margin:1.5 \(show(margin.asks)); adaptive:1-2:0.25 \(show(adaptive.asks)); adaptive selected in \(adaptive.results.rounds.filter { $0.selected.contains(client) }.map(\.round))")
    }
}

extension ProcessTests {
@Suite(.serialized) struct BiddingProcessTests {
    /// Adaptive bidders across processes: every guardian folds each assignment into its
    /// clients' margins before the next call, so the asks the auditor logged are, bid for bid,
    /// those the run's own configuration gives in one process, and the market clears alike.
    @Test func adaptiveBidsInARunAreTheInProcessBids() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("agentfl-bidding-\(UUID().uuidString)")
        let run = try await runAgentFL([
            "run", "--out", out.path, "--guardian-processes", "2", "--clients", "10", "--k", "4", "--rounds", "3",
            "--data-dir", try FashionMNISTSlice.directory().path, "--seed", "11", "--bid-strategy", "adaptive:1-2:0.25",
        ])
        #expect(run.status == 0, "agentfl run failed:\n\(run.output)")
        let configuration = try ExperimentConfiguration.load(from: out.appendingPathComponent("config.json"))
        #expect(configuration.bidStrategy == "adaptive:1-2:0.25")
        let simulated = try await InProcessExperiment(configuration: configuration, concurrentClients: 2).run()

        // Read with JSONDecoder, which gives every Double back to the last bit (JSONSerialization does not).
        struct LoggedEntry: Decodable { var type: String; var payloadJSON: String? }
        struct LoggedBid: Decodable { var round: Int; var clientID: Int; var askPrice: Double }
        var logged: [[Int: Double]] = Array(repeating: [:], count: 3)
        for line in try String(contentsOf: out.appendingPathComponent("audit.log"), encoding: .utf8).split(separator: "\n") {
            let entry = try JSONDecoder().decode(LoggedEntry.self, from: Data(line.utf8))
            guard entry.type == "bid", let json = entry.payloadJSON else { continue }
            let bid = try JSONDecoder().decode(LoggedBid.self, from: Data(json.utf8))
            if (1...3).contains(bid.round) { logged[bid.round - 1][bid.clientID] = bid.askPrice }
        }
        #expect(logged == simulated.asks, "run's asks \(logged)\nin-process \(simulated.asks)")
        struct Results: Decodable {
            struct Round: Decodable { var selected: [Int]; var clearing_price: Double }
            var rounds: [Round]
        }
        let rounds = try JSONDecoder().decode(Results.self, from: Data(contentsOf: out.appendingPathComponent("results.json"))).rounds
        #expect(rounds.map(\.selected) == simulated.results.rounds.map(\.selected))
        #expect(rounds.map(\.clearing_price) == simulated.results.rounds.map(\.clearingPrice))
        // Not vacuous: some margin moved off its minimum.
        let truthfulFirst = simulated.asks[0]
        #expect(simulated.asks[2].contains { client, ask in ask > (truthfulFirst[client] ?? .infinity) * 1.0001 })
        // Each guardian kept its clients' states next to its privacy ledger.
        let states = try FileManager.default.subpathsOfDirectory(atPath: out.path).filter { $0.hasSuffix("bidding-state.json") }
        #expect(states.count == 2, "\(states)")
    }
}
}
