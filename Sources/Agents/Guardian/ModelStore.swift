import WireProtocol

/// The global models a guardian has seen, by version; only the newest few are kept.
public struct ModelStore: Sendable {
    public private(set) var models: [Int: GlobalModel] = [:]
    public var keep = 3

    public init() {}

    public mutating func insert(_ model: GlobalModel) {
        models[model.version] = model
        let stale = models.keys.sorted().dropLast(keep)
        for version in stale { models[version] = nil }
    }

    public var newestVersion: Int? { models.keys.max() }
}
