/// What a population file gives one client, resolved (nil fields: the run's defaults).
public struct ClientSetting: Sendable, Hashable, Codable {
    public var tierName: String?
    public var tier: DeviceTier?
    public var dpEpsilon: Double?
    public var bidStrategy: String?
    public var data: ClientData?

    public init(tierName: String? = nil, tier: DeviceTier? = nil, dpEpsilon: Double? = nil, bidStrategy: String? = nil, data: ClientData? = nil) {
        self.tierName = tierName
        self.tier = tier
        self.dpEpsilon = dpEpsilon
        self.bidStrategy = bidStrategy
        self.data = data
    }

    /// Useless data on purpose, so a brain can be seen to steer around it.
    public enum ClientData: String, Sendable, Hashable, Codable, CaseIterable {
        case mislabeled
        case tiny
    }
}
