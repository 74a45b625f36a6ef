import Foundation
import Market
import Strategies

/// Everything that defines one federated experiment, for `agentfl run` and `agentfl simulate`
/// alike. `run` writes it to `config.json` in the output folder and hands that file to every
/// role, so all processes agree on the data split, the model, the seed and the round protocol's
/// timings; `simulate` builds its in-process run from the same value
/// (``simulationConfiguration()``).
///
/// A configuration file holds any subset of the fields by their ``Key`` names; what it leaves
/// out keeps its default, and a key it does not know is an error (see ``load(from:)``).
/// ``validate(sources:execution:)`` and ``preflight(sources:execution:)`` check it before anything
/// starts.
public struct ExperimentConfiguration: Codable, Sendable, Equatable {
    public var runID: String = "run"
    // Data
    public var dataset: String = "fashion-mnist"
    public var dataDirectory: String?
    public var trainLimit: Int?
    public var testLimit: Int?
    public var partition: String = "dirichlet"
    public var alpha: Double = 0.5
    public var shardsPerClient: Int = 2
    /// Clients given label-shuffled shards, and clients cut to `tinySamples` samples, on purpose.
    public var mislabeledClients: [Int] = []
    public var tinyClients: [Int] = []
    public var tinySamples: Int = 10
    /// The delayed-client scenario, `FRACTION:FROM-TO:FACTOR` (see `DelaySchedule`); nil: none.
    public var delay: String?
    /// Per-client device tiers, privacy budgets, bidding strategies and useless data (a
    /// population file, ``PopulationSpec``, held inline); nil: every client as configured.
    public var population: PopulationSpec?
    // Federation
    public var clients: Int = 100
    public var k: Int = 10
    public var rounds: Int = 30
    public var seed: UInt64 = 1
    // Local training
    public var localEpochs: Int = 1
    public var batchSize: Int = 32
    public var learningRate: Double = 0.05
    public var optimizer: String = "sgd"
    public var momentum: Double = 0
    public var weightDecay: Double = 0
    public var proximalMu: Double = 0
    /// Per-example gradient clipping norm (DP-SGD style); nil: off.
    public var clipNorm: Double?
    // Differential privacy (each guardian guards its own client's budget)
    /// `dp-sgd` or `client-dp` (see ``Privacy/PrivacyMechanism``); nil: off.
    public var privacy: String?
    /// σ, the noise standard deviation in units of the clipping norm.
    public var dpNoiseMultiplier: Double = 1
    /// C, the clipping norm (per example for DP-SGD, of the whole update for client-level DP).
    public var dpClipNorm: Double = 1
    /// q, DP-SGD's Poisson sampling rate; nil: batch size ÷ the client's sample count (so the
    /// expected batch is the batch size).
    public var dpSampleRate: Double?
    /// Every client's budget (ε, δ) for the whole run.
    public var dpEpsilon: Double = 8
    public var dpDelta: Double = 1e-5
    // Model and aggregation
    public var model: String = "mlp"
    /// Width multipliers assigned to clients round-robin by id (HeteroFL); `[1]` trains the full
    /// model everywhere. In a file, key `width`: one number or a list.
    public var widths: [Double] = [1]
    /// Weight initialization: `he` or `pytorch`.
    public var initialization: String = "he"
    public var aggregation: String = "fedavg"
    /// Trimmed mean: fraction trimmed from each side.
    public var trimFraction: Double = 0.1
    /// Krum: Byzantine clients tolerated (f).
    public var krumByzantine: Int = 1
    /// Multi-Krum: updates averaged (m; 1 is Krum).
    public var krumSelected: Int = 1
    // Agents and market
    public var policy: String = "random"
    /// The K-Agent: `fixed` takes `k` every round; others choose K within `kMin...kMax`.
    public var kAgent: String = "fixed"
    /// Bounds on K for every round (default 1 and the number of clients).
    public var kMin: Int?
    public var kMax: Int?
    /// Round 1 takes every client that bid, whatever the K-Agent says (the source paper's setting).
    public var firstRoundTakesAll = false
    /// Every tool brain's hyperparameters (file key `strategy`: `{"oort": {"explorationFactor": 0.8}}`).
    public var strategyParameters = StrategyParameters()
    /// LLM brains: the OpenAI-compatible server (nil: the cached local llama-server), the model,
    /// the environment variable holding the API key, and the call's limits and sampling.
    /// (The defaults are ``LLMSettings``'s.)
    public var llmURL: String?
    public var llmModel: String = LLMSettings().model
    public var llmAPIKeyVariable: String = LLMSettings().apiKeyVariable
    public var llmTimeoutSeconds: Double = LLMSettings().timeoutSeconds
    public var llmMaxTokens: Int = LLMSettings().maxTokens
    public var llmTemperature: Double = LLMSettings().temperature
    public var llmSeed: Int = LLMSettings().seed
    /// Money the server may pay out per round (reverse auction budget).
    public var budget: Double = 1000
    /// How every guardian turns its clients' costs into asks, in ``Market/BidStrategyCatalog``'s
    /// notation: `truthful`, `margin:M`, `adaptive:MIN-MAX:STEP[:START]`.
    public var bidStrategy: String = "truthful"
    /// What follows the auction: `none`, or `posted-price` (places it left unfilled offered to
    /// its losers at the budget it left shared over them) or `posted-price:P` (at price P).
    public var negotiation: String = "none"
    /// How long the server waits for answers to its offers.
    public var offerWindowSeconds: Double = 1
    /// The guardians' cost model (``Market/CostModel``; its defaults): the price of a second of
    /// local training, the device's power draw, the price of a joule, of a byte moved (model
    /// down, update up) and of a unit of ε spent, and the fixed cost of taking part.
    public var pricePerSecond: Double = CostModel.standard.pricePerSecond
    public var powerWatts: Double = CostModel.standard.powerWatts
    public var pricePerJoule: Double = CostModel.standard.pricePerJoule
    public var pricePerByte: Double = CostModel.standard.pricePerByte
    public var pricePerEpsilon: Double = CostModel.standard.pricePerEpsilon
    public var fixedCost: Double = CostModel.standard.fixedCost
    /// How long the server waits for bids after announcing a round (it closes early once every client answered).
    public var bidWindowSeconds: Double = 2
    /// How long the server waits for every guardian to report ready before round 1.
    public var startupTimeoutSeconds: Double = 60
    /// How long after assignment the aggregator waits for updates before settling for a quorum.
    public var roundTimeoutSeconds: Double = 30
    /// Fraction of the assigned clients whose updates make a round valid once the deadline passed.
    public var quorum: Double = 0.5

