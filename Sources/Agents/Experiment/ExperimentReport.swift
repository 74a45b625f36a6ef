import Foundation
import Learning

/// The comparison an experiment's cells add up to: per policy, mean ± standard deviation over
/// seeds of what the source paper compares (final accuracy; rounds, bytes and seconds to a
/// target accuracy; parameter traffic; K; tokens and guardrail findings), written as
/// `results.json`, `results.csv` and `report.md`.
public struct ExperimentReport: Sendable {
    public struct CellResult: Sendable {
        public var cell: ExperimentGrid.Cell
        public var document: ResultsDocument
    }

    public var grid: ExperimentGrid
    public var cells: [CellResult]
    /// The accuracy "to reach": this fraction of the best policy's mean final accuracy.
    public var targetFraction: Double

    public init(grid: ExperimentGrid, cells: [CellResult], targetFraction: Double = 0.95) {
        self.grid = grid
        self.cells = cells
        self.targetFraction = targetFraction
    }

    /// Mean and sample standard deviation; nil when nothing was measured.
    public struct Spread: Sendable, Equatable {
        public var mean: Double
        public var deviation: Double
        public var count: Int

        init?(_ values: [Double]) {
            guard !values.isEmpty else { return nil }
            let mean = values.reduce(0, +) / Double(values.count)
            self.count = values.count
            self.mean = mean
            self.deviation = values.count < 2 ? 0 : (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
        }
    }

    public struct PolicySummary: Sendable {
        public var spec: PolicySpec
        public var seeds: Int
        public var finalAccuracy: Spread?
        /// Over the seeds that reached the target; `reached` says how many did.
        public var roundsToTarget: Spread?
        public var bytesToTarget: Spread?
        public var secondsToTarget: Spread?
        public var reached: Int
        public var totalBytes: Spread?
        public var meanK: Spread?
        public var tokensPerRound: Spread?
        public var costPerRound: Spread?
        public var guardrails: [String: Int]
        /// Mean accuracy over the delayed-client window's rounds (nil without `--delay`).
        public var delayedWindowAccuracy: Spread?
    }

    static func finalAccuracy(_ document: ResultsDocument) -> Double? { document.rounds.last?.testAccuracy }

    /// The accuracy to reach: `targetFraction` of the best policy's mean final accuracy.
    public var target: Double {
        let means = grid.policies.compactMap { spec in
            Spread(cells.filter { $0.cell.spec == spec }.compactMap { Self.finalAccuracy($0.document) })?.mean
        }
        return (means.max() ?? 0) * targetFraction
    }

    public var summaries: [PolicySummary] {
        let target = self.target
        return grid.policies.map { spec in
            let mine = cells.filter { $0.cell.spec == spec }.map(\.document)
            var rounds: [Double] = [], bytes: [Double] = [], seconds: [Double] = []
            var guardrails: [String: Int] = [:]
            for document in mine {
                var traffic = 0, elapsed = 0.0
                for round in document.rounds {
                    traffic += round.bytesUp + round.bytesDown
                    elapsed += round.seconds
                    if round.testAccuracy >= target {
                        rounds.append(Double(round.round))
                        bytes.append(Double(traffic))
                        seconds.append(elapsed)
                        break
                    }
                }
                for round in document.rounds {
                    for (kind, count) in round.guardrails ?? [:] { guardrails[kind, default: 0] += count }
                }
            }
            return PolicySummary(
                spec: spec, seeds: mine.count,
                finalAccuracy: Spread(mine.compactMap(Self.finalAccuracy)),
                roundsToTarget: Spread(rounds), bytesToTarget: Spread(bytes), secondsToTarget: Spread(seconds), reached: rounds.count,
                totalBytes: Spread(mine.map { Double($0.rounds.reduce(0) { $0 + $1.bytesUp + $1.bytesDown }) }),
                meanK: Spread(mine.map { Double($0.rounds.reduce(0) { $0 + $1.k }) / Double(max($0.rounds.count, 1)) }),
                tokensPerRound: Spread(mine.map { Double($0.rounds.reduce(0) { $0 + ($1.promptTokens ?? 0) + ($1.completionTokens ?? 0) }) / Double(max($0.rounds.count, 1)) }),
                costPerRound: Spread(mine.map { $0.rounds.reduce(0) { $0 + ($1.llmCost ?? 0) } / Double(max($0.rounds.count, 1)) }),
                guardrails: guardrails,
                delayedWindowAccuracy: grid.base.delaySchedule.flatMap { schedule in
                    Spread(mine.compactMap { document in
                        let inside = document.rounds.filter { schedule.rounds.contains($0.round) }.map(\.testAccuracy)
                        return inside.isEmpty ? nil : inside.reduce(0, +) / Double(inside.count)
                    })
                })
        }
    }

    // MARK: - Files

