/// What a client's device can do, as its guardian declares it in a bid.
public struct DeviceProfile: Sendable, Hashable, Codable {
    /// Training throughput, used to predict whether the client meets the round deadline.
    public var samplesPerSecond: Double
    public var memoryMiB: Int
    /// The model width (fraction of the full model, 0...1) the client offers to train: the
    /// largest of the run's widths that fits its memory and, at its speed, the round's deadline.
    public var maxWidth: Double

    public init(samplesPerSecond: Double, memoryMiB: Int, maxWidth: Double = 1) {
        self.samplesPerSecond = samplesPerSecond
        self.memoryMiB = memoryMiB
        self.maxWidth = maxWidth
    }
}
