/// A rule that clears one round's bids: who wins and what each is paid.
///
/// ``ReverseAuction`` is the one the system runs; a market experiment can put another behind
/// this seam, and the property tests check each mechanism for what it claims in ``properties``.
public protocol MarketMechanism: Sendable {
    /// The guarantees this mechanism, as configured, holds for every bid set.
    var properties: MechanismProperties { get }

    /// Clears `bids`: invalid ones are rejected with a reason, never fatal.
    func clear(_ bids: [MarketBid]) -> ClearingResult
}
