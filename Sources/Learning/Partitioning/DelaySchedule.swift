/// The delayed-client scenario of the source paper's robustness test, defined here because its
/// code does not contain it: a fixed FRACTION of the clients (the first ⌈FRACTION·N⌉ of a
/// permutation of the ids seeded by the run seed) take FACTOR times as long to train in rounds
/// FROM…TO: the guardian trains, then waits (FACTOR − 1) × the training time before it sends, and
/// reports FACTOR × the training time. Real time, so deadlines and stragglers behave as in the
/// field. Written `FRACTION:FROM-TO:FACTOR`, e.g. `0.2:11-15:5`.
public struct DelaySchedule: Sendable, Hashable, Codable, CustomStringConvertible {
    public var fraction: Double
    public var rounds: ClosedRange<Int>
    public var factor: Double

    public init(fraction: Double, rounds: ClosedRange<Int>, factor: Double) {
        self.fraction = fraction
        self.rounds = rounds
        self.factor = factor
    }

    /// Parses `FRACTION:FROM-TO:FACTOR`; nil when it is not that shape or a value is out of range
    /// (fraction in (0, 1], 1 ≤ FROM ≤ TO, factor ≥ 1).
    public init?(parsing text: String) {
        let parts = text.split(separator: ":").map(String.init)
        guard parts.count == 3, let fraction = Double(parts[0]), fraction > 0, fraction <= 1,
              let factor = Double(parts[2]), factor >= 1, factor.isFinite else { return nil }
        let bounds = parts[1].split(separator: "-").map { Int($0) }
        guard bounds.count == 2, let from = bounds[0], let to = bounds[1], from >= 1, from <= to else { return nil }
        self.init(fraction: fraction, rounds: from...to, factor: factor)
    }

    public var description: String {
        "\(fraction):\(rounds.lowerBound)-\(rounds.upperBound):\(factor)"
    }

    /// The delayed clients of a run with `clients` clients and seed `seed`.
    public func delayedClients(clients: Int, seed: UInt64) -> Set<Int> {
        var ids = Array(0..<clients)
        var rng = SplitMix64(seed: SeedDerivation.seed(run: seed, round: -1, client: -2, purpose: .partition) ^ 0x6465_6C61_7973)
        rng.shuffle(&ids)
        return Set(ids.prefix(Int((fraction * Double(clients)).rounded(.up))))
    }

    /// How many times as long `client` takes in `round`.
    public func slowdown(client: Int, round: Int, delayed: Set<Int>) -> Double {
        rounds.contains(round) && delayed.contains(client) ? factor : 1
    }
}
