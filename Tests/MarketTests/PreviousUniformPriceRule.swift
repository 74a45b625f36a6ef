@testable import Market

/// The auction's winner count and price as computed before the winner test and the price were
/// made to round alike (commit 69cecab): kept only so a test can show the fix moved nothing but
/// the last bits.
enum PreviousUniformPriceRule {
    static func clear(_ bids: [MarketBid], budget: Double, maxWinners: Int, pricing: ReverseAuction.UnmatchedPricing) -> (winners: [Int], price: Double) {
        let (valid, _) = ReverseAuction.validate(bids)
        let sorted = valid.sorted { ($0.askPrice, $0.clientID) < ($1.askPrice, $1.clientID) }
        let limit = min(maxWinners, sorted.count)
        var k = 0
        while k < limit, Double(k + 1) * sorted[k].askPrice <= budget { k += 1 }
        while k > 0, ReverseAuction.total(of: sorted[k - 1].askPrice, times: k) > budget { k -= 1 }
        guard k > 0 else { return ([], 0) }
        let floor = sorted[k - 1].askPrice
        let ideal: Double = if k < sorted.count {
            min(sorted[k].askPrice, budget / Double(k))
        } else {
            pricing == .budgetShare ? budget / Double(k) : floor
        }
        var price = max(ideal, floor)
        var steps = 0
        while ReverseAuction.total(of: price, times: k) > budget, price > floor {
            steps += 1
            price = steps < 64 ? max(price.nextDown, floor) : floor
        }
        return (sorted[..<k].map(\.clientID).sorted(), price)
    }
}
