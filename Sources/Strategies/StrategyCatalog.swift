import Foundation
import LLMClient

/// The brains `--policy` and `--k-agent` name, and how to build the strategy a run uses.
public enum StrategyCatalog {
    /// Selection brains.
    public static let policies = ["random", "oort", "poc", "coverage", "llm"]
    /// K-Agents.
    public static let kAgents = ["fixed", "tool", "llm"]

    /// Whether `policy` with `kAgent` needs a model server.
    public static func needsLLM(policy: String, kAgent: String) -> Bool {
        policy == "llm" || kAgent == "llm"
    }

    /// The tool brains an LLM selector works through, its fallback (Oort) first.
    public static func tools(_ parameters: StrategyParameters) throws(StrategyError) -> [AnyClientSelector] {
        [
            AnyClientSelector(try OortSelector(parameters: parameters.oort)),
            AnyClientSelector(try PowerOfChoiceSelector(parameters: parameters.poc)),
            AnyClientSelector(try CoverageSelector(parameters: parameters.coverage)),
            AnyClientSelector(RandomSelector()),
        ]
    }

    /// The strategy for `policy` with `kAgent`, as a runner holding its initial state. `llm` is the
    /// model an LLM brain calls (required when ``needsLLM(policy:kAgent:)``).
    public static func make(
        policy: String, kAgent: String, configuredK: Int, parameters: StrategyParameters = StrategyParameters(),
        llm: LLMBinding? = nil
    ) throws(StrategyError) -> StrategyRunner {
        switch kAgent {
        case "fixed": return try make(policy: policy, k: FixedK(configuredK), parameters: parameters, llm: llm)
        case "tool": return try make(policy: policy, k: try ToolKAgent(parameters: parameters.kTool), parameters: parameters, llm: llm)
        case "llm":
            let binding = try required(llm, for: "--k-agent llm")
            // The rule-based K-Agent is the fallback, and what the model is told it suggests.
            return try make(policy: policy, k: LLMKAgent(
                fallback: try ToolKAgent(parameters: parameters.kTool), client: binding.client, settings: binding.settings,
                endpoint: binding.endpoint), parameters: parameters, llm: llm)
        default: throw .invalidConfiguration("unknown K-Agent \(kAgent); known: \(kAgents.joined(separator: ", "))")
        }
    }

    private static func make(policy: String, k: some KAgent, parameters: StrategyParameters, llm: LLMBinding?) throws(StrategyError) -> StrategyRunner {
        switch policy {
        case "random": return StrategyRunner(ComposedStrategy(kAgent: k, selector: RandomSelector()))
        case "oort": return StrategyRunner(ComposedStrategy(kAgent: k, selector: try OortSelector(parameters: parameters.oort)))
        case "poc": return StrategyRunner(ComposedStrategy(kAgent: k, selector: try PowerOfChoiceSelector(parameters: parameters.poc)))
        case "coverage": return StrategyRunner(ComposedStrategy(kAgent: k, selector: try CoverageSelector(parameters: parameters.coverage)))
        case "llm":
            let binding = try required(llm, for: "--policy llm")
            return StrategyRunner(ComposedStrategy(kAgent: k, selector: LLMSelector(
                tools: try tools(parameters), client: binding.client, settings: binding.settings, endpoint: binding.endpoint)))
        default: throw .invalidConfiguration("unknown selection policy \(policy); known: \(policies.joined(separator: ", "))")
        }
    }

    private static func required(_ binding: LLMBinding?, for use: String) throws(StrategyError) -> LLMBinding {
        guard let binding else { throw .invalidConfiguration("\(use) needs a model server (--llm-url, or the local model)") }
        return binding
    }
}

/// The model an LLM brain calls: the client, the settings it is called with, and the endpoint as
/// decision records name it.
public struct LLMBinding: Sendable {
    public var client: any ChatCompleting
    public var settings: LLMSettings
    public var endpoint: String

    public init(client: any ChatCompleting, settings: LLMSettings, endpoint: String) {
        self.client = client
        self.settings = settings
        self.endpoint = endpoint
    }

    /// A libcurl client for `settings` at `baseURL`, with the API key from its environment variable.
    public static func http(baseURL: URL, settings: LLMSettings, environment: [String: String] = ProcessInfo.processInfo.environment) -> LLMBinding {
        let configuration = ChatCompletionConfiguration(
            baseURL: baseURL, model: settings.model, apiKey: APIKey(environmentVariable: settings.apiKeyVariable, environment: environment),
            connectTimeout: .milliseconds(Int64(min(settings.timeoutSeconds, 5) * 1000)),
            totalTimeout: .milliseconds(Int64(settings.timeoutSeconds * 1000)),
            maxTokens: settings.maxTokens, temperature: settings.temperature, seed: settings.seed)
        return LLMBinding(
            client: ChatCompletionClient(configuration: configuration), settings: settings,
            endpoint: configuration.chatCompletionsURL.redactedForDisplay)
    }
}