    public func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let all = ExperimentResults(cells: cells.map {
            .init(policy: $0.cell.spec.label, selection: $0.cell.spec.policy, kAgent: $0.cell.spec.kAgent, seed: $0.cell.seed, results: $0.document)
        })
        try encoder.encode(all).write(to: directory.appendingPathComponent("results.json"), options: .atomic)
        try Data(csv.utf8).write(to: directory.appendingPathComponent("results.csv"), options: .atomic)
        let plots = ReportPlots(report: self)
        let rendered = try plots.write(to: directory)
        try Data(markdown(plots: rendered, titles: plots.specs.map { ($0.name, $0.title) }).utf8)
            .write(to: directory.appendingPathComponent("report.md"), options: .atomic)
        if case .failure(let error) = rendered { throw ExperimentReportError.plotsNotRendered(error.description) }
    }

    struct ExperimentResults: Encodable {
        struct Cell: Encodable {
            var policy: String
            var selection: String
            var kAgent: String
            var seed: UInt64
            var results: ResultsDocument
        }
        var cells: [Cell]
    }

    /// One line per round of every cell.
    public var csv: String {
        var lines = ["policy,seed,round,k,test_accuracy,test_loss,bytes_up,bytes_down,seconds,clearing_price,llm_calls,prompt_tokens,completion_tokens,guardrail_findings"]
        for result in cells {
            for r in result.document.rounds {
                let findings = (r.guardrails ?? [:]).values.reduce(0, +)
                lines.append([
                    result.cell.spec.label, String(result.cell.seed), String(r.round), String(r.k), String(r.testAccuracy),
                    String(r.testLoss), String(r.bytesUp), String(r.bytesDown), String(r.seconds),
                    r.clearingPrice.map { String($0) } ?? "", String(r.llmCalls ?? 0), String(r.promptTokens ?? 0),
                    String(r.completionTokens ?? 0), String(findings),
                ].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func markdown(plots: Result<[String], ReportPlots.PlotError>?, titles: [(String, String)]) -> String {
        func show(_ spread: Spread?, digits: Int = 4, scale: Double = 1) -> String {
            guard let spread else { return "—" }
            return String(format: "%.\(digits)f ± %.\(digits)f", spread.mean / scale, spread.deviation / scale)
        }
        let configuration = grid.base
        var lines = [
            "# Experiment report",
            "",
            "\(configuration.dataset), \(configuration.model), \(configuration.partition) α=\(configuration.alpha), \(configuration.clients) clients, K=\(configuration.k) (bounds \(configuration.kBounds)), \(configuration.rounds) rounds, \(configuration.localEpochs) local epoch(s); seeds \(grid.seeds.map(String.init).joined(separator: ", ")); every policy on the same partitions and populations"
                + (configuration.tinyClients.isEmpty && configuration.mislabeledClients.isEmpty ? "." : "; \(configuration.tinyClients.count) tiny and \(configuration.mislabeledClients.count) mislabeled clients."),
            "",
            String(format: "Target accuracy: %.4f (%.0f%% of the best policy's mean final accuracy).", target, targetFraction * 100),
            "",
            "| policy | seeds | final accuracy | rounds to target | MB to target | seconds to target | reached | total MB | mean K | tokens per round | guardrail findings |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        if let schedule = configuration.delaySchedule {
            lines[lines.count - 2] += " delayed-window accuracy |"
            lines[lines.count - 1] += "---|"
            lines.insert("Delayed clients: \(Int((schedule.fraction * 100).rounded()))% of the clients (a seeded draw) take \(schedule.factor)× as long to train, for real, in rounds \(schedule.rounds.lowerBound)–\(schedule.rounds.upperBound): the guardian trains, waits the rest, and reports the longer time; in `run` an update that misses the round's deadline is missing from that round.", at: lines.count - 2)
            lines.insert("", at: lines.count - 2)
        }
        for s in summaries {
            let findings = s.guardrails.isEmpty ? "—" : s.guardrails.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            let window = configuration.delaySchedule == nil ? "" : " \(show(s.delayedWindowAccuracy)) |"
            lines.append("| \(s.spec.label) | \(s.seeds) | \(show(s.finalAccuracy)) | \(show(s.roundsToTarget, digits: 1)) | \(show(s.bytesToTarget, digits: 1, scale: 1e6)) | \(show(s.secondsToTarget, digits: 2)) | \(s.reached)/\(s.seeds) | \(show(s.totalBytes, digits: 1, scale: 1e6)) | \(show(s.meanK, digits: 2)) | \(show(s.tokensPerRound, digits: 0)) | \(findings) |" + window)
        }
        lines += [
            "",
            "Means ± sample standard deviations over seeds; rounds, MB and seconds to target over the seeds that reached it. MB counts parameters sent both ways. Seconds are the rounds' wall time on this machine.",
        ]
        let claims = self.claims
        if !claims.isEmpty {
            lines += ["", "## The source paper's claims, here", ""]
            lines += claims.map { "- \($0)" }
        }
        switch plots {
        case .success(let names)?:
            lines += ["", "## Plots", ""]
            for (name, title) in titles where names.contains(name) {
                lines.append("- [\(title)](plots/\(name).svg) ([PNG](plots/\(name).png), [Vega-Lite spec](plots/\(name).vl.json))")
            }
        case .failure(let error)?:
            lines += ["", "Plots were not rendered: \(error.description)"]
        case nil:
            break
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Why a report is incomplete (its tables and specs are written first).
public enum ExperimentReportError: Error, CustomStringConvertible {
    case plotsNotRendered(String)

    public var description: String {
        switch self {
        case .plotsNotRendered(let reason): "the report's tables were written, but not its plots: \(reason)"
        }
    }
}

extension ExperimentReport {
    /// One plain sentence per claim of the source paper that this grid can test, with the numbers
    /// and whether it held here. Claims whose policies the grid lacks are left out.
    public var claims: [String] {
        let byLabel = Dictionary(uniqueKeysWithValues: summaries.map { ($0.spec.label, $0) })
        func mb(_ s: PolicySummary?) -> Double? { s?.totalBytes.map { $0.mean / 1e6 } }
        func accuracy(_ s: PolicySummary?) -> Double? { s?.finalAccuracy?.mean }
        /// A saving as "N% lower", or "N% higher" when it is negative.
        func lower(_ saving: Double) -> String {
            saving >= 0 ? String(format: "%.0f%% lower", saving * 100) : String(format: "%.0f%% higher", -saving * 100)
        }
        func points(_ value: Double) -> String { String(format: "%+.1f points", value * 100) }
        var sentences: [String] = []
        // K-Agent against fixed K, per brain that has both.
        for summary in summaries where summary.spec.kAgent != "fixed" {
            let fixedLabel = summary.spec.policy
            guard let fixed = byLabel[fixedLabel], let a = accuracy(summary), let b = accuracy(fixed), let m = mb(summary), let n = mb(fixed), n > 0 else { continue }
            let saving = 1 - m / n
            let held = saving > 0 && a - b >= -0.01
            sentences.append("K-Agent vs fixed K (\(summary.spec.label) vs \(fixedLabel)): traffic \(lower(saving)) (\(String(format: "%.1f", m)) vs \(String(format: "%.1f", n)) MB), final accuracy \(points(a - b)); the paper's claim (less traffic at similar accuracy) \(held ? "held" : "did not hold") here.")
        }
        // The traffic goal against random with fixed K.
        if let random = byLabel["random"], let r = mb(random), r > 0, let ra = accuracy(random) {
            for summary in summaries where summary.spec.label != "random" {
                guard let m = mb(summary), let a = accuracy(summary) else { continue }
                let saving = 1 - m / r
                let equal = a - ra >= -0.01
                sentences.append("\(summary.spec.label) vs random (fixed K): traffic \(lower(saving)), final accuracy \(points(a - ra)); the goal (≥ 60% less traffic at equal accuracy, within 1 point) \(saving >= 0.6 && equal ? "was met" : "was not met"); the paper reports 44–59% less traffic for its K-Agent with tools.")
            }
        }
        // Tools against the LLM, and the LLM against random.
        if let llm = byLabel["llm"] ?? byLabel["llm+k"], let la = accuracy(llm) {
            if let random = byLabel["random"], let ra = accuracy(random) {
                sentences.append("LLM (\(llm.spec.label)) vs random: final accuracy \(points(la - ra)); the paper's claim (LLM selection beats random) \(la > ra ? "held" : "did not hold") here, with \(grid.base.llmModel) at \(grid.base.llmURL ?? "the local llama-server") and its guardrail findings \(llm.guardrails.isEmpty ? "none" : llm.guardrails.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")).")
            }
            let tokens = llm.tokensPerRound?.mean ?? 0
            for tool in summaries where ["oort", "poc", "coverage"].contains(tool.spec.policy) && tool.spec.kAgent == "fixed" {
                guard let ta = accuracy(tool) else { continue }
                sentences.append("Tool \(tool.spec.label) vs LLM: final accuracy \(points(ta - la)) at no tokens against \(String(format: "%.0f", tokens)) per round; the paper's claim (tools match the LLM at lower cost) \(ta - la >= -0.01 ? "held" : "did not hold") here.")
            }
        }
        // Delayed clients.
        if let schedule = grid.base.delaySchedule {
            for summary in summaries {
                let mine = cells.filter { $0.cell.spec == summary.spec }.map(\.document)
                let before = mine.compactMap { document in document.rounds.first { $0.round == schedule.rounds.lowerBound - 1 }?.testAccuracy }
                guard let inside = summary.delayedWindowAccuracy, !before.isEmpty else { continue }
                let start = before.reduce(0, +) / Double(before.count)
                sentences.append("Delayed clients (\(summary.spec.label)): mean accuracy inside rounds \(schedule.rounds.lowerBound)–\(schedule.rounds.upperBound) \(String(format: "%.4f", inside.mean)) against \(String(format: "%.4f", start)) the round before; \(inside.mean >= start - 0.005 ? "no dip" : "a dip of \(points(inside.mean - start))").")
            }
        }
        return sentences
    }
}
