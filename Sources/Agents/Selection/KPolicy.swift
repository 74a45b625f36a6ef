/// Chooses how many clients a round takes. Fixed today; the K-Agent (which adapts K to progress)
/// plugs in here later.
public protocol KPolicy: Sendable {
    var name: String { get }
    func k(round: Int, accuracyHistory: [Double], available: Int) -> Int
}

/// The FedAvg baseline: the same K every round, capped by the number of bidders.
public struct FixedK: KPolicy {
    public let value: Int
    public var name: String { "fixed-\(value)" }

    public init(_ value: Int) { self.value = value }

    public func k(round: Int, accuracyHistory: [Double], available: Int) -> Int {
        min(value, available)
    }
}
