import Agents
import ArgumentParser
import Foundation
import Strategies

/// The experiment's flags, one set for `run` and `simulate` (the roles take the run's
/// `--config` file only). Numeric flags take their value unconditionally, so `--bid-window -1`
/// reaches validation (and its message) instead of reading as an unknown flag. Each flag overrides the configuration file (`--config`), which
/// overrides the defaults; every flag maps to one ``ExperimentConfiguration/Key``.
struct ExperimentOptions: ParsableArguments {
    @Option(help: "A configuration file (JSON, as `agentfl run` writes to OUT/config.json); unknown keys are an error.")
    var config: String?
    @Flag(help: "Check the configuration, the dataset's files and the partition, print the effective configuration as JSON, and exit.")
    var check = false

    @Option(help: "fashion-mnist | mnist | cifar10") var dataset: String?
    @Option(name: .customLong("data-dir"), help: "Folder with the dataset's files (default: Debian's Fashion-MNIST).")
    var dataDirectory: String?
    @Option(name: .customLong("train-limit"), parsing: .unconditional, help: "Use only the first N training samples.") var trainLimit: Int?
    @Option(name: .customLong("test-limit"), parsing: .unconditional, help: "Use only the first N test samples.") var testLimit: Int?
    @Option(help: "iid | dirichlet (NIID-Bench's, balanced sizes) | dirichlet-unbalanced (Flower's default) | shards | quantity")
    var partition: String?
    @Option(parsing: .unconditional, help: "Dirichlet concentration α (dirichlet and quantity partitions).") var alpha: Double?
    @Option(name: .customLong("shards-per-client"), parsing: .unconditional, help: "Shards per client (shards partition).") var shardsPerClient: Int?
    @Option(parsing: .unconditional, help: "Number of clients N.") var clients: Int?
    @Option(name: .customLong("k"), parsing: .unconditional, help: "Clients per round K.") var k: Int?
    @Option(parsing: .unconditional, help: "Rounds.") var rounds: Int?
    @Option(parsing: .unconditional, help: "Run seed.") var seed: UInt64?
    @Option(name: .customLong("local-epochs"), parsing: .unconditional, help: "Local epochs per round.") var localEpochs: Int?
    @Option(name: .customLong("batch"), parsing: .unconditional, help: "Local mini-batch size.") var batchSize: Int?
    @Option(name: .customLong("lr"), parsing: .unconditional, help: "Learning rate.") var learningRate: Double?
    @Option(help: "sgd | adam") var optimizer: String?
    @Option(parsing: .unconditional, help: "SGD momentum, in [0, 1).") var momentum: Double?
    @Option(name: .customLong("weight-decay"), parsing: .unconditional, help: "L2 weight decay.") var weightDecay: Double?
    @Option(name: .customLong("mu"), parsing: .unconditional, help: "FedProx proximal coefficient μ (0: FedAvg).") var proximalMu: Double?
    @Option(name: .customLong("clip-norm"), parsing: .unconditional, help: "Per-example gradient clipping norm (off by default).") var clipNorm: Double?
    @Option(name: .customLong("dp"), help: ArgumentHelp(
        "Differential privacy each guardian applies to its own client: dp-sgd | client-dp (off by default).",
        discussion: """
            dp-sgd: every local step Poisson-samples its batch (each sample independently with rate q, as Opacus does, \
            so the accountant's subsampled-Gaussian analysis holds), clips each example's gradient to --dp-clip and adds \
            N(0, (σ·C)²) to their sum. client-dp: the update's change from the global model is clipped to --dp-clip and \
            noised once per round. An RDP accountant tracks each client's ε; a guardian never trains a round that would take \
            it past --dp-epsilon and declines with the reason "privacy budget" instead. The noise comes from the guardian's \
            private seed file (--dp-seed-file), never from the public run seed.
            """)) var privacy: String?
    @Option(name: .customLong("dp-noise"), parsing: .unconditional, help: "DP noise multiplier σ (default 1).") var dpNoise: Double?
    @Option(name: .customLong("dp-clip"), parsing: .unconditional, help: "DP clipping norm C (default 1).") var dpClip: Double?
    @Option(name: .customLong("dp-sample-rate"), parsing: .unconditional, help: "DP-SGD Poisson sampling rate q (default: batch ÷ the client's samples).") var dpSampleRate: Double?
    @Option(name: .customLong("dp-epsilon"), parsing: .unconditional, help: "Every client's privacy budget ε for the run (default 8).") var dpEpsilon: Double?
    @Option(name: .customLong("dp-delta"), parsing: .unconditional, help: "The budget's δ (default 1e-5).") var dpDelta: Double?
    @Option(help: "mlp | cnn | cifar-cnn | paper-cnn (the source paper's MNIST CNN) | lenet (its CIFAR-10 LeNet-5)") var model: String?
    @Option(parsing: .unconditional, help: "Width multiplier(s) in (0, 1], comma-separated, assigned to clients round-robin (HeteroFL), e.g. 1,0.5,0.25.")
    var width: String?
    @Option(name: .customLong("init"), help: "Weight initialization: he | pytorch (PyTorch's default for Linear and Conv2d).")
    var initialization: String?
    @Option(help: "fedavg | median | trimmed-mean | krum | multi-krum") var aggregation: String?
    @Option(parsing: .unconditional, help: "Trimmed mean: fraction trimmed from each side, in [0, 0.5).") var trim: Double?
    @Option(name: .customLong("krum-f"), parsing: .unconditional, help: "Krum: Byzantine clients tolerated (needs every round to merge ≥ 2f+3 updates).")
    var krumF: Int?
    @Option(name: .customLong("krum-m"), parsing: .unconditional, help: "Multi-Krum: updates averaged (1: Krum).") var krumM: Int?
    @Option(name: .customLong("mislabeled-clients"), help: "Clients whose shards get random labels, on purpose (e.g. 0-9,42): useless clients a brain should avoid.")
    var mislabeledClients: String?
    @Option(name: .customLong("tiny-clients"), help: "Clients cut to --tiny-samples samples, on purpose (e.g. 10-19).") var tinyClients: String?
    @Option(name: .customLong("tiny-samples"), parsing: .unconditional, help: "Samples a tiny client keeps (default 10).") var tinySamples: Int?
    @Option(help: "Delayed clients, FRACTION:FROM-TO:FACTOR (e.g. 0.2:11-15:5): that fraction of the clients (a seeded draw) takes FACTOR times as long to train, for real, in those rounds.")
    var delay: String?
    @Option(name: .customLong("population"), help: """
        A population file (JSON): device tiers (samplesPerSecond, memoryMiB, bandwidthMbps, availability, \
        offlineRounds; built in: \(DeviceTier.builtIn.keys.sorted().joined(separator: ", "))) and groups of clients \
        ("clients": "0-9,42") each given a tier, dpEpsilon, bidStrategy or data (mislabeled | tiny). A client of a tier \
        bids the tier's speed, trains the widest --width that fits its memory and 80% of --round-timeout, takes as \
        long as the tier says in real time, and is offline in some rounds.
        """)
    var population: String?
    @Option(help: "Selection brain: \(StrategyCatalog.policies.joined(separator: " | ")).") var policy: String?
    @Option(name: .customLong("k-agent"), help: "K-Agent: \(StrategyCatalog.kAgents.joined(separator: " | ")) (fixed: --k every round).")
    var kAgent: String?
    @Flag(name: .customLong("first-round-all"), help: "Round 1 takes every client that bid, whatever the K-Agent says (the source paper's setting).")
    var firstRoundAll = false
    @Option(name: .customLong("k-min"), parsing: .unconditional, help: "Smallest K a K-Agent may choose (default 1).") var kMin: Int?
    @Option(name: .customLong("k-max"), parsing: .unconditional, help: "Largest K a K-Agent may choose (default: --clients).") var kMax: Int?
    @Option(name: .customLong("poc-d"), parsing: .unconditional, help: "Power-of-Choice: candidates drawn before the K highest-loss are kept (default 2K); the same as --strategy-param poc.d=N.")
    var pocD: Int?
    @Option(name: .customLong("strategy-param"), parsing: .singleValue,
            help: ArgumentHelp("A tool brain's hyperparameter, BRAIN.NAME=VALUE (repeatable). Every name with its default:\n" + StrategyParameters.helpText, valueName: "brain.name=value"))
    var strategyParams: [String] = []
    @Option(name: .customLong("llm-url"), help: "LLM brains: an OpenAI-compatible server (llama.cpp, vLLM, Ollama, OpenAI); default: start the cached local llama-server with SmolLM2-135M-Instruct.")
    var llmURL: String?
    @Option(name: .customLong("llm-model"), help: "LLM brains: the model name sent to the server.") var llmModel: String?
    @Option(name: .customLong("llm-api-key-env"), help: "LLM brains: the environment variable holding the API key (default AGENTFL_LLM_API_KEY).")
    var llmAPIKeyVariable: String?
    @Option(name: .customLong("llm-timeout"), parsing: .unconditional, help: "LLM brains: seconds one call may take (a slower answer is a guardrail failure).")
    var llmTimeout: Double?
    @Option(name: .customLong("llm-max-tokens"), parsing: .unconditional, help: "LLM brains: the most tokens an answer may have.") var llmMaxTokens: Int?
    @Option(name: .customLong("llm-temperature"), parsing: .unconditional, help: "LLM brains: sampling temperature (default 0: answers repeat).")
    var llmTemperature: Double?
    @Option(name: .customLong("llm-seed"), parsing: .unconditional, help: "LLM brains: the sampling seed sent with every call.") var llmSeed: Int?
    @Option(parsing: .unconditional, help: "Money the server may pay per round (reverse auction).") var budget: Double?
    @Option(name: .customLong("bid-strategy"), help: ArgumentHelp(
        "How every guardian prices its clients' work: truthful | margin:M | adaptive:MIN-MAX:STEP[:START] (default truthful).",
        discussion: """
            truthful asks the round's cost; margin:M asks cost × M (M ≥ 1); adaptive starts at margin MIN (or START) and \
            multiplies it by 1 + STEP after each round the client won, divides it after each it lost, within [MIN, MAX]. \
            The cost is the --price-* cost model's: compute seconds, energy, bytes moved and ε spent.
            """)) var bidStrategy: String?
    @Option(name: .customLong("negotiation"), help: ArgumentHelp(
        "After the auction: none | posted-price | posted-price:P (default none).",
        discussion: """
            posted-price offers the places the auction left unfilled (K minus its winners) to its losers, cheapest ask \
            first, at the budget it left shared over those places (posted-price:P: at P), as many as fit the budget if \
            all accepted. Each offer and answer is a signed message; a guardian accepts iff the price covers its \
            client's cost. Offers unanswered within --offer-window lapse.
            """)) var negotiation: String?
    @Option(name: .customLong("offer-window"), parsing: .unconditional, help: "Seconds the server waits for answers to its offers (default 1).")
    var offerWindow: Double?
    @Option(name: .customLong("price-per-second"), parsing: .unconditional, help: "Cost model: price of one second of local training (default 1).")
    var pricePerSecond: Double?
    @Option(name: .customLong("power-watts"), parsing: .unconditional, help: "Cost model: a client's power draw while training, in watts (default 10).")
    var powerWatts: Double?
    @Option(name: .customLong("price-per-joule"), parsing: .unconditional, help: "Cost model: price of one joule (default 0.001).")
    var pricePerJoule: Double?
    @Option(name: .customLong("price-per-byte"), parsing: .unconditional, help: "Cost model: price of one byte moved, model down and update up (default 1e-7).")
    var pricePerByte: Double?
    @Option(name: .customLong("price-per-epsilon"), parsing: .unconditional, help: "Cost model: price of one unit of DP ε spent (default 1).")
    var pricePerEpsilon: Double?
    @Option(name: .customLong("fixed-cost"), parsing: .unconditional, help: "Cost model: fixed cost of taking part in a round (default 0).")
    var fixedCost: Double?
    @Option(name: .customLong("bid-window"), parsing: .unconditional, help: "run: seconds the server waits for bids.") var bidWindow: Double?
    @Option(name: .customLong("startup-timeout"), parsing: .unconditional, help: "run: seconds the server waits for every guardian to be ready.")
    var startupTimeout: Double?
    @Option(name: .customLong("round-timeout"), parsing: .unconditional, help: "run: seconds the aggregator waits for updates before settling for a quorum.")
    var roundTimeout: Double?
    @Option(parsing: .unconditional, help: "run: fraction of the assigned updates that makes a round valid after its deadline, in (0, 1].") var quorum: Double?
    @Option(name: .customLong("run-id"), help: "run: the run's id (default: random).") var runID: String?

