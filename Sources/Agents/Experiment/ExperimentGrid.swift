import Foundation

/// One policy of an experiment as `--policies` names it: a selection brain, and `+k` for the
/// adaptive K-Agent that goes with it (the tool K-Agent, or for `llm` the LLM K-Agent).
public struct PolicySpec: Sendable, Hashable, CustomStringConvertible {
    public var label: String
    public var policy: String
    public var kAgent: String

    public init(parsing text: String) throws {
        let label = text.trimmingCharacters(in: .whitespaces)
        let parts = label.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts.count == 1 || parts[1] == "k" else {
            throw AgentError.invalidConfiguration("--policies takes names such as random, oort, oort+k, llm+k (got \(text.debugDescription))")
        }
        self.label = label
        self.policy = parts[0]
        self.kAgent = parts.count == 2 ? (parts[0] == "llm" ? "llm" : "tool") : "fixed"
    }

    public var description: String { label }
}

/// Every policy × seed of one experiment, on identical partitions and populations: a cell's
/// configuration differs from the base only in its policy, K-Agent, seed and run id.
public struct ExperimentGrid: Sendable {
    public struct Cell: Sendable, Hashable {
        public var spec: PolicySpec
        public var seed: UInt64
        /// The cell's folder under the experiment's `cells/`.
        public var name: String { "\(spec.label.replacingOccurrences(of: "+", with: "-plus-"))-seed\(seed)" }
    }

    public var base: ExperimentConfiguration
    public var policies: [PolicySpec]
    public var seeds: [UInt64]

    public init(base: ExperimentConfiguration, policies: [PolicySpec], seeds: [UInt64]) throws {
        guard !policies.isEmpty, !seeds.isEmpty else { throw AgentError.invalidConfiguration("an experiment needs at least one policy and one seed") }
        guard Set(policies.map(\.label)).count == policies.count else { throw AgentError.invalidConfiguration("--policies names a policy twice") }
        guard Set(seeds).count == seeds.count else { throw AgentError.invalidConfiguration("--seeds names a seed twice") }
        self.base = base
        self.policies = policies
        self.seeds = seeds
    }

    /// Seeds outer, policies inner: the first seed of every policy comes first, so a grid
    /// stopped early already compares every policy.
    public var cells: [Cell] { seeds.flatMap { seed in policies.map { Cell(spec: $0, seed: seed) } } }

    public func configuration(of cell: Cell) -> ExperimentConfiguration {
        var c = base
        c.policy = cell.spec.policy
        c.kAgent = cell.spec.kAgent
        c.seed = cell.seed
        c.runID = "experiment-\(cell.name)-\(UInt32.random(in: 0...UInt32.max))"
        return c
    }

    /// Each cell's configuration passes the same validation as a single run.
    public func validate(execution: ExperimentExecution) throws {
        for cell in cells { try configuration(of: cell).validate(execution: execution) }
    }
}
