import Learning
@testable import Market

/// A bid set with the auction it is cleared in.
struct AuctionCase: CustomStringConvertible {
    var budget: Double
    var maxWinners: Int
    var bids: [MarketBid]

    var description: String {
        "B = \(budget), K = \(maxWinners), bids " + bids.map { "\($0.clientID):\($0.askPrice)" }.joined(separator: " ")
    }

    func auction(_ pricing: ReverseAuction.UnmatchedPricing) throws -> ReverseAuction {
        try ReverseAuction(budget: budget, maxWinners: maxWinners, unmatchedPricing: pricing)
    }
}

/// The bid sets the property tests run over: seeded random ones and hand-made adversarial ones.
enum BidSets {
    /// `count` random cases from `seed`: coarse asks (ties common), fine asks (rounding), zeros,
    /// budgets that bind or not, caps below and above the number of bidders.
    static func random(count: Int, seed: UInt64, maxBidders: Int = 12) -> [AuctionCase] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let n = Int.random(in: 1...maxBidders, using: &rng)
            let ids = Array(0..<100).shuffled(using: &rng).prefix(n)
            let style = Int.random(in: 0..<4, using: &rng)
            let bids = ids.map { id -> MarketBid in
                let ask: Double = switch style {
                case 0: Double(Int.random(in: 0...6, using: &rng))
                case 1: Double.random(in: 0...10, using: &rng)
                case 2: 0.1 * Double(Int.random(in: 0...50, using: &rng))
                default: Bool.random(using: &rng) ? 0 : Double.random(in: 0...1e6, using: &rng)
                }
                return MarketBid(clientID: id, askPrice: ask)
            }
            let total = bids.map(\.askPrice).reduce(0, +)
            let budget: Double = switch Int.random(in: 0..<3, using: &rng) {
            case 0: Double.random(in: 0...(total + 1), using: &rng)
            case 1: 0.1 * Double(Int.random(in: 0...400, using: &rng))
            default: (total + 1) * Double.random(in: 1...3, using: &rng)
            }
            return AuctionCase(budget: budget, maxWinners: Int.random(in: 1...(n + 3), using: &rng), bids: bids)
        }
    }

    /// Hand-made edge cases: ties (everywhere, at the margin, at the price), a single bidder, every
    /// ask above the budget, zero, tiny and huge asks, asks exactly at a budget share B / k,
    /// duplicated client ids and invalid asks next to valid ones, a zero budget, a cap of 1.
    static let adversarial: [AuctionCase] = {
        func asks(_ values: [Double]) -> [MarketBid] { values.enumerated().map { MarketBid(clientID: $0.offset + 1, askPrice: $0.element) } }
        var cases: [AuctionCase] = []
        for budget in [0.0, 0.3, 1, 6, 10, 100] {
            for k in [1, 2, 3, 5, 10] {
                cases += [
                    AuctionCase(budget: budget, maxWinners: k, bids: asks([2, 2, 2, 2, 2])),             // all tied
                    AuctionCase(budget: budget, maxWinners: k, bids: asks([1, 2, 2, 2, 3])),             // tie at the margin
                    AuctionCase(budget: budget, maxWinners: k, bids: asks([3])),                         // single bidder
                    AuctionCase(budget: budget, maxWinners: k, bids: asks([0])),
                    AuctionCase(budget: budget, maxWinners: k, bids: asks([0, 0, 0])),                   // zero asks
                    AuctionCase(budget: budget, maxWinners: k, bids: asks([0, 1, 0, 1])),
                    AuctionCase(budget: budget, maxWinners: k, bids: asks([budget + 1, budget * 2 + 5])), // all above budget
                    AuctionCase(budget: budget, maxWinners: k, bids: asks([Double.leastNonzeroMagnitude, 1e-300, 1])),         // subnormal, tiny
                    AuctionCase(budget: budget, maxWinners: k, bids: asks([1e300, .greatestFiniteMagnitude, 1])), // huge
                    AuctionCase(budget: budget, maxWinners: k, bids: asks([budget / 3, budget / 3, budget / 3, budget / 2])),
                    AuctionCase(budget: budget, maxWinners: k, bids: asks([budget / 3, (budget / 3).nextUp, (budget / 3).nextDown])),
                    AuctionCase(budget: budget, maxWinners: k, bids: asks([0.1, 0.1, 0.1, 0.2, 0.3])),
                    AuctionCase(budget: budget, maxWinners: k, bids: asks([budget, budget])),
                    AuctionCase(budget: budget, maxWinners: k, bids: [                                  // duplicates, invalid asks
                        MarketBid(clientID: 1, askPrice: 1), MarketBid(clientID: 1, askPrice: 0.5),
                        MarketBid(clientID: 2, askPrice: 2), MarketBid(clientID: 3, askPrice: .nan),
                        MarketBid(clientID: 4, askPrice: -1), MarketBid(clientID: 5, askPrice: .infinity),
                        MarketBid(clientID: 6, askPrice: 2), MarketBid(clientID: 7, askPrice: 4),
                    ]),
                ]
            }
        }
        // Budgets that are exact multiples of an ask, where k · aₖ = B to the last bit or nearly.
        for (budget, ask) in [(0.3, 0.1), (0.7, 0.1), (1, 1.0 / 3), (3.0000000000000004, 1), (1e308, 1e307)] {
            for k in [2, 3, 7, 12] {
                cases.append(AuctionCase(budget: budget, maxWinners: k, bids: asks(Array(repeating: ask, count: 10))))
            }
        }
        cases.append(AuctionCase(budget: .greatestFiniteMagnitude, maxWinners: 3, bids: asks([1e308, 1e308, 1e308, 1e308])))
        return cases
    }()

    static func all(randomCount: Int = 500, seed: UInt64 = 20_250_801) -> [AuctionCase] {
        adversarial + random(count: randomCount, seed: seed)
    }
}