    public init() {}

    /// Reads a configuration file, rejecting unknown keys (with a suggestion for near misses)
    /// and values of the wrong type, naming the file and the key.
    public static func load(from url: URL) throws -> ExperimentConfiguration {
        try loadWithKeys(from: url).configuration
    }

    /// ``load(from:)``, and which keys the file set (so messages can say where a value came from).
    public static func loadWithKeys(from url: URL) throws -> (configuration: ExperimentConfiguration, keys: Set<Key>) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ConfigurationFileError(path: url.path, problem: .unreadable("\(error.localizedDescription)"))
        }
        do {
            let configuration = try JSONDecoder().decode(ExperimentConfiguration.self, from: data)
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
            return (configuration, Set(object.keys.compactMap(Key.init(rawValue:))))
        } catch let problem as ConfigurationFileError.Problem {
            throw ConfigurationFileError(path: url.path, problem: problem)
        } catch let error as DecodingError {
            throw ConfigurationFileError(path: url.path, problem: .init(error))
        } catch {
            throw ConfigurationFileError(path: url.path, problem: .notJSON("\(error)"))
        }
    }

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: url, options: .atomic)
    }
}

extension ExperimentConfiguration {
    /// The fields' names in a configuration file, each with its command-line flag.
    public enum Key: String, CodingKey, CaseIterable, Sendable, Hashable {
        case runID, dataset, dataDirectory, trainLimit, testLimit, partition, alpha, shardsPerClient, clients, k, rounds, seed
        case mislabeledClients, tinyClients, tinySamples, delay, population
        case localEpochs, batchSize, learningRate, optimizer, momentum, weightDecay, proximalMu, clipNorm
        case privacy = "dp", dpNoiseMultiplier, dpClipNorm, dpSampleRate, dpEpsilon, dpDelta
        case model, widths = "width", initialization, aggregation, trimFraction, krumByzantine, krumSelected
        case policy, kAgent, kMin, kMax, firstRoundTakesAll, budget, bidWindowSeconds
        case bidStrategy, negotiation, offerWindowSeconds, pricePerSecond, powerWatts, pricePerJoule, pricePerByte, pricePerEpsilon, fixedCost
        case strategyParameters = "strategy"
        case llmURL, llmModel, llmAPIKeyVariable, llmTimeoutSeconds, llmMaxTokens, llmTemperature, llmSeed, startupTimeoutSeconds, roundTimeoutSeconds, quorum

