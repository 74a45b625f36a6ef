/// A round's cost to one client, part by part, in the market's price unit.
public struct CostBreakdown: Sendable, Hashable, Codable {
    /// Seconds × price per second.
    public var compute: Double
    /// Watts × seconds (joules) × price per joule.
    public var energy: Double
    /// Bytes up and down × price per byte.
    public var bandwidth: Double
    /// ε spent × price per unit of ε.
    public var privacy: Double
    /// The cost of taking part at all.
    public var fixed: Double

    public init(compute: Double, energy: Double, bandwidth: Double, privacy: Double, fixed: Double) {
        self.compute = compute
        self.energy = energy
        self.bandwidth = bandwidth
        self.privacy = privacy
        self.fixed = fixed
    }

    /// The parts added up in a fixed order (fixed, compute, energy, bandwidth, privacy), so the
    /// same breakdown always gives the same total to the last bit.
    public var total: Double { fixed + compute + energy + bandwidth + privacy }
}
