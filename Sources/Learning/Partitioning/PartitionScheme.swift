/// How training samples are split across clients.
public enum PartitionScheme: Sendable, Hashable, CustomStringConvertible {
    /// Uniformly at random, equal sizes.
    case iid
    /// Label skew: each class is split across clients by a Dirichlet(α) draw (small α, more skew).
    case dirichlet(alpha: Double)
    /// Pathological non-IID (McMahan et al. 2017): sort by label, cut into equal shards,
    /// give each client `perClient` random shards.
    case shards(perClient: Int)
    /// Quantity skew: IID content, client sizes from a Dirichlet(α) draw.
    case quantity(alpha: Double)

    /// Parses the CLI spelling (`iid`, `dirichlet`, `shards`, `quantity`).
    public static func parse(_ name: String, alpha: Double = 0.5, shardsPerClient: Int = 2) throws(PartitionError) -> PartitionScheme {
        switch name.lowercased() {
        case "iid":
            return .iid
        case "dirichlet":
            guard alpha > 0, alpha.isFinite else { throw .invalidAlpha(alpha) }
            return .dirichlet(alpha: alpha)
        case "shards", "pathological":
            guard shardsPerClient > 0 else { throw .invalidShardCount(shardsPerClient) }
            return .shards(perClient: shardsPerClient)
        case "quantity":
            guard alpha > 0, alpha.isFinite else { throw .invalidAlpha(alpha) }
            return .quantity(alpha: alpha)
        default:
            throw .unknownScheme(name)
        }
    }

    /// The CLI name of the scheme.
    public var name: String {
        switch self {
        case .iid: "iid"
        case .dirichlet: "dirichlet"
        case .shards: "shards"
        case .quantity: "quantity"
        }
    }

    public var description: String {
        switch self {
        case .iid: "iid"
        case .dirichlet(let alpha): "dirichlet(α=\(alpha))"
        case .shards(let perClient): "shards(\(perClient) per client)"
        case .quantity(let alpha): "quantity(α=\(alpha))"
        }
    }
}

/// A partition request that cannot be honoured.
public enum PartitionError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownScheme(String)
    case invalidAlpha(Double)
    case invalidShardCount(Int)

    public var description: String {
        switch self {
        case .unknownScheme(let name): "unknown partition scheme '\(name)' (expected iid, dirichlet, shards or quantity)"
        case .invalidAlpha(let alpha): "Dirichlet concentration must be a positive number, got \(alpha)"
        case .invalidShardCount(let count): "shards per client must be positive, got \(count)"
        }
    }
}
