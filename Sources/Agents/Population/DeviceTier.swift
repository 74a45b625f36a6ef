/// A class of client hardware: how fast it trains, how much memory it grants to training, its
/// link, and when it is online. A guardian hosting a client of a tier bids the tier's figures,
/// fits its model width to them, and takes as long as they say, in real time.
public struct DeviceTier: Codable, Sendable, Hashable {
    /// Training throughput at full width, in samples per second (one sample through forward and
    /// backward). A narrower model is proportionally faster (by its multiply-adds).
    public var samplesPerSecond: Double
    /// Memory the device grants to local training (parameters, gradients, optimizer state and a
    /// batch's activations, as ``Learning/Model/trainingMemoryBytes(batchSize:optimizerSlots:)`` estimates).
    public var memoryMiB: Double
    /// The link's speed, each way, in megabits per second; nil: transfers are not slowed.
    public var bandwidthMbps: Double?
    /// Probability of being online in a round (drawn per client and round from the run seed).
    public var availability: Double
    /// Rounds the device is offline whatever the draw says.
    public var offlineRounds: [Int]

    public init(
        samplesPerSecond: Double, memoryMiB: Double, bandwidthMbps: Double? = nil, availability: Double = 1,
        offlineRounds: [Int] = []
    ) {
        self.samplesPerSecond = samplesPerSecond
        self.memoryMiB = memoryMiB
        self.bandwidthMbps = bandwidthMbps
        self.availability = availability
        self.offlineRounds = offlineRounds
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case samplesPerSecond, memoryMiB, bandwidthMbps, availability, offlineRounds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        samplesPerSecond = try c.decode(Double.self, forKey: .samplesPerSecond)
        memoryMiB = try c.decode(Double.self, forKey: .memoryMiB)
        bandwidthMbps = try c.decodeIfPresent(Double.self, forKey: .bandwidthMbps)
        availability = try c.decodeIfPresent(Double.self, forKey: .availability) ?? 1
        offlineRounds = try c.decodeIfPresent([Int].self, forKey: .offlineRounds) ?? []
    }

    /// Tiers a population file may name without defining them. Throughputs are of this
    /// project's MLP-sized work; memory is what the device lets training use, not all it has.
    public static let builtIn: [String: DeviceTier] = [
        "phone": DeviceTier(samplesPerSecond: 300, memoryMiB: 64, bandwidthMbps: 20, availability: 0.8),
        "tablet": DeviceTier(samplesPerSecond: 1_000, memoryMiB: 256, bandwidthMbps: 50, availability: 0.9),
        "laptop": DeviceTier(samplesPerSecond: 3_000, memoryMiB: 1_024, bandwidthMbps: 100),
        "server": DeviceTier(samplesPerSecond: 10_000, memoryMiB: 8_192, bandwidthMbps: 1_000),
    ]

    /// What is wrong with the tier's figures, or nil.
    func problem() -> String? {
        guard samplesPerSecond.isFinite, samplesPerSecond > 0 else { return "samplesPerSecond must be a positive number (got \(samplesPerSecond))" }
        guard memoryMiB.isFinite, memoryMiB > 0 else { return "memoryMiB must be a positive number (got \(memoryMiB))" }
        if let bandwidthMbps, !(bandwidthMbps.isFinite && bandwidthMbps > 0) {
            return "bandwidthMbps must be a positive number (got \(bandwidthMbps))"
        }
        guard availability >= 0, availability <= 1 else { return "availability must be in 0...1 (got \(availability))" }
        if let round = offlineRounds.first(where: { $0 < 1 }) { return "offlineRounds holds round \(round); rounds start at 1" }
        return nil
    }
}