    /// The configuration file's values overridden by the flags, and where each came from.
    /// The configuration from `base` (the defaults, or a preset), then the file, then the flags.
    func resolve(base: ExperimentConfiguration = ExperimentConfiguration()) throws -> (configuration: ExperimentConfiguration, sources: ConfigurationSources) {
        typealias Key = ExperimentConfiguration.Key
        var c = base
        var sources = ConfigurationSources()
        if let config {
            let loaded = try ExperimentConfiguration.loadWithKeys(from: URL(fileURLWithPath: config))
            c = loaded.configuration
            sources.file = config
            sources.fileKeys = loaded.keys
        }
        var issues: [ConfigurationIssue] = []
        func set<T>(_ value: T?, _ key: Key, _ path: WritableKeyPath<ExperimentConfiguration, T>) {
            guard let value else { return }
            c[keyPath: path] = value
            sources.flags.insert(key)
        }
        func setOptional<T>(_ value: T?, _ key: Key, _ path: WritableKeyPath<ExperimentConfiguration, T?>) {
            guard let value else { return }
            c[keyPath: path] = value
            sources.flags.insert(key)
        }
        set(runID, .runID, \.runID)
        set(dataset, .dataset, \.dataset)
        setOptional(dataDirectory, .dataDirectory, \.dataDirectory)
        setOptional(trainLimit, .trainLimit, \.trainLimit)
        setOptional(testLimit, .testLimit, \.testLimit)
        set(partition, .partition, \.partition)
        set(alpha, .alpha, \.alpha)
        set(shardsPerClient, .shardsPerClient, \.shardsPerClient)
        set(clients, .clients, \.clients)
        set(k, .k, \.k)
        set(rounds, .rounds, \.rounds)
        set(seed, .seed, \.seed)
        set(localEpochs, .localEpochs, \.localEpochs)
        set(batchSize, .batchSize, \.batchSize)
        set(learningRate, .learningRate, \.learningRate)
        set(optimizer, .optimizer, \.optimizer)
        set(momentum, .momentum, \.momentum)
        set(weightDecay, .weightDecay, \.weightDecay)
        set(proximalMu, .proximalMu, \.proximalMu)
        setOptional(clipNorm, .clipNorm, \.clipNorm)
        setOptional(privacy, .privacy, \.privacy)
        set(dpNoise, .dpNoiseMultiplier, \.dpNoiseMultiplier)
        set(dpClip, .dpClipNorm, \.dpClipNorm)
        setOptional(dpSampleRate, .dpSampleRate, \.dpSampleRate)
        set(dpEpsilon, .dpEpsilon, \.dpEpsilon)
        set(dpDelta, .dpDelta, \.dpDelta)
        set(model, .model, \.model)
        if let width {
            let parts = width.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let values = parts.compactMap(Double.init)
            if parts.isEmpty || values.count != parts.count {
                issues.append(ConfigurationIssue(key: .widths, message: "--width must be comma-separated numbers in (0, 1] (got \"\(width)\")"))
            } else {
                set(values, .widths, \.widths)
            }
        }
        set(initialization, .initialization, \.initialization)
        set(aggregation, .aggregation, \.aggregation)
        set(trim, .trimFraction, \.trimFraction)
        set(krumF, .krumByzantine, \.krumByzantine)
        set(krumM, .krumSelected, \.krumSelected)
        for (text, key, path) in [(mislabeledClients, Key.mislabeledClients, \ExperimentConfiguration.mislabeledClients), (tinyClients, .tinyClients, \.tinyClients)] {
            guard let text else { continue }
            if let ids = ClientIDList.parse(text) {
                set(ids, key, path)
            } else {
                issues.append(ConfigurationIssue(key: key, message: "\(key.flag) takes client ids and ranges such as 0-9,42 (got \(text.debugDescription))"))
            }
        }
        set(tinySamples, .tinySamples, \.tinySamples)
        setOptional(delay, .delay, \.delay)
        if let population {
            do {
                setOptional(try PopulationSpec.load(from: URL(fileURLWithPath: population)), .population, \.population)
            } catch {
                issues.append(ConfigurationIssue(key: .population, message: "\(Key.population.flag): \(error)"))
            }
        }
        set(policy, .policy, \.policy)
        set(kAgent, .kAgent, \.kAgent)
        if firstRoundAll { set(true, .firstRoundTakesAll, \.firstRoundTakesAll) }
        setOptional(kMin, .kMin, \.kMin)
        setOptional(kMax, .kMax, \.kMax)
        if let pocD {
            c.strategyParameters.poc.d = pocD
            sources.flags.insert(.strategyParameters)
        }
        for assignment in strategyParams {
            do {
                try c.strategyParameters.set(assignment)
                sources.flags.insert(.strategyParameters)
            } catch {
                issues.append(ConfigurationIssue(key: .strategyParameters, message: "\(error)"))
            }
        }
        setOptional(llmURL, .llmURL, \.llmURL)
        set(llmModel, .llmModel, \.llmModel)
        set(llmAPIKeyVariable, .llmAPIKeyVariable, \.llmAPIKeyVariable)
        set(llmTimeout, .llmTimeoutSeconds, \.llmTimeoutSeconds)
        set(llmMaxTokens, .llmMaxTokens, \.llmMaxTokens)
        set(llmTemperature, .llmTemperature, \.llmTemperature)
        set(llmSeed, .llmSeed, \.llmSeed)
        set(budget, .budget, \.budget)
        set(bidStrategy, .bidStrategy, \.bidStrategy)
        set(negotiation, .negotiation, \.negotiation)
        set(offerWindow, .offerWindowSeconds, \.offerWindowSeconds)
        set(pricePerSecond, .pricePerSecond, \.pricePerSecond)
        set(powerWatts, .powerWatts, \.powerWatts)
        set(pricePerJoule, .pricePerJoule, \.pricePerJoule)
        set(pricePerByte, .pricePerByte, \.pricePerByte)
        set(pricePerEpsilon, .pricePerEpsilon, \.pricePerEpsilon)
        set(fixedCost, .fixedCost, \.fixedCost)
        set(bidWindow, .bidWindowSeconds, \.bidWindowSeconds)
        set(startupTimeout, .startupTimeoutSeconds, \.startupTimeoutSeconds)
        set(roundTimeout, .roundTimeoutSeconds, \.roundTimeoutSeconds)
        set(quorum, .quorum, \.quorum)
        if !issues.isEmpty {
            // Report the flag's own problem together with the others.
            throw ConfigurationError(issues: issues + c.problems(sources: sources).filter { $0.key != .widths })
        }
        return (c, sources)
    }

    /// The resolved configuration after the complete check (``ExperimentConfiguration/preflight(sources:execution:)``),
    /// before anything starts. `adjust` changes it first (e.g. a fresh run id). With `--check`
    /// it prints the configuration and exits 0; a bad configuration prints every problem to
    /// stderr and exits 64 (usage error), as ArgumentParser does for a malformed flag.
    func prepared(
        for execution: ExperimentExecution, base: ExperimentConfiguration = ExperimentConfiguration(),
        adjust: (inout ExperimentConfiguration) -> Void = { _ in }
    ) throws -> ExperimentConfiguration {
        do {
            var (configuration, sources) = try resolve(base: base)
            adjust(&configuration)
            try configuration.preflight(sources: sources, execution: execution)
            if check {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                throw CleanExit.message(String(decoding: try encoder.encode(configuration), as: UTF8.self))
            }
            return configuration
        } catch let error as ConfigurationError {
            throw Self.usageFailure("\(error)")
        } catch let error as ConfigurationFileError {
            throw Self.usageFailure("\(error)")
        }
    }

    static func usageFailure(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode.validationFailure
    }
}
