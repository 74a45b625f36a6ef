/// How training samples are split across clients.
public enum PartitionScheme: Sendable, Hashable, CustomStringConvertible {
    /// Uniformly at random, equal sizes.
    case iid
    /// Label skew: each class is split across clients by a Dirichlet(α) draw (small α, more skew).
    ///
    /// Balanced (the default), as NIID-Bench does, a client already above the average size gets
    /// no more samples, which keeps sizes nearer the average (160 to 1,272 samples for
    /// Fashion-MNIST over 100 clients at α = 0.5, seed 1). Unbalanced, as Flower Datasets'
    /// `DirichletPartitioner` does by default, they spread wider (100 to 1,631).
    case dirichlet(alpha: Double, balanced: Bool = true)
    /// Pathological non-IID (McMahan et al. 2017): sort by label, cut into equal shards,
    /// give each client `perClient` random shards.
    case shards(perClient: Int)
    /// Quantity skew: IID content, client sizes from a Dirichlet(α) draw.
    case quantity(alpha: Double)

    /// Parses the CLI spelling (`iid`, `dirichlet`, `dirichlet-unbalanced`, `shards`, `quantity`).
    public static func parse(_ name: String, alpha: Double = 0.5, shardsPerClient: Int = 2) throws(PartitionError) -> PartitionScheme {
        switch name.lowercased() {
        case "iid":
            return .iid
        case "dirichlet", "dirichlet-unbalanced":
            guard alpha > 0, alpha.isFinite else { throw .invalidAlpha(alpha) }
            return .dirichlet(alpha: alpha, balanced: name.lowercased() == "dirichlet")
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
        case .dirichlet(_, let balanced): balanced ? "dirichlet" : "dirichlet-unbalanced"
        case .shards: "shards"
        case .quantity: "quantity"
        }
    }

    public var description: String {
        switch self {
        case .iid: "iid"
        case .dirichlet(let alpha, let balanced): "dirichlet(α=\(alpha)\(balanced ? "" : ", unbalanced"))"
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
    /// Fewer samples than `clients × minimum`: no draw can give every client its minimum.
    case tooFewSamples(scheme: String, samples: Int, clients: Int, minimum: Int)
    /// Every Dirichlet draw left some client below the minimum; `client` is the shortest of the last draw.
    case dirichletBelowMinimum(
        alpha: Double, balanced: Bool, samples: Int, clients: Int, client: Int, clientSamples: Int, minimum: Int, attempts: Int)
    case emptyClient(scheme: String, client: Int)

    /// Every scheme's CLI name, for messages and validation.
    public static let schemeNames = ["iid", "dirichlet", "dirichlet-unbalanced", "shards", "quantity"]

    public var description: String {
        switch self {
        case .tooFewSamples(let scheme, let samples, let clients, let minimum):
            "the \(scheme) partition needs at least \(minimum) sample\(minimum == 1 ? "" : "s") for each of \(clients) clients " +
            "(\(minimum * clients)), the training set has \(samples): use at most \(samples / max(minimum, 1)) clients, more training samples or another scheme"
        case .dirichletBelowMinimum(let alpha, let balanced, let samples, let clients, let client, let clientSamples, let minimum, let attempts):
            "the \(balanced ? "dirichlet" : "dirichlet-unbalanced") partition (α=\(alpha)) of \(samples) samples over \(clients) clients " +
            "found no draw in \(attempts) tries that gives every client at least \(minimum) samples " +
            "(in the last, client \(client) got \(clientSamples)): use fewer clients, a larger α, or another scheme (iid, shards, quantity)"
        case .emptyClient(let scheme, let client):
            "the \(scheme) partition left client \(client) without samples: use fewer clients or another scheme"
        case .unknownScheme(let name): "unknown partition scheme '\(name)' (expected iid, dirichlet, dirichlet-unbalanced, shards or quantity)"
        case .invalidAlpha(let alpha): "Dirichlet concentration must be a positive number, got \(alpha)"
        case .invalidShardCount(let count): "shards per client must be positive, got \(count)"
        }
    }
}
