import Foundation
import Learning
import Market
import Strategies

/// Where a configuration's values came from, so a message names what the user wrote: the flag
/// (`--bid-window`), or the file and key (`exp.json: "bidWindowSeconds"`).
public struct ConfigurationSources: Sendable, Equatable {
    /// The `--config` file, if any.
    public var file: String?
    /// Keys the file set.
    public var fileKeys: Set<ExperimentConfiguration.Key>
    /// Keys set by flags (they override the file).
    public var flags: Set<ExperimentConfiguration.Key>

    public init(file: String? = nil, fileKeys: Set<ExperimentConfiguration.Key> = [], flags: Set<ExperimentConfiguration.Key> = []) {
        self.file = file
        self.fileKeys = fileKeys
        self.flags = flags
    }

    /// Every value named by its flag (defaults and flags alike).
    public static let commandLine = ConfigurationSources()

    /// Every value named by its key in `file` (how the roles see the run's config.json).
    public static func file(_ path: String) -> ConfigurationSources {
        ConfigurationSources(file: path, fileKeys: Set(ExperimentConfiguration.Key.allCases))
    }

    public func name(_ key: ExperimentConfiguration.Key) -> String {
        if !flags.contains(key), let file, fileKeys.contains(key) { return "\(file): \"\(key.rawValue)\"" }
        return key.flag
    }
}

/// Where the experiment runs, which decides how few updates a round may merge.
public enum ExperimentExecution: Sendable {
    /// `agentfl run`: after the round deadline the aggregator settles for ⌈quorum·K⌉ updates.
    case processes
    /// `agentfl simulate`: every selected client's update is merged.
    case inProcess
}

/// One bad value, with the message that names it.
public struct ConfigurationIssue: Sendable, Equatable, CustomStringConvertible {
    public var key: ExperimentConfiguration.Key
    public var message: String
    public var description: String { message }

    public init(key: ExperimentConfiguration.Key, message: String) {
        self.key = key
        self.message = message
    }
}

/// A configuration that cannot run, with every problem found (not only the first).
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var issues: [ConfigurationIssue]

    public init(issues: [ConfigurationIssue]) {
        self.issues = issues
    }

    public var description: String {
        issues.count == 1
            ? "invalid configuration: \(issues[0].message)"
            : "invalid configuration (\(issues.count) problems):\n" + issues.map { "  - \($0.message)" }.joined(separator: "\n")
    }
}

extension ExperimentConfiguration {
    /// The names each enumerated field accepts.
    public enum Known {
        public static let datasets = DatasetName.allCases.map(\.rawValue)
        public static let models = ModelArchitecture.allCases.map(\.rawValue)
        public static let privacyMechanisms = ["dp-sgd", "client-dp"]
        public static let initializations = WeightInitialization.allCases.map(\.rawValue)
        public static let partitions = PartitionError.schemeNames
        public static let optimizers = ["sgd", "adam"]
        /// `fedprox` is FedAvg's averaging (FedProx's difference is `--mu`); `multi-krum` is Krum with `--krum-m`.
        public static let aggregations = ["fedavg", "fedprox", "median", "trimmed-mean", "krum", "multi-krum"]
        public static let policies = StrategyCatalog.policies
        public static let kAgents = StrategyCatalog.kAgents
    }

    /// The fewest updates a round may merge: all K in one process; in `run`, the quorum the
    /// aggregator settles for after the deadline (as AggregatorRole computes it).
    public func smallestMergedRound(_ execution: ExperimentExecution) -> Int {
        let smallestK = kRange.lowerBound
        return switch execution {
        case .inProcess: smallestK
        case .processes: max(1, Int((quorum * Double(smallestK)).rounded(.up)))
        }
    }

    /// The K a round may take: `k` with the fixed K-Agent, else the bounds.
    public var kRange: ClosedRange<Int> { kAgent == "fixed" ? k...k : kBounds }

    /// Checks every value on its own and against the others, without touching the disk; throws
    /// ``ConfigurationError`` with every problem found, each naming its flag or file key.
    public func validate(sources: ConfigurationSources = .commandLine, execution: ExperimentExecution = .processes) throws {
        let issues = problems(sources: sources, execution: execution)
        if !issues.isEmpty { throw ConfigurationError(issues: issues) }
    }

