@testable import Agents
import Foundation
@testable import Learning
import Testing
import WireProtocol

/// Bad input of every kind is rejected before anything starts, with a message naming the flag
/// (or the file and key) — the cases issue 11 observed, one by one.
@Suite struct ConfigurationValidationTests {
    func messages(_ configure: (inout ExperimentConfiguration) -> Void, execution: ExperimentExecution = .processes) -> [String] {
        var configuration = ExperimentConfiguration()
        configure(&configuration)
        return configuration.problems(execution: execution).map(\.message)
    }

    @Test func unknownNamesListTheKnownOnes() {
        #expect(messages { $0.model = "resnet" } == [#"--model must be one of mlp, cnn, cifar-cnn, paper-cnn, lenet (got "resnet")"#])
        #expect(messages { $0.optimizer = "adamw" } == [#"--optimizer must be one of sgd, adam (got "adamw")"#])
        #expect(messages { $0.dataset = "svhn" } == [#"--dataset must be one of fashion-mnist, mnist, cifar10 (got "svhn")"#])
        #expect(messages { $0.partition = "zipf" }.first?.hasPrefix("--partition must be one of iid, dirichlet") == true)
        #expect(messages { $0.aggregation = "bulyan" }.first?.hasPrefix("--aggregation must be one of fedavg") == true)
        #expect(messages { $0.initialization = "xavier" } == [#"--init must be one of he, pytorch (got "xavier")"#])
        #expect(messages { $0.policy = "greedy" } == [#"--policy must be one of random, oort, poc, coverage, llm (got "greedy")"#])
    }

    @Test func anUnknownOptimizerNeverFallsBackToSGD() {
        var configuration = ExperimentConfiguration()
        configuration.optimizer = "adamw"
        #expect(throws: ConfigurationError.self) { try configuration.simulationConfiguration() }
    }

    @Test func numericRangesNameTheFlagAndTheValue() {
        #expect(messages { $0.bidWindowSeconds = -1 } == ["--bid-window must be > 0 (got -1)"])
        #expect(messages { $0.alpha = 0 } == ["--alpha must be > 0 (got 0)"])
        #expect(messages { $0.rounds = 0 } == ["--rounds must be at least 1 (got 0)"])
        #expect(messages { $0.localEpochs = 0 } == ["--local-epochs must be at least 1 (got 0)"])
        #expect(messages { $0.testLimit = 0 } == ["--test-limit must be at least 1 (got 0)"])
        #expect(messages { $0.trainLimit = -5 } == ["--train-limit must be at least 1 (got -5)"])
        #expect(messages { $0.roundTimeoutSeconds = .infinity } == ["--round-timeout must be > 0 (got inf)"])
        #expect(messages { $0.startupTimeoutSeconds = 0 } == ["--startup-timeout must be > 0 (got 0)"])
        #expect(messages { $0.learningRate = .nan } == ["--lr must be > 0 (got nan)"])
        #expect(messages { $0.quorum = 0 } == ["--quorum must be in (0, 1] (got 0)"])
        #expect(messages { $0.widths = [1, 0] } == ["--width values must be in (0, 1] (got 0)"])
        #expect(messages { $0.momentum = 0.9; $0.optimizer = "adam" }.first?.hasPrefix("--momentum applies to sgd only") == true)
        #expect(messages { $0.clipNorm = 0 } == ["--clip-norm must be > 0 (got 0)"])
        #expect(messages { $0.batchSize = 0 } == ["--batch must be at least 1 (got 0)"])
        #expect(messages { $0.budget = 0 } == ["--budget must be > 0 (got 0)"])
        #expect(messages { $0.runID = "two words" }.first?.hasPrefix("--run-id must be") == true)
        #expect(messages { _ in }.isEmpty, "the defaults are valid")
    }

