import Foundation
import LLMClient
import WireProtocol

/// Selection by a language model that works through tools, as the source paper's agent does: each
/// round every tool brain (Oort, Power-of-Choice, coverage, random…) plans, the model sees a short
/// summary of the round and of what each tool would pick, and answers in a JSON schema which tool
/// to follow and at most a few client ids to include or exclude. The prompt's size does not grow
/// with the number of clients; a compact memory of the last rounds replaces the conversation.
///
/// Guardrails check every answer: it parses against the schema, names a known tool, and its ids are
/// clients that bid this round, each at most once. A refused or failed answer (timeout, HTTP error)
/// is retried once with the reason; then the round falls back to the first tool. Every call and
/// every refusal is recorded in the plan, so the decision record holds the prompt, the raw answer,
/// the tokens and what the guardrails did.
public struct LLMSelector: ClientSelector {
    public struct State: Codable, Sendable, Equatable {
        /// Each tool's state, by tool name (every tool plans and observes every round).
        public var tools: [String: Data]
        /// One line per recent round: which tool was followed and what came of it.
        public var memory: [String]
        /// Per client: the last loss seen and the round it last trained.
        public var lastLoss: [Int: Double]
        public var lastRound: [Int: Int]
        /// The tool followed in the round being planned, for the memory line its feedback writes.
        public var pendingTool: String?
    }

    public let tools: [AnyClientSelector]
    public let client: any ChatCompleting
    public let settings: LLMSettings
    public let endpoint: String
    /// How many rounds the memory keeps, and how many ids an answer may include or exclude.
    public let memoryRounds = 3
    public let maximumAdjustments = 2
    /// The longest reason the schema lets an answer give.
    static let reasonLength = 100

    public init(tools: [AnyClientSelector], client: any ChatCompleting, settings: LLMSettings, endpoint: String) {
        precondition(!tools.isEmpty, "an LLM selector needs at least one tool to fall back to")
        self.tools = tools
        self.client = client
        self.settings = settings
        self.endpoint = endpoint
    }

    public var descriptor: StrategyDescriptor {
        StrategyDescriptor(name: "llm", version: 1, parameters: [
            "model": .string(settings.model), "temperature": .number(settings.temperature), "seed": .exact(settings.seed),
            "max_tokens": .exact(settings.maxTokens), "max_calls": .exact(settings.maxCallsPerDecision),
            "tools": .array(tools.map { .string($0.name) }), "fallback": .string(tools[0].name),
            "memory_rounds": .exact(memoryRounds), "max_adjustments": .exact(maximumAdjustments),
        ])
    }

    public func initialState() -> State {
        State(tools: Dictionary(uniqueKeysWithValues: tools.map { ($0.name, $0.initialState()) }), memory: [], lastLoss: [:], lastRound: [:], pendingTool: nil)
    }

    /// The model's answer, as the schema has it. The tool's key is `choice` so that it comes first
    /// in the schema's (sorted) key order: the model picks the tool before it writes anything else.
    struct Answer: Decodable, Equatable {
        var tool: String
        var include: [Int]
        var exclude: [Int]
        var reason: String

        enum CodingKeys: String, CodingKey {
            case tool = "choice", include, exclude, reason
        }
    }

    /// The conversation the model is sent first for this round (what `select` sends): for
    /// measuring its size without calling the model.
    public func messages(_ context: PlanningContext, k: Int, state: State) async throws -> [ChatMessage] {
        let (previews, _) = try await preview(context, k: k, state: state)
        return conversation(context, k: k, previews: previews, state: state)
    }

    private func conversation(_ context: PlanningContext, k: Int, previews: [(name: String, selection: Selection)], state: State) -> [ChatMessage] {
        [.system(Self.systemPrompt), .user(prompt(context, k: k, previews: previews, state: state))]
    }

    /// Every tool's plan for the round, and the state with each tool's state after planning.
    private func preview(_ context: PlanningContext, k: Int, state: State) async throws -> ([(name: String, selection: Selection)], State) {
        var next = state
        var previews: [(name: String, selection: Selection)] = []
        for tool in tools {
            let (selection, toolState) = try await tool.select(context, k: k, state: state.tools[tool.name] ?? tool.initialState())
            previews.append((tool.name, selection))
            next.tools[tool.name] = toolState
        }
        return (previews, next)
    }

