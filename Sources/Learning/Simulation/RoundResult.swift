/// The outcome of one federated round.
public struct RoundResult: Sendable, Codable, Equatable {
    public let round: Int
    public let k: Int
    public let selected: [Int]
    /// Fraction of the test set classified correctly.
    public let testAccuracy: Double
    public let testLoss: Double
    /// Mean local training loss of the selected clients, weighted by samples.
    public let trainLoss: Double
    public let bytesUp: Int
    public let bytesDown: Int
    public let seconds: Double

    public init(
        round: Int, k: Int, selected: [Int], testAccuracy: Double, testLoss: Double, trainLoss: Double,
        bytesUp: Int, bytesDown: Int, seconds: Double
    ) {
        self.round = round
        self.k = k
        self.selected = selected
        self.testAccuracy = testAccuracy
        self.testLoss = testLoss
        self.trainLoss = trainLoss
        self.bytesUp = bytesUp
        self.bytesDown = bytesDown
        self.seconds = seconds
    }

    enum CodingKeys: String, CodingKey {
        case round, k, selected, seconds
        case testAccuracy = "test_accuracy"
        case testLoss = "test_loss"
        case trainLoss = "train_loss"
        case bytesUp = "bytes_up"
        case bytesDown = "bytes_down"
    }
}