    @Test func everyProblemIsReportedNotOnlyTheFirst() {
        var configuration = ExperimentConfiguration()
        configuration.rounds = 0
        configuration.k = 500
        configuration.quorum = 2
        #expect(throws: ConfigurationError(issues: [
            ConfigurationIssue(key: .k, message: "--k must be between 1 and --clients = 100 (got 500)"),
            ConfigurationIssue(key: .rounds, message: "--rounds must be at least 1 (got 0)"),
            ConfigurationIssue(key: .quorum, message: "--quorum must be in (0, 1] (got 2)"),
        ])) { try configuration.validate() }
    }

    @Test func krumMustHoldForTheSmallestRoundTheQuorumAllows() {
        // K=4, quorum 0.5: a run may merge ⌈0.5·4⌉ = 2 updates; Krum with f=1 needs 5.
        let run = messages({ $0.aggregation = "krum"; $0.k = 4 }, execution: .processes)
        #expect(run.count == 1)
        #expect(run.first?.contains("needs at least 5 updates per round (n ≥ 2f+3)") == true, "\(run)")
        #expect(run.first?.contains("⌈0.5·4⌉ = 2") == true, "\(run)")
        // K=10 and quorum 0.5 leave 5 = 2·1+3: enough. In one process all K are merged.
        #expect(messages({ $0.aggregation = "krum"; $0.k = 10 }, execution: .processes).isEmpty)
        #expect(messages({ $0.aggregation = "krum"; $0.k = 4 }, execution: .inProcess).first?.contains("needs at least 5") == true)
        #expect(messages({ $0.aggregation = "krum"; $0.k = 5 }, execution: .inProcess).isEmpty)
        // Multi-Krum's m must leave the f presumed Byzantine out of the smallest round.
        let multi = messages({ $0.aggregation = "multi-krum"; $0.k = 10; $0.krumSelected = 5 }, execution: .processes)
        #expect(multi.first?.contains("m=5 must be at most n − f = 4") == true, "\(multi)")
        #expect(messages({ $0.aggregation = "multi-krum"; $0.k = 10; $0.krumSelected = 4 }).isEmpty)
        #expect(messages({ $0.aggregation = "krum"; $0.krumByzantine = -1 }) == ["--krum-f must be at least 0 (got -1)"])
    }

    @Test func trimmedMeanAndMedianConstraints() {
        #expect(messages { $0.aggregation = "trimmed-mean"; $0.trimFraction = 0.5 } == ["--trim must be in [0, 0.5) (got 0.5)"])
        #expect(messages { $0.aggregation = "trimmed-mean"; $0.trimFraction = 0.4; $0.k = 3; $0.quorum = 0.1 }.isEmpty)
        #expect(messages { $0.aggregation = "median"; $0.k = 1; $0.quorum = 0.1 }.isEmpty)
        #expect(messages { $0.aggregation = "median"; $0.widths = [1, 0.5] }.first?.contains("needs equal widths") == true)
        // The rule checks match the rule implementations: what passes validation aggregates.
        for n in 1...12 {
            for trim in stride(from: 0.0, to: 0.5, by: 0.05) {
                #expect(AggregationChoice.trimmedMean(trimFraction: trim).violation(mergingAtLeast: n, atMost: n) == nil)
            }
        }
    }

    @Test func aValueFromAConfigFileIsNamedByFileAndKey() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("exp-\(UUID().uuidString).json")
        try Data(#"{"bidWindowSeconds": -1, "k": 4}"#.utf8).write(to: url)
        let (configuration, keys) = try ExperimentConfiguration.loadWithKeys(from: url)
        #expect(keys == [.bidWindowSeconds, .k])
        var sources = ConfigurationSources(file: url.path, fileKeys: keys)
        #expect(configuration.problems(sources: sources).map(\.message) == ["\(url.path): \"bidWindowSeconds\" must be > 0 (got -1)"])
        // A flag overrides the file, and is named as the flag.
        sources.flags = [.bidWindowSeconds]
        #expect(configuration.problems(sources: sources).map(\.message) == ["--bid-window must be > 0 (got -1)"])
    }

    @Test func unknownConfigKeysAreRejectedWithSuggestions() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("exp-\(UUID().uuidString).json")
        try Data(#"{"clients": 20, "bidWindow": 3, "learning_rate": 0.1, "colour": "red"}"#.utf8).write(to: url)
        do {
            _ = try ExperimentConfiguration.load(from: url)
            Issue.record("unknown keys were accepted")
        } catch let error as ConfigurationFileError {
            #expect(error.path == url.path)
            #expect(error.problem == .unknownKeys([
                .init(key: "bidWindow", suggestion: .bidWindowSeconds),
                .init(key: "colour", suggestion: nil),
                .init(key: "learning_rate", suggestion: .learningRate),
            ]))
            let text = "\(error)"
            #expect(text.contains(#""bidWindow" (did you mean "bidWindowSeconds"?)"#), "\(text)")
            #expect(text.hasPrefix("configuration file \(url.path): unknown keys"), "\(text)")
        }
        try Data(#"{"k": "ten"}"#.utf8).write(to: url)
        #expect(throws: ConfigurationFileError(path: url.path, problem: .wrongType(key: "k", expected: "an integer"))) {
            try ExperimentConfiguration.load(from: url)
        }
    }

    @Test func widthIsOneNumberOrAList() throws {
        let one = try JSONDecoder().decode(ExperimentConfiguration.self, from: Data(#"{"width": 0.5}"#.utf8))
        #expect(one.widths == [0.5])
        let list = try JSONDecoder().decode(ExperimentConfiguration.self, from: Data(#"{"width": [1, 0.5, 0.25]}"#.utf8))
        #expect(list.widths == [1, 0.5, 0.25])
        #expect(try list.simulationConfiguration().clientWidths == [1, 0.5, 0.25])
        // What a run writes, it reads back.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("exp-\(UUID().uuidString).json")
        var c = ExperimentConfiguration()
        c.widths = [1, 0.5]
        c.clipNorm = 1.5
        c.krumSelected = 3
        try c.write(to: url)
        #expect(try ExperimentConfiguration.load(from: url) == c)
    }

    // MARK: preflight: the data and the partition

    @Test func aMissingDataDirectoryFailsAtPreflight() {
        var configuration = ExperimentConfiguration()
        configuration.dataDirectory = "/nonexistent/fmnist"
        #expect(throws: ConfigurationError(issues: [
            ConfigurationIssue(key: .dataDirectory, message: "--data-dir: data directory not found: /nonexistent/fmnist"),
        ])) { try configuration.preflight() }
    }

    @Test func aZeroSampleDataFileFailsAtPreflight() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("empty-idx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func word(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
        for (stem, count) in [("train", 0), ("t10k", 2)] {
            let images = word(0x803) + word(UInt32(count)) + word(28) + word(28) + [UInt8](repeating: 7, count: count * 784)
            try Data(images).write(to: folder.appendingPathComponent("\(stem)-images-idx3-ubyte"))
            try Data(word(0x801) + word(UInt32(count)) + [UInt8](repeating: 1, count: count)).write(to: folder.appendingPathComponent("\(stem)-labels-idx1-ubyte"))
        }
        var configuration = ExperimentConfiguration()
        configuration.dataDirectory = folder.path
        let path = folder.appendingPathComponent("train-images-idx3-ubyte").path
        #expect(throws: ConfigurationError(issues: [
            ConfigurationIssue(key: .dataDirectory, message: "--data-dir: \(path) holds no samples"),
        ])) { try configuration.preflight() }
        // And the loader itself refuses it (what a role would meet).
        #expect(throws: DatasetError.empty(path: path)) { try DatasetLoader.load(.fashionMNIST, directory: folder) }
    }

    @Test func theDirichletMinimumIsCheckedAtPreflight() throws {
        var configuration = ExperimentConfiguration()
        configuration.dataDirectory = try FashionMNISTSlice.directory().path
        configuration.clients = 250  // 3,000 samples: 12 on average, too few for 10 each
        do {
            try configuration.preflight()
            Issue.record("a partition below its minimum passed")
        } catch let error as ConfigurationError {
            #expect(error.issues.map(\.key) == [.partition])
            let message = error.issues.first?.message ?? ""
            #expect(message.hasPrefix("--partition dirichlet with --clients 250:"), "\(message)")
            #expect(message.contains("found no draw in 100 tries"), "\(message)")
            #expect(message.contains("use fewer clients, a larger α, or another scheme"), "\(message)")
        }
        configuration.clients = 20
        try configuration.preflight()
    }

    // MARK: one results schema

    @Test func runAndSimulateWriteTheSameResultsShape() throws {
        var configuration = ExperimentConfiguration()
        configuration.clients = 8
        configuration.k = 2
        configuration.rounds = 1
        let assignment = Assignment(
            round: 1, modelVersion: 0, policy: "random", k: 2, selected: [3, 5],
            instructions: [3, 5].map { ClientInstruction(clientID: $0, bidSampleCount: 600, width: 1, localEpochs: 1) },
            clearingPrice: 1.5,
            payments: [ClientPayment(clientID: 3, amount: 1.5), ClientPayment(clientID: 5, amount: 1.5)],
            reason: "test", decision: .handMade, roundDeadline: Date())
        let metrics = RoundMetrics(
            round: 1, modelVersion: 1, testAccuracy: 0.5, testLoss: 1.2, mergedClients: [3], mergedDigests: ["x"],
            bytesUp: 10, bytesDown: 20, seconds: 0.3)
        let run = RunResults(config: configuration, rounds: [RunRound(assignment: assignment, metrics: metrics)],
                             startupSeconds: 1, readySeconds: 2, totalSeconds: 3)
        let simulation = SimulationResult(
            rounds: [RoundResult(round: 1, k: 2, selected: [3, 5], testAccuracy: 0.5, testLoss: 1.2, trainLoss: 0.9, bytesUp: 10, bytesDown: 20, seconds: 0.3)],
            parameterCount: try configuration.parameterCount(), partition: PartitionReport(sizes: [], labelHistograms: []),
            finalParameters: [], seconds: 3)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("results-\(UUID().uuidString)")
        try run.write(to: directory.appendingPathComponent("run"))
        try SimulationReport.write(simulation, configuration: try configuration.simulationConfiguration(), to: directory.appendingPathComponent("sim"))
        func json(_ name: String) throws -> [String: Any] {
            try #require(JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("\(name)/results.json"))) as? [String: Any])
        }
        let (r, s) = (try json("run"), try json("sim"))
        #expect(Set(r.keys) == Set(s.keys))
        #expect(Set(r.keys) == ["command", "config", "rounds", "startup_seconds", "ready_seconds", "total_seconds", "clients", "fairness"])
        #expect(r["command"] as? String == "run" && s["command"] as? String == "simulate")
        #expect(s["ready_seconds"] is NSNull && r["ready_seconds"] as? Double == 2)
        let (rc, sc) = (try #require(r["config"] as? [String: Any]), try #require(s["config"] as? [String: Any]))
        #expect(Set(rc.keys) == Set(sc.keys))
        for key in ["dataset", "partition", "clients", "k", "rounds", "batch", "lr", "optimizer", "model", "init", "batch_shards", "aggregation", "parameter_count", "seed"] {
            #expect("\(rc[key] ?? "none")" == "\(sc[key] ?? "none")", "config \(key)")
        }
        #expect(rc["init"] as? String == "he" && rc["batch_shards"] as? Int == 2)
        #expect(rc["bid_window_seconds"] as? Double == 2 && sc["bid_window_seconds"] is NSNull)
        let rr = try #require((r["rounds"] as? [[String: Any]])?.first)
        let sr = try #require((s["rounds"] as? [[String: Any]])?.first)
        #expect(Set(rr.keys) == Set(sr.keys))
        #expect(rr["train_loss"] is NSNull && sr["train_loss"] as? Double == 0.9)
        #expect(sr["clearing_price"] is NSNull && rr["clearing_price"] as? Double == 1.5)
        #expect(rr["merged"] as? [Int] == [3] && sr["merged"] as? [Int] == [3, 5])
        let header = { (name: String) in
            try String(contentsOf: directory.appendingPathComponent("\(name)/results.csv"), encoding: .utf8).split(separator: "\n").first.map(String.init)
        }
        #expect(try header("run") == ResultsDocument.csvHeader)
        #expect(try header("sim") == ResultsDocument.csvHeader)
    }
}