        /// The `agentfl run` / `agentfl simulate` flag that sets this field.
        public var flag: String {
            switch self {
            case .runID: "--run-id"
            case .dataDirectory: "--data-dir"
            case .trainLimit: "--train-limit"
            case .testLimit: "--test-limit"
            case .mislabeledClients: "--mislabeled-clients"
            case .tinyClients: "--tiny-clients"
            case .tinySamples: "--tiny-samples"
            case .population: "--population"
            case .shardsPerClient: "--shards-per-client"
            case .localEpochs: "--local-epochs"
            case .batchSize: "--batch"
            case .learningRate: "--lr"
            case .weightDecay: "--weight-decay"
            case .proximalMu: "--mu"
            case .clipNorm: "--clip-norm"
            case .privacy: "--dp"
            case .dpNoiseMultiplier: "--dp-noise"
            case .dpClipNorm: "--dp-clip"
            case .dpSampleRate: "--dp-sample-rate"
            case .dpEpsilon: "--dp-epsilon"
            case .dpDelta: "--dp-delta"
            case .widths: "--width"
            case .initialization: "--init"
            case .trimFraction: "--trim"
            case .krumByzantine: "--krum-f"
            case .krumSelected: "--krum-m"
            case .bidWindowSeconds: "--bid-window"
            case .bidStrategy: "--bid-strategy"
            case .negotiation: "--negotiation"
            case .offerWindowSeconds: "--offer-window"
            case .pricePerSecond: "--price-per-second"
            case .powerWatts: "--power-watts"
            case .pricePerJoule: "--price-per-joule"
            case .pricePerByte: "--price-per-byte"
            case .pricePerEpsilon: "--price-per-epsilon"
            case .fixedCost: "--fixed-cost"
            case .startupTimeoutSeconds: "--startup-timeout"
            case .roundTimeoutSeconds: "--round-timeout"
            case .kAgent: "--k-agent"
            case .kMin: "--k-min"
            case .kMax: "--k-max"
            case .firstRoundTakesAll: "--first-round-all"
            case .strategyParameters: "--strategy-param"
            case .llmURL: "--llm-url"
            case .llmModel: "--llm-model"
            case .llmAPIKeyVariable: "--llm-api-key-env"
            case .llmTimeoutSeconds: "--llm-timeout"
            case .llmMaxTokens: "--llm-max-tokens"
            case .llmTemperature: "--llm-temperature"
            case .llmSeed: "--llm-seed"
            default: "--" + rawValue
            }
        }
    }

