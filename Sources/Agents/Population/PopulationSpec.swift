import Foundation
import Market

/// A population file (`--population FILE`): named device tiers and groups of clients, each given
/// a tier, a privacy budget, a bidding strategy or useless data, so a market or selection
/// experiment can mix them. JSON:
///
/// ```json
/// {
///   "tiers": {"slow": {"samplesPerSecond": 200, "memoryMiB": 2, "bandwidthMbps": 10, "availability": 0.7}},
///   "groups": [
///     {"clients": "0-49", "tier": "phone", "dpEpsilon": 2, "bidStrategy": "margin:1.5"},
///     {"clients": "50-89", "tier": "laptop", "bidStrategy": "adaptive:1-2:0.1"},
///     {"clients": "90-99", "tier": "slow", "data": "mislabeled"}
///   ]
/// }
/// ```
///
/// Unknown keys are errors (a misspelt key would silently keep a default). A client no group
/// names keeps the run's settings; a client named by several groups takes each field from the
/// last group that sets it.
public struct PopulationSpec: Codable, Sendable, Hashable {
    public var tiers: [String: DeviceTier]
    public var groups: [ClientGroup]

    public init(tiers: [String: DeviceTier] = [:], groups: [ClientGroup] = []) {
        self.tiers = tiers
        self.groups = groups
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case tiers, groups
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tiers = try c.decodeIfPresent([String: DeviceTier].self, forKey: .tiers) ?? [:]
        groups = try c.decodeIfPresent([ClientGroup].self, forKey: .groups) ?? []
    }

    /// Reads a population file, naming the file and the key of anything wrong with it.
    public static func load(from url: URL) throws(PopulationError) -> PopulationSpec {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw PopulationError(path: url.path, problem: "cannot read it: \(error.localizedDescription)")
        }
        return try decode(data, path: url.path)
    }

    /// Parses a population document; `path` names it in errors.
    public static func decode(_ data: Data, path: String) throws(PopulationError) -> PopulationSpec {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw PopulationError(path: path, problem: "not JSON: \(error.localizedDescription)")
        }
        guard let top = object as? [String: Any] else { throw PopulationError(path: path, problem: "the top level must be an object with \"tiers\" and \"groups\"") }
        try checkKeys(top, allowed: CodingKeys.allCases.map(\.rawValue), at: "the top level", path: path)
        for (name, tier) in (top["tiers"] as? [String: Any]) ?? [:] {
            guard let fields = tier as? [String: Any] else { throw PopulationError(path: path, problem: "tier \(name.debugDescription) must be an object") }
            try checkKeys(fields, allowed: DeviceTier.CodingKeys.allCases.map(\.rawValue), at: "tier \(name.debugDescription)", path: path)
        }
        for (index, group) in ((top["groups"] as? [Any]) ?? []).enumerated() {
            guard let fields = group as? [String: Any] else { throw PopulationError(path: path, problem: "group \(index + 1) must be an object") }
            try checkKeys(fields, allowed: ClientGroup.CodingKeys.allCases.map(\.rawValue), at: "group \(index + 1)", path: path)
        }
        do {
            return try JSONDecoder().decode(PopulationSpec.self, from: data)
        } catch let error as DecodingError {
            throw PopulationError(path: path, problem: Self.describe(error))
        } catch {
            throw PopulationError(path: path, problem: "\(error)")
        }
    }

    /// Every client's setting (index = client id) for a run of `clients` clients, checked: known
    /// tiers with sane figures, ids inside the run, budgets, strategies and data kinds that parse.
    public func resolve(clients: Int, path: String = "the population") throws(PopulationError) -> [ClientSetting] {
        for (name, tier) in tiers.sorted(by: { $0.key < $1.key }) {
            if let problem = tier.problem() { throw PopulationError(path: path, problem: "tier \(name.debugDescription): \(problem)") }
        }
        var settings = Array(repeating: ClientSetting(), count: max(clients, 0))
        for (index, group) in groups.enumerated() {
            let label = "group \(index + 1)"
            guard let ids = ClientIDList.parse(group.clients) else {
                throw PopulationError(path: path, problem: "\(label): clients takes ids and ranges such as 0-9,42 (got \(group.clients.debugDescription))")
            }
            if let outside = ids.first(where: { $0 < 0 || $0 >= clients }) {
                throw PopulationError(path: path, problem: "\(label): client \(outside) is not in this run (0..<\(clients))")
            }
            var tier: DeviceTier?
            if let name = group.tier {
                guard let found = tiers[name] ?? DeviceTier.builtIn[name] else {
                    let known = (Set(tiers.keys).union(DeviceTier.builtIn.keys)).sorted().joined(separator: ", ")
                    throw PopulationError(path: path, problem: "\(label): tier \(name.debugDescription) is neither defined in the file nor built in (\(known))")
                }
                tier = found
            }
            if let epsilon = group.dpEpsilon, !(epsilon.isFinite && epsilon > 0) {
                throw PopulationError(path: path, problem: "\(label): dpEpsilon must be a positive number (got \(epsilon))")
            }
            if let strategy = group.bidStrategy {
                do {
                    _ = try BidStrategyCatalog.parse(strategy)
                } catch {
                    throw PopulationError(path: path, problem: "\(label): bidStrategy \(strategy.debugDescription): \(error)")
                }
            }
            var data: ClientSetting.ClientData?
            if let text = group.data {
                guard let kind = ClientSetting.ClientData(rawValue: text) else {
                    let kinds = ClientSetting.ClientData.allCases.map(\.rawValue).joined(separator: " or ")
                    throw PopulationError(path: path, problem: "\(label): data must be \(kinds) (got \(text.debugDescription))")
                }
                data = kind
            }
            for id in ids {
                if let name = group.tier { settings[id].tierName = name; settings[id].tier = tier }
                if let epsilon = group.dpEpsilon { settings[id].dpEpsilon = epsilon }
                if let strategy = group.bidStrategy { settings[id].bidStrategy = strategy }
                if let data { settings[id].data = data }
            }
        }
        return settings
    }

    private static func checkKeys(_ object: [String: Any], allowed: [String], at place: String, path: String) throws(PopulationError) {
        let unknown = object.keys.filter { !allowed.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw PopulationError(path: path, problem: "\(place): unknown key\(unknown.count == 1 ? "" : "s") \(unknown.map(\.debugDescription).joined(separator: ", ")) (known: \(allowed.joined(separator: ", ")))")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func at(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "the top level" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(at(context.codingPath)): \(key.stringValue.debugDescription) is required"
        case .typeMismatch(let type, let context): return "\(at(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context): return "\(at(context.codingPath)): expected \(type), found null"
        case .dataCorrupted(let context): return "\(at(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