    /// ``validate(sources:execution:)``, then what needs the data, cheaply and before any process
    /// or broker starts: the dataset's files exist, are readable, hold samples and have valid
    /// headers; the model fits the data; and the partition of the training labels meets its
    /// minimum (it is computed once from the labels alone, exactly as every role will).
    public func preflight(sources: ConfigurationSources = .commandLine, execution: ExperimentExecution = .processes) throws {
        var issues = problems(sources: sources, execution: execution)
        let badKeys = Set(issues.map(\.key))
        func add(_ key: Key, _ message: String) { issues.append(ConfigurationIssue(key: key, message: message)) }
        let dataOK = !badKeys.contains(.dataset)
        var summary: DatasetSummary?
        if dataOK, let name = DatasetName(rawValue: dataset) {
            let directory = dataDirectory.map { URL(fileURLWithPath: $0) }
            do {
                summary = try DatasetLoader.inspect(name, directory: directory)
            } catch {
                var hint = ""
                switch error {
                case .fileNotFound, .directoryNotFound:
                    if dataDirectory == nil { hint = " (give the dataset's folder with \(Key.dataDirectory.flag))" }
                default:
                    break
                }
                add(.dataDirectory, "\(sources.name(.dataDirectory)): \(error)\(hint)")
            }
            if let summary, issues.isEmpty {
                let configuration: SimulationConfiguration
                do {
                    configuration = try simulationConfiguration()
                } catch {
                    throw ConfigurationError(issues: issues + [ConfigurationIssue(key: .model, message: "\(error)")])
                }
                for width in Set(widths) {
                    do {
                        _ = try makeModel(configuration.architecture, inputShape: summary.sampleShape, classes: summary.classCount, width: width)
                    } catch {
                        add(.model, "\(sources.name(.model)) \(model) does not fit \(dataset) (samples \(summary.sampleShape)): \(error)")
                    }
                }
                do {
                    var labels = try DatasetLoader.trainingLabels(name, directory: directory)
                    if let trainLimit, trainLimit < labels.count { labels = Array(labels.prefix(trainLimit)) }
                    _ = try FederatedTask.partition(configuration, labels: labels, classCount: summary.classCount)
                } catch let error as PartitionError {
                    add(.partition, "\(sources.name(.partition)) \(partition) with \(sources.name(.clients)) \(clients): \(error)")
                } catch {
                    add(.dataDirectory, "\(sources.name(.dataDirectory)): \(error)")
                }
            }
        }
        if !issues.isEmpty { throw ConfigurationError(issues: issues) }
    }