    /// Every field is optional in a file: what it leaves out keeps its default, so a configuration
    /// written by hand (or by an older version) needs only the fields it changes. Unknown keys
    /// are rejected: a misspelt key would otherwise silently leave its default in force.
    public init(from decoder: any Decoder) throws {
        let present = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        let unknown = present.filter { Key(rawValue: $0) == nil }.sorted()
        if !unknown.isEmpty {
            throw ConfigurationFileError.Problem.unknownKeys(unknown.map { ($0, Key.suggestion(for: $0)) }.map(ConfigurationFileError.UnknownKey.init))
        }
        let container = try decoder.container(keyedBy: Key.self)
        var c = ExperimentConfiguration()
        func read<T: Decodable>(_ key: Key, _ path: WritableKeyPath<ExperimentConfiguration, T>) throws {
            if let value = try container.decodeIfPresent(T.self, forKey: key) { c[keyPath: path] = value }
        }
        func readOptional<T: Decodable>(_ key: Key, _ path: WritableKeyPath<ExperimentConfiguration, T?>) throws {
            if let value = try container.decodeIfPresent(T.self, forKey: key) { c[keyPath: path] = value }
        }
        try read(.runID, \.runID)
        try read(.dataset, \.dataset)
        try readOptional(.dataDirectory, \.dataDirectory)
        try readOptional(.trainLimit, \.trainLimit)
        try readOptional(.testLimit, \.testLimit)
        try read(.partition, \.partition)
        try read(.alpha, \.alpha)
        try read(.shardsPerClient, \.shardsPerClient)
        try read(.mislabeledClients, \.mislabeledClients)
        try read(.tinyClients, \.tinyClients)
        try read(.tinySamples, \.tinySamples)
        try readOptional(.delay, \.delay)
        try readOptional(.population, \.population)
        try read(.clients, \.clients)
        try read(.k, \.k)
        try read(.rounds, \.rounds)
        try read(.seed, \.seed)
        try read(.localEpochs, \.localEpochs)
        try read(.batchSize, \.batchSize)
        try read(.learningRate, \.learningRate)
        try read(.optimizer, \.optimizer)
        try read(.momentum, \.momentum)
        try read(.weightDecay, \.weightDecay)
        try read(.proximalMu, \.proximalMu)
        try readOptional(.clipNorm, \.clipNorm)
        try readOptional(.privacy, \.privacy)
        try read(.dpNoiseMultiplier, \.dpNoiseMultiplier)
        try read(.dpClipNorm, \.dpClipNorm)
        try readOptional(.dpSampleRate, \.dpSampleRate)
        try read(.dpEpsilon, \.dpEpsilon)
        try read(.dpDelta, \.dpDelta)
        try read(.model, \.model)
        if container.contains(.widths) {
            // One number (what older files hold) or a list.
            if let single = try? container.decode(Double.self, forKey: .widths) {
                c.widths = [single]
            } else {
                c.widths = try container.decode([Double].self, forKey: .widths)
            }
        }
        try read(.initialization, \.initialization)
        try read(.aggregation, \.aggregation)
        try read(.trimFraction, \.trimFraction)
        try read(.krumByzantine, \.krumByzantine)
        try read(.krumSelected, \.krumSelected)
        try read(.policy, \.policy)
        try read(.kAgent, \.kAgent)
        try readOptional(.kMin, \.kMin)
        try readOptional(.kMax, \.kMax)
        try read(.firstRoundTakesAll, \.firstRoundTakesAll)
        try read(.strategyParameters, \.strategyParameters)
        try readOptional(.llmURL, \.llmURL)
        try read(.llmModel, \.llmModel)
        try read(.llmAPIKeyVariable, \.llmAPIKeyVariable)
        try read(.llmTimeoutSeconds, \.llmTimeoutSeconds)
        try read(.llmMaxTokens, \.llmMaxTokens)
        try read(.llmTemperature, \.llmTemperature)
        try read(.llmSeed, \.llmSeed)
        try read(.budget, \.budget)
        try read(.bidStrategy, \.bidStrategy)
        try read(.negotiation, \.negotiation)
        try read(.offerWindowSeconds, \.offerWindowSeconds)
        try read(.pricePerSecond, \.pricePerSecond)
        try read(.powerWatts, \.powerWatts)
        try read(.pricePerJoule, \.pricePerJoule)
        try read(.pricePerByte, \.pricePerByte)
        try read(.pricePerEpsilon, \.pricePerEpsilon)
        try read(.fixedCost, \.fixedCost)
        try read(.bidWindowSeconds, \.bidWindowSeconds)
        try read(.startupTimeoutSeconds, \.startupTimeoutSeconds)
        try read(.roundTimeoutSeconds, \.roundTimeoutSeconds)
        try read(.quorum, \.quorum)
        self = c
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(runID, forKey: .runID)
        try container.encode(dataset, forKey: .dataset)
        try container.encodeIfPresent(dataDirectory, forKey: .dataDirectory)
        try container.encodeIfPresent(trainLimit, forKey: .trainLimit)
        try container.encodeIfPresent(testLimit, forKey: .testLimit)
        try container.encode(partition, forKey: .partition)
        try container.encode(alpha, forKey: .alpha)
        try container.encode(shardsPerClient, forKey: .shardsPerClient)
        try container.encode(mislabeledClients, forKey: .mislabeledClients)
        try container.encode(tinyClients, forKey: .tinyClients)
        try container.encode(tinySamples, forKey: .tinySamples)
        try container.encodeIfPresent(delay, forKey: .delay)
        try container.encodeIfPresent(population, forKey: .population)
        try container.encode(clients, forKey: .clients)
        try container.encode(k, forKey: .k)
        try container.encode(rounds, forKey: .rounds)
        try container.encode(seed, forKey: .seed)
        try container.encode(localEpochs, forKey: .localEpochs)
        try container.encode(batchSize, forKey: .batchSize)
        try container.encode(learningRate, forKey: .learningRate)
        try container.encode(optimizer, forKey: .optimizer)
        try container.encode(momentum, forKey: .momentum)
        try container.encode(weightDecay, forKey: .weightDecay)
        try container.encode(proximalMu, forKey: .proximalMu)
        try container.encodeIfPresent(clipNorm, forKey: .clipNorm)
        try container.encodeIfPresent(privacy, forKey: .privacy)
        try container.encode(dpNoiseMultiplier, forKey: .dpNoiseMultiplier)
        try container.encode(dpClipNorm, forKey: .dpClipNorm)
        try container.encodeIfPresent(dpSampleRate, forKey: .dpSampleRate)
        try container.encode(dpEpsilon, forKey: .dpEpsilon)
        try container.encode(dpDelta, forKey: .dpDelta)
        try container.encode(model, forKey: .model)
        try container.encode(widths, forKey: .widths)
        try container.encode(initialization, forKey: .initialization)
        try container.encode(aggregation, forKey: .aggregation)
        try container.encode(trimFraction, forKey: .trimFraction)
        try container.encode(krumByzantine, forKey: .krumByzantine)
        try container.encode(krumSelected, forKey: .krumSelected)
        try container.encode(policy, forKey: .policy)
        try container.encode(kAgent, forKey: .kAgent)
        try container.encodeIfPresent(kMin, forKey: .kMin)
        try container.encodeIfPresent(kMax, forKey: .kMax)
        try container.encode(firstRoundTakesAll, forKey: .firstRoundTakesAll)
        try container.encode(strategyParameters, forKey: .strategyParameters)
        try container.encodeIfPresent(llmURL, forKey: .llmURL)
        try container.encode(llmModel, forKey: .llmModel)
        try container.encode(llmAPIKeyVariable, forKey: .llmAPIKeyVariable)
        try container.encode(llmTimeoutSeconds, forKey: .llmTimeoutSeconds)
        try container.encode(llmMaxTokens, forKey: .llmMaxTokens)
        try container.encode(llmTemperature, forKey: .llmTemperature)
        try container.encode(llmSeed, forKey: .llmSeed)
        try container.encode(budget, forKey: .budget)
        try container.encode(bidStrategy, forKey: .bidStrategy)
        try container.encode(negotiation, forKey: .negotiation)
        try container.encode(offerWindowSeconds, forKey: .offerWindowSeconds)
        try container.encode(pricePerSecond, forKey: .pricePerSecond)
        try container.encode(powerWatts, forKey: .powerWatts)
        try container.encode(pricePerJoule, forKey: .pricePerJoule)
        try container.encode(pricePerByte, forKey: .pricePerByte)
        try container.encode(pricePerEpsilon, forKey: .pricePerEpsilon)
        try container.encode(fixedCost, forKey: .fixedCost)
        try container.encode(bidWindowSeconds, forKey: .bidWindowSeconds)
        try container.encode(startupTimeoutSeconds, forKey: .startupTimeoutSeconds)
        try container.encode(roundTimeoutSeconds, forKey: .roundTimeoutSeconds)
        try container.encode(quorum, forKey: .quorum)
    }

