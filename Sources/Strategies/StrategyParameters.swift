import Foundation

/// Every tool brain's hyperparameters, one group per brain, with their defaults: what a
/// configuration file's `"strategy"` object and `--strategy-param BRAIN.NAME=VALUE` set, and what
/// each decision record names in full.
public struct StrategyParameters: Codable, Sendable, Hashable {
    public var oort = OortParameters()
    public var poc = PowerOfChoiceParameters()
    public var coverage = CoverageParameters()
    public var kTool = ToolKAgentParameters()

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case oort, poc, coverage, kTool = "k-tool"
    }

    /// A group a file leaves out keeps its defaults; an unknown group or name is an error.
    public init(from decoder: any Decoder) throws {
        let names = Set(Self.help.map(\.name))
        let groups = try decoder.container(keyedBy: AnyKey.self)
        for group in groups.allKeys {
            guard CodingKeys(rawValue: group.stringValue) != nil else {
                throw StrategyError.invalidConfiguration("there is no strategy group \(group.stringValue.debugDescription); known: \(CodingKeys.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            for key in try groups.nestedContainer(keyedBy: AnyKey.self, forKey: group).allKeys where !names.contains("\(group.stringValue).\(key.stringValue)") {
                throw StrategyError.invalidConfiguration("there is no strategy parameter \("\(group.stringValue).\(key.stringValue)".debugDescription); see --help")
            }
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        oort = try c.decodeIfPresent(OortParameters.self, forKey: .oort) ?? OortParameters()
        poc = try c.decodeIfPresent(PowerOfChoiceParameters.self, forKey: .poc) ?? PowerOfChoiceParameters()
        coverage = try c.decodeIfPresent(CoverageParameters.self, forKey: .coverage) ?? CoverageParameters()
        kTool = try c.decodeIfPresent(ToolKAgentParameters.self, forKey: .kTool) ?? ToolKAgentParameters()
    }

    /// Every parameter as `brain.name`, with its help line.
    public static let help: [(name: String, help: String)] =
        OortParameters.help.map { ("oort.\($0.name)", $0.help) }
        + PowerOfChoiceParameters.help.map { ("poc.\($0.name)", $0.help) }
        + CoverageParameters.help.map { ("coverage.\($0.name)", $0.help) }
        + ToolKAgentParameters.help.map { ("k-tool.\($0.name)", $0.help) }

    /// `brain.name (default): help`, one per line, for `--help`.
    public static var helpText: String {
        let defaults = (try? StrategyParameters().flattened()) ?? [:]
        return help.map { "\($0.name) (\(defaults[$0.name].map(show) ?? "unset")): \($0.help)" }.joined(separator: "\n")
    }

    /// Sets one parameter from `brain.name=value` (a number, `null`, or a word such as `measured`);
    /// an unknown name or a value of the wrong type is an error naming it (ranges: ``validate()``).
    public mutating func set(_ assignment: String) throws(StrategyError) {
        guard let equals = assignment.firstIndex(of: "=") else {
            throw .invalidConfiguration("--strategy-param takes BRAIN.NAME=VALUE (got \(assignment.debugDescription))")
        }
        let name = String(assignment[..<equals]).trimmingCharacters(in: .whitespaces)
        let text = String(assignment[assignment.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        guard Self.help.contains(where: { $0.name == name }) else {
            let known = Self.help.map(\.name)
            let near = known.filter { $0.lowercased().contains(name.split(separator: ".").last.map { $0.lowercased() } ?? name) }
            throw .invalidConfiguration("there is no strategy parameter \(name.debugDescription)" + (near.isEmpty ? "; see --help" : "; did you mean \(near.joined(separator: ", "))?"))
        }
        let value: Any = text == "null" ? NSNull() : (Double(text).map { $0 as Any } ?? text)
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        do {
            var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self)) as? [String: Any] ?? [:]
            var group = object[parts[0]] as? [String: Any] ?? [:]
            group[parts[1]] = value
            object[parts[0]] = group
            self = try JSONDecoder().decode(StrategyParameters.self, from: JSONSerialization.data(withJSONObject: object))
        } catch {
            throw .invalidConfiguration("strategy parameter \(name) cannot be \(text.debugDescription): \(error)")
        }
    }

    public func validate() throws(StrategyError) {
        try oort.validate()
        try poc.validate()
        try coverage.validate()
        try kTool.validate()
    }

    /// `brain.name` → value, for help and records.
    func flattened() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self)) as? [String: Any] ?? [:]
        var flat: [String: Any] = [:]
        for (group, members) in object {
            for (name, value) in members as? [String: Any] ?? [:] { flat["\(group).\(name)"] = value }
        }
        return flat
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private static func show(_ value: Any) -> String {
        if value is NSNull { return "unset" }
        if let number = value as? NSNumber { return "\(number)" }
        return "\(value)"
    }
}