    public func select(_ context: PlanningContext, k: Int, state: State) async throws -> (Selection, State) {
        let (previews, planned) = try await preview(context, k: k, state: state)
        var next = planned
        let (decided, calls, events) = await LLMCall(client: client, settings: settings, endpoint: endpoint).decide(
            purpose: "selection", messages: conversation(context, k: k, previews: previews, state: state),
            schemaName: "selection", schema: schema, fallback: tools[0].name
        ) { validate($0, context: context) }
        if let answer = decided {
            let clients = apply(answer, k: k, previews: previews, context: context)
            next.pendingTool = answer.tool
            let adjustments = (answer.include.isEmpty ? "" : "; included \(answer.include)") + (answer.exclude.isEmpty ? "" : "; excluded \(answer.exclude)")
            return (Selection(
                clients: clients, rationale: "LLM followed \(answer.tool)\(adjustments): \(answer.reason.prefix(160))",
                externalCalls: calls, guardrails: events), next)
        }
        let fallback = previews[0]
        next.pendingTool = fallback.name
        return (Selection(
            clients: fallback.selection.clients, rationale: "LLM answer refused; fell back to \(fallback.name): \(fallback.selection.rationale)",
            externalCalls: calls, guardrails: events), next)
    }

    public func observe(_ feedback: RoundFeedback, state: State) -> State {
        var next = state
        for tool in tools {
            if let data = state.tools[tool.name], let folded = try? tool.observe(feedback, state: data) { next.tools[tool.name] = folded }
        }
        for outcome in feedback.outcomes {
            next.lastRound[outcome.clientID] = feedback.round
            if let loss = outcome.meanLoss { next.lastLoss[outcome.clientID] = loss }
        }
        let failed = feedback.outcomes.filter { $0.status != .merged }.count
        next.memory.append("round \(feedback.round): followed \(state.pendingTool ?? "?"), accuracy \(RoundSummary.number(feedback.testAccuracy)), \(failed) of \(feedback.outcomes.count) clients missing or excluded")
        next.memory = Array(next.memory.suffix(memoryRounds))
        next.pendingTool = nil
        return next
    }

    // MARK: - Prompt

    public static let systemPrompt = """
        You plan one round of federated learning: which clients train. Follow one of the selection tools, \
        and optionally include or exclude up to 2 clients by id from the notable list. Prefer tools whose picks \
        have high loss (more to learn) and few failures. Answer only with JSON that follows the schema.
        """

    func prompt(_ context: PlanningContext, k: Int, previews: [(name: String, selection: Selection)], state: State) -> String {
        var lines = RoundSummary.header(context)
        lines.append("This round takes K = \(k) clients.")
        let known = context.candidates.compactMap { state.lastLoss[$0.clientID] }.sorted()
        let never = context.candidates.filter { state.lastRound[$0.clientID] == nil }.count
        lines.append("Losses known for \(known.count) candidates: median \(RoundSummary.number(RoundSummary.quantile(known, 0.5))), 90th percentile \(RoundSummary.number(RoundSummary.quantile(known, 0.9))); \(never) never trained.")
        lines.append("Tools (what each would pick):")
        for (name, selection) in previews {
            let losses = selection.clients.compactMap { state.lastLoss[$0] }
            let fresh = selection.clients.filter { state.lastRound[$0] == nil }.count
            let mean = losses.isEmpty ? nil : losses.reduce(0, +) / Double(losses.count)
            lines.append("- \(name): mean known loss \(RoundSummary.number(mean)), \(fresh) of \(selection.clients.count) never trained")
        }
        lines.append("Notable clients (id: last loss, last round trained):")
        for candidate in notable(context, state: state) {
            let loss = state.lastLoss[candidate].map { RoundSummary.number($0) } ?? "unknown"
            let round = state.lastRound[candidate].map(String.init) ?? "never"
            lines.append("- \(candidate): \(loss), \(round)")
        }
        lines.append("Memory: " + (state.memory.isEmpty ? "none" : state.memory.joined(separator: "; ")))
        return lines.joined(separator: "\n")
    }