    /// Any key, to list what a file holds.
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension ExperimentConfiguration.Key {
    /// The known key a misspelt one most likely means: same letters ignoring case, `_` and `-`;
    /// a flag's name (`bid-window`); one containing the other; or at most two edits away.
    public static func suggestion(for unknown: String) -> Self? {
        func normal(_ s: String) -> String { s.lowercased().filter { $0 != "_" && $0 != "-" } }
        let wanted = normal(unknown)
        guard !wanted.isEmpty else { return nil }
        if let exact = allCases.first(where: { normal($0.rawValue) == wanted || normal($0.flag) == wanted }) { return exact }
        if wanted.count >= 4, let contained = allCases.first(where: {
            normal($0.rawValue).hasPrefix(wanted) || ($0.rawValue.count >= 4 && wanted.hasPrefix(normal($0.rawValue)))
        }) {
            return contained
        }
        let scored = allCases.map { ($0, EditDistance.between(normal($0.rawValue), wanted)) }.min { $0.1 < $1.1 }
        guard let (key, distance) = scored, distance <= 2 else { return nil }
        return key
    }
}

/// Levenshtein distance, for "did you mean".
enum EditDistance {
    static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// A configuration file that cannot be used, naming the file and what is wrong with it.
public struct ConfigurationFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var problem: Problem