/// `agentfl run` and `agentfl simulate` as a user calls them: one flag set, one configuration,
/// and a bad flag ends them at once with its message — no broker, no role.
extension ProcessTests {
@Suite struct ConfigurationCommandTests {
    /// Runs the executable and splits what it printed.
    func agentfl(_ arguments: [String]) async throws -> (status: Int32, output: String, seconds: Double) {
        let start = ContinuousClock.now
        let result = try await runAgentFL(arguments)
        let elapsed = start.duration(to: .now)
        return (result.status, result.output, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }

    @Test func bothCommandsParseTheSameFlagsIntoTheSameConfiguration() async throws {
        let data = try FashionMNISTSlice.directory().path
        let flags = [
            "--check", "--run-id", "same", "--data-dir", data, "--clients", "20", "--k", "6", "--rounds", "4", "--seed", "18446744073709551615",
            "--partition", "shards", "--shards-per-client", "3", "--alpha", "0.3", "--local-epochs", "2", "--batch", "16", "--lr", "0.1",
            "--optimizer", "sgd", "--momentum", "0.9", "--weight-decay", "0.0001", "--mu", "0.01", "--clip-norm", "2",
            "--model", "mlp", "--width", "1,0.5", "--init", "pytorch", "--aggregation", "fedavg", "--trim", "0.2",
            "--krum-f", "1", "--krum-m", "2", "--train-limit", "2000", "--test-limit", "500",
            "--bid-window", "3", "--round-timeout", "9", "--startup-timeout", "30", "--quorum", "0.75", "--budget", "50",
            "--bid-strategy", "adaptive:1-2:0.1", "--price-per-second", "2", "--power-watts", "5", "--price-per-joule", "0.01",
            "--price-per-byte", "0", "--price-per-epsilon", "3", "--fixed-cost", "0.5",
        ]
        let run = try await agentfl(["run"] + flags)
        let simulate = try await agentfl(["simulate"] + flags)
        #expect(run.status == 0, "\(run.output)")
        #expect(simulate.status == 0, "\(simulate.output)")
        let a = try JSONDecoder().decode(ExperimentConfiguration.self, from: Data(run.output.utf8))
        let b = try JSONDecoder().decode(ExperimentConfiguration.self, from: Data(simulate.output.utf8))
        #expect(a == b)
        #expect(a.widths == [1, 0.5] && a.shardsPerClient == 3 && a.clipNorm == 2 && a.krumSelected == 2 && a.seed == .max)
        #expect(a.initialization == "pytorch" && a.quorum == 0.75 && a.startupTimeoutSeconds == 30)
        #expect(a.bidStrategy == "adaptive:1-2:0.1" && a.pricePerSecond == 2 && a.powerWatts == 5 && a.pricePerJoule == 0.01)
        #expect(a.pricePerByte == 0 && a.pricePerEpsilon == 3 && a.fixedCost == 0.5)

        // The same values from a file, and a flag overriding one of them.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("exp-\(UUID().uuidString).json")
        try a.write(to: file)
        let fromFile = try await agentfl(["simulate", "--check", "--config", file.path, "--rounds", "7"])
        #expect(fromFile.status == 0, "\(fromFile.output)")
        var expected = a
        expected.rounds = 7
        #expect(try JSONDecoder().decode(ExperimentConfiguration.self, from: Data(fromFile.output.utf8)) == expected)
    }

    @Test(arguments: ["run", "simulate"])
    func aBadFlagEndsTheCommandAtOnceWithItsMessage(command: String) async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString)").path
        let cases: [([String], String)] = [
            (["--bid-window", "-1"], "error: invalid configuration: --bid-window must be > 0 (got -1)"),
            (["--model", "resnet"], #"error: invalid configuration: --model must be one of mlp, cnn, cifar-cnn, paper-cnn, lenet (got "resnet")"#),
            (["--optimizer", "adamw"], #"error: invalid configuration: --optimizer must be one of sgd, adam (got "adamw")"#),
            (["--alpha", "0"], "error: invalid configuration: --alpha must be > 0 (got 0)"),
            (["--rounds", "0"], "error: invalid configuration: --rounds must be at least 1 (got 0)"),
            (["--bid-strategy", "greedy"], "error: invalid configuration: --bid-strategy: unknown bidding strategy 'greedy' in 'greedy'"),
            (["--price-per-byte", "-1"], "error: invalid configuration: --price-per-byte must be ≥ 0 (got -1)"),
            (["--negotiation", "haggle"], #"error: invalid configuration: --negotiation "haggle": must be none, posted-price or posted-price:PRICE"#),
            (["--negotiation", "posted-price:0"], #"error: invalid configuration: --negotiation "posted-price:0": "#),
            (["--offer-window", "0"], "error: invalid configuration: --offer-window must be > 0 (got 0)"),
            (["--data-dir", "/nonexistent"], "error: invalid configuration: --data-dir: data directory not found: /nonexistent"),
            (["--aggregation", "krum", "--k", "4"], "error: invalid configuration: --aggregation krum: Krum (f=1) needs at least 5 updates per round"),
        ]
        for (flags, message) in cases {
            let result = try await agentfl([command, "--out", out] + flags)
            #expect(result.status == 64, "\(command) \(flags): \(result.output)")
            #expect(result.output.contains(message), "\(command) \(flags): \(result.output)")
            #expect(!result.output.contains("broker"), "\(command) \(flags) started something: \(result.output)")
            #expect(result.seconds < 10, "\(command) \(flags) took \(result.seconds) s")
        }
        #expect(!FileManager.default.fileExists(atPath: out), "nothing is written for a configuration that cannot run")
    }

    @Test func unknownConfigKeysEndTheCommand() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("exp-\(UUID().uuidString).json")
        try Data(#"{"clients": 20, "bidWindow": 3}"#.utf8).write(to: file)
        for command in ["run", "simulate"] {
            let result = try await agentfl([command, "--config", file.path])
            #expect(result.status == 64)
            #expect(result.output.contains(#"error: configuration file \#(file.path): unknown key "bidWindow" (did you mean "bidWindowSeconds"?)"#), "\(result.output)")
        }
    }
}
}
