/// One entry of a population file: clients, and what they are given. A later group overrides an
/// earlier one for the clients both name, field by field.
public struct ClientGroup: Codable, Sendable, Hashable {
    /// Ids and ranges, `0-9,42`.
    public var clients: String
    /// A tier the file defines or a built-in one (``DeviceTier/builtIn``).
    public var tier: String?
    /// The client's differential-privacy budget ε (δ stays the run's), when DP is on.
    public var dpEpsilon: Double?
    /// How the client prices its work, in ``Market/BidStrategyCatalog``'s notation
    /// (`truthful`, `margin:1.5`, `adaptive:1-2:0.1`).
    public var bidStrategy: String?
    /// `mislabeled` (its shard's labels shuffled) or `tiny` (cut to the run's tiny-sample count).
    public var data: String?

    public init(clients: String, tier: String? = nil, dpEpsilon: Double? = nil, bidStrategy: String? = nil, data: String? = nil) {
        self.clients = clients
        self.tier = tier
        self.dpEpsilon = dpEpsilon
        self.bidStrategy = bidStrategy
        self.data = data
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case clients, tier, dpEpsilon, bidStrategy, data
    }
}