    /// At most 6 ids: the highest known losses, then the largest shards never trained.
    func notable(_ context: PlanningContext, state: State) -> [Int] {
        let byLoss = context.candidates.filter { state.lastLoss[$0.clientID] != nil }
            .sorted { (state.lastLoss[$0.clientID]!, -$0.clientID) > (state.lastLoss[$1.clientID]!, -$1.clientID) }.prefix(3).map(\.clientID)
        let fresh = context.candidates.filter { state.lastRound[$0.clientID] == nil }
            .sorted { ($0.sampleCount, -$0.clientID) > ($1.sampleCount, -$1.clientID) }.prefix(6 - byLoss.count).map(\.clientID)
        return byLoss + fresh
    }

    var schema: LLMClient.JSONValue {
        [
            "type": "object",
            "properties": [
                "choice": ["type": "string", "enum": .array(tools.map { .string($0.name) })],
                "include": ["type": "array", "items": ["type": "integer"], "maxItems": .integer(maximumAdjustments)],
                "exclude": ["type": "array", "items": ["type": "integer"], "maxItems": .integer(maximumAdjustments)],
                // Bounded: a small model otherwise writes its reason until max_tokens cuts the JSON.
                "reason": ["type": "string", "maxLength": .integer(Self.reasonLength)],
            ],
            "required": ["choice", "exclude", "include", "reason"],
            "additionalProperties": false,
        ]
    }

    // MARK: - Guardrails

    func validate(_ outcome: LLMCall.Outcome, context: PlanningContext) -> Result<Answer, LLMCall.Refusal> {
        if let failure = outcome.failure {
            return .failure(LLMCall.Refusal(kind: failure.guardrailKind, detail: "the call failed: \(failure.kind)"))
        }
        guard let content = outcome.content, let data = content.data(using: .utf8) else {
            return .failure(LLMCall.Refusal(kind: "schema", detail: "the answer has no content"))
        }
        let answer: Answer
        do {
            answer = try JSONDecoder().decode(Answer.self, from: data)
        } catch {
            return .failure(LLMCall.Refusal(kind: "schema", detail: "the answer is not the schema's JSON: \(String(content.prefix(120)).debugDescription)"))
        }
        guard tools.contains(where: { $0.name == answer.tool }) else {
            return .failure(LLMCall.Refusal(kind: "unknown-tool", detail: "there is no tool \(answer.tool.debugDescription)"))
        }
        guard answer.include.count <= maximumAdjustments, answer.exclude.count <= maximumAdjustments else {
            return .failure(LLMCall.Refusal(kind: "schema", detail: "at most \(maximumAdjustments) ids may be included and excluded"))
        }
        let bidders = Set(context.candidateIDs)
        for id in answer.include + answer.exclude where !bidders.contains(id) {
            let known = (0..<context.totalClients).contains(id)
            return .failure(LLMCall.Refusal(
                kind: known ? "ineligible-id" : "unknown-id",
                detail: known ? "client \(id) did not bid in round \(context.round)" : "there is no client \(id)"))
        }
        let all = answer.include + answer.exclude
        if Set(all).count != all.count {
            return .failure(LLMCall.Refusal(kind: "duplicate-id", detail: "an id appears twice in include and exclude"))
        }
        return .success(answer)
    }

    /// The followed tool's picks, with the included ids first and the excluded ones removed, filled
    /// up to K from the other tools' picks in tool order, then by client id.
    func apply(_ answer: Answer, k: Int, previews: [(name: String, selection: Selection)], context: PlanningContext) -> [Int] {
        let excluded = Set(answer.exclude)
        let followed = previews.first { $0.name == answer.tool }?.selection.clients ?? []
        var chosen: [Int] = []
        let order = answer.include + followed + previews.flatMap(\.selection.clients) + context.candidateIDs
        for id in order where !excluded.contains(id) && !chosen.contains(id) && chosen.count < k {
            chosen.append(id)
        }
        // Exclusions that leave fewer than K candidates give way: K is the K-Agent's decision.
        for id in order where !chosen.contains(id) && chosen.count < k { chosen.append(id) }
        return chosen
    }
}

extension ChatCompletionError {
    /// The guardrail kind a failed call is counted under.
    var guardrailKind: String {
        switch kind {
        case .timeout, .connectTimeout: "timeout"
        case .httpStatus: "http"
        case .connectionRefused, .unreachable: "unreachable"
        case .malformedResponse, .missingChoices, .responseTooLarge: "schema"
        case .cancelled: "cancelled"
        case .invalidRequest, .transport: "transport"
        }
    }
}
