/// A client's (ε, δ) differential-privacy budget over the whole run.
public struct PrivacyBudget: Sendable, Hashable, Codable {
    public var epsilon: Double
    public var delta: Double

    public init(epsilon: Double, delta: Double) {
        self.epsilon = epsilon
        self.delta = delta
    }

    public func validate() throws(PrivacyError) {
        guard epsilon.isFinite, epsilon > 0 else { throw .invalidBudget("ε must be a positive number, got \(epsilon)") }
        guard delta > 0, delta < 1 else { throw .invalidBudget("δ must be in (0, 1), got \(delta)") }
    }
}
