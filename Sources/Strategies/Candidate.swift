/// A client's offer for one round, as a strategy sees it: what its bid declared.
public struct Candidate: Sendable, Hashable, Codable {
    public var clientID: Int
    public var askPrice: Double
    public var sampleCount: Int
    public var labelHistogram: [Int]
    public var samplesPerSecond: Double
    public var memoryMiB: Int
    public var availability: Double

    public init(
        clientID: Int, askPrice: Double, sampleCount: Int, labelHistogram: [Int],
        samplesPerSecond: Double, memoryMiB: Int, availability: Double
    ) {
        self.clientID = clientID
        self.askPrice = askPrice
        self.sampleCount = sampleCount
        self.labelHistogram = labelHistogram
        self.samplesPerSecond = samplesPerSecond
        self.memoryMiB = memoryMiB
        self.availability = availability
    }

    /// Seconds the client's declared hardware needs for `localEpochs` over its samples: the
    /// duration a strategy plans with (deterministic, so `run` and `simulate` agree).
    public func declaredSeconds(localEpochs: Int) -> Double {
        samplesPerSecond > 0 ? Double(sampleCount * max(localEpochs, 1)) / samplesPerSecond : .infinity
    }
}
