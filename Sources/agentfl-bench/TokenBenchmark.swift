import ArgumentParser
import Foundation
import LLMClient
import Strategies
import WireProtocol

/// `agentfl-bench tokens`: how many prompt tokens one LLM decision costs at 10 to 1,000 clients,
/// counted by the local model's own chat template and tokenizer. The LLM brains' prompts are
/// aggregates and tool summaries (bounded); beside them, the same round pasted as one record per
/// client, the design whose cost grows with the population.
struct TokenBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Prompt tokens per LLM decision (selection and K) at 10 to 1,000 clients, on the local model's tokenizer.")

    @Option(parsing: .upToNextOption, help: "Client counts to measure.") var clients: [Int] = [10, 100, 1000]
    @Option(help: "Rounds of feedback folded in before measuring (the memory and the known losses fill up).") var warmup = 5

    func run() async throws {
        let server = try await LocalModelServer.start()
        defer { Task { await server.stop() } }
        print("prompt tokens of one LLM decision, \(LocalModelServer.modelName) tokenizer (llama-server \(LocalModelServer.llamaVersion)), after \(warmup) rounds of feedback, K = 10% of the clients")
        print("| clients | selection prompt | K prompt | selection + K | per-client table (one record per client) |")
        print("|---|---|---|---|---|")
        var totals: [Int: Int] = [:]
        var tables: [Int: Int] = [:]
        for count in clients {
            let binding = LLMBinding.http(baseURL: server.baseURL, settings: LLMSettings())
            let selector = LLMSelector(tools: try StrategyCatalog.tools(StrategyParameters()), client: binding.client, settings: binding.settings, endpoint: binding.endpoint)
            let kAgent = LLMKAgent(fallback: try ToolKAgent(), client: binding.client, settings: binding.settings, endpoint: binding.endpoint)
            var selectionState = selector.initialState()
            var kState = kAgent.initialState()
            let k = max(2, count / 10)
            var history: [Double] = []
            // Warm up: tools plan, the feedback of every round is folded in (no model calls).
            for round in 1...warmup {
                let context = Self.context(round: round, clients: count, k: k, history: history)
                var toolStates = selectionState.tools
                var chosen: [Int] = []
                for tool in try StrategyCatalog.tools(StrategyParameters()) {
                    let (selection, next) = try await tool.select(context, k: k, state: toolStates[tool.name] ?? tool.initialState())
                    toolStates[tool.name] = next
                    if chosen.isEmpty { chosen = selection.clients }
                }
                selectionState.tools = toolStates
                selectionState.pendingTool = "oort"
                history.append(0.5 + 0.04 * Double(round))
                let feedback = RoundFeedback(
                    round: round, testAccuracy: history.last!, testLoss: 1,
                    outcomes: chosen.map { Self.merged($0, loss: 1.5 / Double(round) + Double($0 % 7) * 0.05) })
                selectionState = selector.observe(feedback, state: selectionState)
                kState.pendingK = k
                kState = kAgent.observe(feedback, state: kState)
            }
            let context = Self.context(round: warmup + 1, clients: count, k: k, history: history)
            let selection = try await server.promptTokens(try await selector.messages(context, k: k, state: selectionState))
            let kPrompt = try await server.promptTokens(try await kAgent.messages(context, state: kState))
            let table = try await server.promptTokens([.system(LLMSelector.systemPrompt), .user(Self.table(context, state: selectionState))])
            totals[count] = selection + kPrompt
            tables[count] = table
            print("| \(count) | \(selection) | \(kPrompt) | \(selection + kPrompt) | \(table) |")
        }
        if let first = clients.first, let last = clients.last, let a = totals[first], let b = totals[last], let ta = tables[first], let tb = tables[last] {
            print(String(format: "growth %d → %d clients: LLM brains ×%.3f, per-client table ×%.2f", first, last, Double(b) / Double(a), Double(tb) / Double(ta)))
        }
    }

    static func context(round: Int, clients: Int, k: Int, history: [Double]) -> PlanningContext {
        PlanningContext(
            round: round, totalRounds: 30, runSeed: 1,
            candidates: (0..<clients).map(candidate),
            totalClients: clients, kBounds: 1...clients, configuredK: k, budget: Double(k) * 10, localEpochs: 1,
            accuracyHistory: history)
    }

    /// A varied but fixed population: asks, sizes, label mixes and speeds differ by id.
    static func candidate(_ id: Int) -> Candidate {
        let histogram: [Int] = (0..<10).map { label in (label * 7 + id) % 10 == 0 ? 120 : 15 }
        let ask = 1 + Double(id % 9) * 0.25
        let samples = 300 + (id * 37) % 900
        let speed = 2000 + Double((id * 53) % 6000)
        return Candidate(
            clientID: id, askPrice: ask, sampleCount: samples, labelHistogram: histogram,
            samplesPerSecond: speed, memoryMiB: 2048, availability: 1)
    }

    static func merged(_ id: Int, loss: Double) -> ClientOutcome {
        ClientOutcome(
            clientID: id, status: .merged, sampleCount: 600, meanLoss: loss, lastEpochExamples: 600,
            lastEpochLossSum: 600 * loss, lastEpochLossSquaredSum: 600 * loss * loss, trainingSeconds: 0.3, arrivalSeconds: 0.4)
    }

    /// The round as one line per client: what a prompt that pastes per-client records holds.
    static func table(_ context: PlanningContext, state: LLMSelector.State) -> String {
        var lines = ["Round \(context.round) of \(context.totalRounds). Choose \(context.configuredK) clients. Clients:"]
        for candidate in context.candidates {
            let loss = state.lastLoss[candidate.clientID].map { String(format: "%.3f", $0) } ?? "unknown"
            let round = state.lastRound[candidate.clientID].map(String.init) ?? "never"
            lines.append("client \(candidate.clientID): ask \(String(format: "%.2f", candidate.askPrice)), samples \(candidate.sampleCount), speed \(Int(candidate.samplesPerSecond))/s, last loss \(loss), last round \(round), labels \(candidate.labelHistogram)")
        }
        return lines.joined(separator: "\n")
    }
}