    /// Every problem of the values themselves, in field order.
    public func problems(sources: ConfigurationSources = .commandLine, execution: ExperimentExecution = .processes) -> [ConfigurationIssue] {
        var issues: [ConfigurationIssue] = []
        func n(_ key: Key) -> String { sources.name(key) }
        func fail(_ key: Key, _ message: String) { issues.append(ConfigurationIssue(key: key, message: message)) }
        func known(_ key: Key, _ value: String, _ names: [String]) {
            if !names.contains(value) {
                fail(key, "\(n(key)) must be one of \(names.joined(separator: ", ")) (got \"\(value)\")")
            }
        }
        /// `-1` rather than `-1.0`: the value as the user most likely wrote it.
        func show(_ value: Double) -> String {
            value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
        }
        func atLeast(_ key: Key, _ value: Int, _ minimum: Int) {
            if value < minimum { fail(key, "\(n(key)) must be at least \(minimum) (got \(value))") }
        }
        func positive(_ key: Key, _ value: Double) {
            if !(value > 0 && value.isFinite && Float(value).isFinite) { fail(key, "\(n(key)) must be > 0 (got \(show(value)))") }
        }
        func nonNegative(_ key: Key, _ value: Double) {
            if !(value >= 0 && value.isFinite && Float(value).isFinite) { fail(key, "\(n(key)) must be ≥ 0 (got \(show(value)))") }
        }

        if runID.isEmpty || runID.count > 200 || runID.contains(where: { $0.isWhitespace || !$0.isASCII || $0 == "/" }) {
            fail(.runID, "\(n(.runID)) must be 1 to 200 ASCII characters without spaces or '/' (got \"\(runID)\")")
        }
        known(.dataset, dataset, Known.datasets)
        if let dataDirectory, dataDirectory.isEmpty { fail(.dataDirectory, "\(n(.dataDirectory)) must not be empty") }
        if let trainLimit { atLeast(.trainLimit, trainLimit, 1) }
        if let testLimit { atLeast(.testLimit, testLimit, 1) }
        known(.partition, partition, Known.partitions)
        positive(.alpha, alpha)
        atLeast(.shardsPerClient, shardsPerClient, 1)
        atLeast(.clients, clients, 1)
        if k < 1 || k > clients {
            fail(.k, "\(n(.k)) must be between 1 and \(n(.clients)) = \(clients) (got \(k))")
        }
        atLeast(.rounds, rounds, 1)
        atLeast(.localEpochs, localEpochs, 1)
        atLeast(.batchSize, batchSize, 1)
        positive(.learningRate, learningRate)
        known(.optimizer, optimizer, Known.optimizers)
        if !(momentum >= 0 && momentum < 1) {
            fail(.momentum, "\(n(.momentum)) must be in [0, 1) (got \(show(momentum)))")
        } else if optimizer == "adam" && momentum != 0 {
            fail(.momentum, "\(n(.momentum)) applies to sgd only; \(n(.optimizer)) adam has its own moments (got \(show(momentum)))")
        }
        nonNegative(.weightDecay, weightDecay)
        nonNegative(.proximalMu, proximalMu)
        if let clipNorm { positive(.clipNorm, clipNorm) }
        if let privacy {
            known(.privacy, privacy, Known.privacyMechanisms)
            positive(.dpNoiseMultiplier, dpNoiseMultiplier)
            positive(.dpClipNorm, dpClipNorm)
            if let dpSampleRate, !(dpSampleRate > 0 && dpSampleRate <= 1) {
                fail(.dpSampleRate, "\(n(.dpSampleRate)) must be in (0, 1] (got \(show(dpSampleRate)))")
            }
            positive(.dpEpsilon, dpEpsilon)
            if !(dpDelta > 0 && dpDelta < 1) { fail(.dpDelta, "\(n(.dpDelta)) must be in (0, 1) (got \(show(dpDelta)))") }
            if clipNorm != nil, privacy == "dp-sgd" {
                fail(.clipNorm, "\(n(.clipNorm)) and \(n(.privacy)) dp-sgd both clip per example: give only \(n(.dpClipNorm))")
            }
        }
        known(.model, model, Known.models)
        if widths.isEmpty {
            fail(.widths, "\(n(.widths)) needs at least one width")
        } else if let bad = widths.first(where: { !($0 > 0 && $0 <= 1) }) {
            fail(.widths, "\(n(.widths)) values must be in (0, 1] (got \(show(bad)))")
        }
        known(.initialization, initialization, Known.initializations)
        known(.aggregation, aggregation, Known.aggregations)
        if !(trimFraction >= 0 && trimFraction < 0.5) {
            fail(.trimFraction, "\(n(.trimFraction)) must be in [0, 0.5) (got \(show(trimFraction)))")
        }
        atLeast(.krumByzantine, krumByzantine, 0)
        atLeast(.krumSelected, krumSelected, 1)
        if widths.contains(where: { $0 != 1 }), !["fedavg", "fedprox"].contains(aggregation) {
            fail(.aggregation, "\(n(.aggregation)) \(aggregation) needs equal widths: mixed \(n(.widths)) aggregate with HeteroFL averaging (use fedavg)")
        }
        for (key, ids) in [(Key.mislabeledClients, mislabeledClients), (.tinyClients, tinyClients)] {
            if let bad = ids.first(where: { !(0..<clients).contains($0) }) {
                fail(key, "\(n(key)) names client \(bad), but the clients are 0…\(clients - 1)")
            }
        }
        atLeast(.tinySamples, tinySamples, 1)
        if let population {
            do {
                _ = try population.resolve(clients: clients)
            } catch {
                fail(.population, "\(n(.population)): \(error.problem)")
            }
        }
        if let delay, DelaySchedule(parsing: delay) == nil {
            fail(.delay, "\(n(.delay)) takes FRACTION:FROM-TO:FACTOR, e.g. 0.2:11-15:5 (fraction in (0, 1], 1 ≤ FROM ≤ TO, factor ≥ 1; got \(delay.debugDescription))")
        }
        known(.policy, policy, Known.policies)
        known(.kAgent, kAgent, Known.kAgents)
        if let kMin { atLeast(.kMin, kMin, 1) }
        if let kMax { atLeast(.kMax, kMax, 1) }
        if let kMin, let kMax, kMin > kMax { fail(.kMax, "\(n(.kMax)) \(kMax) is below \(n(.kMin)) \(kMin)") }
        if let kMax, kMax > clients { fail(.kMax, "\(n(.kMax)) \(kMax) exceeds \(n(.clients)) \(clients)") }
        if let llmURL {
            if let url = URL(string: llmURL), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil {
            } else {
                fail(.llmURL, "\(n(.llmURL)) must be an http or https URL (got \(llmURL.debugDescription))")
            }
        }
        do { try strategyParameters.validate() } catch { fail(.strategyParameters, "\(error)") }
        positive(.llmTimeoutSeconds, llmTimeoutSeconds)
        atLeast(.llmMaxTokens, llmMaxTokens, 16)
        if !(llmTemperature >= 0 && llmTemperature <= 2) {
            fail(.llmTemperature, "\(n(.llmTemperature)) must be in [0, 2] (got \(show(llmTemperature)))")
        }
        // A zero budget could pay no one whose ask is above nothing.
        positive(.budget, budget)
        do { _ = try BidStrategyCatalog.parse(bidStrategy) } catch { fail(.bidStrategy, "\(n(.bidStrategy)): \(error)") }
        do { _ = try negotiationMechanism() } catch { fail(.negotiation, error.issues.first?.message ?? "\(error)") }
        positive(.offerWindowSeconds, offerWindowSeconds)
        for (key, price) in costModelFields { nonNegative(key, price) }
        positive(.bidWindowSeconds, bidWindowSeconds)
        positive(.startupTimeoutSeconds, startupTimeoutSeconds)
        positive(.roundTimeoutSeconds, roundTimeoutSeconds)
        if !(quorum > 0 && quorum <= 1) { fail(.quorum, "\(n(.quorum)) must be in (0, 1] (got \(show(quorum)))") }

        // The rule against the rounds it will meet, once its own parameters and K are sound.
        let ruleKeys: Set<Key> = [.aggregation, .trimFraction, .krumByzantine, .krumSelected, .k, .kMin, .kMax, .clients, .quorum]
        if issues.allSatisfy({ !ruleKeys.contains($0.key) }),
           let rule = try? AggregationChoice.parse(aggregation, trim: trimFraction, krumF: krumByzantine, krumM: krumSelected) {
            let smallest = smallestMergedRound(execution)
            if let violation = rule.violation(mergingAtLeast: smallest, atMost: kRange.upperBound) {
                let context = execution == .processes && smallest < k
                    ? "with \(n(.k)) \(k) and \(n(.quorum)) \(quorum) a round may merge ⌈\(quorum)·\(k)⌉ = \(smallest) updates"
                    : "with \(n(.k)) \(k) a round merges \(smallest) updates"
                let remedy: String
                switch violation {
                case .tooFewUpdates: remedy = "raise \(n(.k))" + (execution == .processes ? " or \(n(.quorum))" : "") + " or lower \(n(rule.name == "trimmed-mean" ? .trimFraction : .krumByzantine))"
                case .tooManySelected: remedy = "lower \(n(.krumSelected))"
                case .invalidParameter: remedy = "fix the rule's parameters"
                }
                fail(.aggregation, "\(n(.aggregation)) \(aggregation): \(violation); \(context): \(remedy)")
            }
        }
        return issues
    }
}