    public struct UnknownKey: Sendable, Equatable {
        public var key: String
        public var suggestion: ExperimentConfiguration.Key?
    }

    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case unreadable(String)
        case notJSON(String)
        case unknownKeys([UnknownKey])
        case wrongType(key: String, expected: String)
        case invalid(key: String, reason: String)

        init(_ error: DecodingError) {
            func path(_ context: DecodingError.Context) -> String {
                context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            }
            switch error {
            case let .typeMismatch(type, context), let .valueNotFound(type, context):
                self = .wrongType(key: path(context), expected: Self.typeName(type))
            case let .dataCorrupted(context) where !context.codingPath.isEmpty:
                self = .invalid(key: path(context), reason: context.debugDescription)
            case let .dataCorrupted(context):
                self = .notJSON(context.underlyingError.map { "\($0)" } ?? context.debugDescription)
            case let .keyNotFound(key, _):
                self = .invalid(key: key.stringValue, reason: "missing")
            @unknown default:
                self = .notJSON("\(error)")
            }
        }

        static func typeName(_ type: Any.Type) -> String {
            switch type {
            case is String.Type: "a string"
            case is Int.Type: "an integer"
            case is UInt64.Type: "a non-negative integer"
            case is Double.Type: "a number"
            case is [Double].Type: "a list of numbers"
            default: "\(type)"
            }
        }

        public var description: String {
            switch self {
            case .unreadable(let reason): "cannot read: \(reason)"
            case .notJSON(let reason): "not a JSON object: \(reason)"
            case .unknownKeys(let keys):
                "unknown key\(keys.count == 1 ? "" : "s") " + keys.map { unknown in
                    "\"\(unknown.key)\"" + (unknown.suggestion.map { " (did you mean \"\($0.rawValue)\"?)" } ?? "")
                }.joined(separator: ", ") + "; known keys: " + ExperimentConfiguration.Key.allCases.map(\.rawValue).joined(separator: ", ")
            case .wrongType(let key, let expected): "\"\(key)\" must be \(expected)"
            case .invalid(let key, let reason): "\"\(key)\": \(reason)"
            }
        }
    }

    public var description: String { "configuration file \(path): \(problem)" }
}

extension ExperimentConfiguration {
    /// The bounds every round's K must respect.
    public var kBounds: ClosedRange<Int> {
        let lower = max(1, kMin ?? 1)
        return lower...max(lower, kMax ?? clients)
    }
}
