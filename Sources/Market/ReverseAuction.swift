/// A budget-constrained, uniform-price reverse auction (a procurement auction: the buyer,
/// the server, pays sellers, the clients, for their training work).
///
/// ## The rule
/// Valid bids are sorted by `(askPrice, clientID)` ascending; the client id is the
/// deterministic tie-break, so the outcome does not depend on the order bids arrived in.
/// Write the sorted asks as a₁ ≤ a₂ ≤ … ≤ aₙ, the budget as B and the winner cap as K.
///
/// - **Winners**: the first k bids, for the largest k ≤ min(K, n) with k · aₖ ≤ B
///   (equivalently aₖ ≤ B / k). Because k · aₖ only grows with k, the feasible k form a
///   prefix, so "largest" is well defined; k = 0 when even a₁ > B. In floating point the test
///   is `fits(_:winners:budget:)`: aₖ ≤ B / k, k · aₖ ≤ B and aₖ added up k times ≤ B, each
///   as rounded; every part only grows with aₖ and k, so the prefix argument still holds.
/// - **Price**: one price p for every winner,
///   - p = min(aₖ₊₁, B / k) when there is a (k+1)-th valid bid — the *threshold price*;
///   - otherwise (every valid bid won) per ``UnmatchedPricing``: aₖ, the highest winning
///     ask (the default), or B / k.
/// - **Payments**: every winner is paid p, losers and rejected bidders nothing.
///
/// ## Properties
/// - *Individually rational*: p ≥ aₖ ≥ every winner's ask (aₖ₊₁ ≥ aₖ, and B / k ≥ aₖ by
///   the choice of k), so no winner is paid less than it asked.
/// - *Budget-feasible*: k · p ≤ k · (B / k) = B. In floating point the price is the largest
///   double ≤ the ideal one that passes the same test as the winners, `fits(_:winners:budget:)`,
///   so the sum of the payments, added up in winner order, is ≤ B; it is never below aₖ, which
///   passed that test.
/// - *Deterministic*: a total order on bids and no randomness; shuffled input, same result.
/// - *Monotone*: a winner that asks less still wins.
/// - *Truthful* in the threshold case: min(aₖ₊₁, B / k) is exactly the highest ask with
///   which a winner would still have won (the supremum: at a tie with aₖ₊₁ the client id
///   decides), to the last bit, because the price and the winner test round alike; and it does
///   not depend on the winner's own ask, so asking one's true cost is a dominant strategy.
///   When every bid wins and the price is the highest winning ask, that bidder sets its own
///   price and gains by over-asking (up to B / k); ``UnmatchedPricing/budgetShare`` restores
///   truthfulness there at the cost of spending the whole budget. ``properties`` says which
///   guarantees hold for every bid set; the property tests check exactly those, and exhibit
///   the counterexample.
public struct ReverseAuction: Sendable, Hashable {
    /// How to price a round in which every valid bid wins (no (k+1)-th bid sets the price).
    public enum UnmatchedPricing: String, Sendable, Hashable, Codable, CaseIterable {
        /// Pay the highest winning ask: cheap, but that bidder sets its own price.
        case highestWinningAsk
        /// Pay B / k: truthful, and spends the whole budget.
        case budgetShare
    }

    /// Total money available this round (B).
    public let budget: Double
    /// The largest number of winners (K).
    public let maxWinners: Int
    /// Pricing when every valid bid wins.
    public let unmatchedPricing: UnmatchedPricing

    /// - Throws: ``AuctionConfigurationError`` when the budget is negative or not finite, or
    ///   `maxWinners` is negative.
    public init(
        budget: Double,
        maxWinners: Int,
        unmatchedPricing: UnmatchedPricing = .highestWinningAsk
    ) throws(AuctionConfigurationError) {
        guard budget.isFinite, budget >= 0 else { throw .invalidBudget(budget) }
        guard maxWinners >= 0 else { throw .invalidMaxWinners(maxWinners) }
        self.budget = budget
        self.maxWinners = maxWinners
        self.unmatchedPricing = unmatchedPricing
    }

    /// Clears the market for `bids` (already filtered by the selection policy).
    ///
    /// Invalid bids never stop the auction: they are listed in ``ClearingResult/rejected``
    /// with a reason, and the rest clear as if they had not been sent.
    public func clear(_ bids: [MarketBid]) -> ClearingResult {
        let (valid, rejected) = Self.validate(bids)
        let sorted = valid.sorted { ($0.askPrice, $0.clientID) < ($1.askPrice, $1.clientID) }

        let k = winnerCount(sorted)
        guard k > 0 else {
            return ClearingResult(
                budget: budget,
                maxWinners: maxWinners,
                winners: [],
                clearingPrice: 0,
                payments: [:],
                rejected: rejected,
                losers: sorted.map(\.clientID).sorted(),
                budgetSpent: 0,
                reason: noWinnerReason(sorted: sorted, rejected: rejected)
            )
        }

        let highestWinningAsk = sorted[k - 1].askPrice
        let budgetShare = budget / Double(k)
        let runnerUp: MarketBid? = k < sorted.count ? sorted[k] : nil
        let ideal: Double
        switch (runnerUp, unmatchedPricing) {
        case (let next?, _): ideal = min(next.askPrice, budgetShare)
        case (nil, .highestWinningAsk): ideal = highestWinningAsk
        case (nil, .budgetShare): ideal = budgetShare
        }
        let price = Self.largestFeasiblePrice(atMost: ideal, atLeast: highestWinningAsk, winners: k, budget: budget)

        let winners = sorted[..<k].map(\.clientID).sorted()
        let losers = sorted[k...].map(\.clientID).sorted()
        var payments: [Int: Double] = [:]
        for id in winners { payments[id] = price }
        let spent = Self.total(of: price, times: k)

        return ClearingResult(
            budget: budget,
            maxWinners: maxWinners,
            winners: winners,
            clearingPrice: price,
            payments: payments,
            rejected: rejected,
            losers: losers,
            budgetSpent: spent,
            reason: winnerReason(
                k: k, validCount: sorted.count, price: price, spent: spent,
                runnerUp: runnerUp, budgetShare: budgetShare, rejectedCount: rejected.count
            )
        )
    }

    // MARK: - Steps

    /// Splits bids into valid ones and rejections (ascending by client id, then reason).
    static func validate(_ bids: [MarketBid]) -> (valid: [MarketBid], rejected: [RejectedBid]) {
        var counts: [Int: Int] = [:]
        for bid in bids { counts[bid.clientID, default: 0] += 1 }

        var valid: [MarketBid] = []
        var rejected: [RejectedBid] = []
        var reportedDuplicates: Set<Int> = []
        for bid in bids {
            if let count = counts[bid.clientID], count > 1 {
                if reportedDuplicates.insert(bid.clientID).inserted {
                    rejected.append(RejectedBid(clientID: bid.clientID, reason: .duplicateClientID(count: count)))
                }
            } else if bid.askPrice.isNaN {
                rejected.append(RejectedBid(clientID: bid.clientID, reason: .notANumber))
            } else if bid.askPrice.isInfinite {
                rejected.append(RejectedBid(clientID: bid.clientID, reason: .infiniteAsk))
            } else if bid.askPrice < 0 {
                rejected.append(RejectedBid(clientID: bid.clientID, reason: .negativeAsk(bid.askPrice)))
            } else {
                valid.append(bid)
            }
        }
        rejected.sort { $0.clientID < $1.clientID }
        return (valid, rejected)
    }

    /// The largest k ≤ min(K, n) whose k-th ask, paid to k winners, fits the budget.
    func winnerCount(_ sorted: [MarketBid]) -> Int {
        let limit = min(maxWinners, sorted.count)
        var k = 0
        // Whether aₖ fits only gets harder as k and aₖ grow, so the first failure ends the search.
        while k < limit, Self.fits(sorted[k].askPrice, winners: k + 1, budget: budget) { k += 1 }
        return k
    }

    /// Whether `winners` payments of `price` fit `budget`: the rule's k · p ≤ B, held in all
    /// three forms floating point can round it to — p ≤ B / k (so the price never exceeds the
    /// budget share as computed), the product k · p ≤ B, and the running sum a ledger adds up
    /// ≤ B. Each form only grows with p and with k. The winner test and the price both use this
    /// one predicate, so the price is exactly the highest ask with which a winner still wins.
    static func fits(_ price: Double, winners: Int, budget: Double) -> Bool {
        price <= budget / Double(winners)
            && Double(winners) * price <= budget
            && total(of: price, times: winners) <= budget
    }

    /// `price` added up `count` times, in the order a ledger would add the payments.
    static func total(of price: Double, times count: Int) -> Double {
        var sum = 0.0
        for _ in 0..<count { sum += price }
        return sum
    }

    /// The largest double in [`floor`, `ideal`] at which `winners` payments `fits(_:winners:budget:)`
    /// the budget; `floor`, which the winner test already showed fits, when nothing above does.
    ///
    /// A binary search over the doubles in between (their bit patterns are ordered like the
    /// values for non-negative numbers), exact however many ulps the answer lies below `ideal`.
    static func largestFeasiblePrice(atMost ideal: Double, atLeast floor: Double, winners: Int, budget: Double) -> Double {
        let low = floor == 0 ? 0 : floor  // -0.0 to +0.0, whose bit pattern orders
        let high = max(ideal, low)
        if fits(high, winners: winners, budget: budget) { return high }
        // Invariant: the double with bit pattern `fitting` fits, the one with `failing` does not.
        var fitting = low.bitPattern
        var failing = high.bitPattern
        while failing - fitting > 1 {
            let middle = fitting + (failing - fitting) / 2
            if fits(Double(bitPattern: middle), winners: winners, budget: budget) { fitting = middle } else { failing = middle }
        }
        return Double(bitPattern: fitting)
    }

    // MARK: - Reasons

    private func noWinnerReason(sorted: [MarketBid], rejected: [RejectedBid]) -> String {
        let rejectedNote = rejected.isEmpty ? "" : "; \(rejected.count) bid(s) rejected as invalid"
        if maxWinners == 0 {
            return "No winners: the round allows 0 winners (K = 0)\(rejectedNote)."
        }
        guard let cheapest = sorted.first else {
            return "No winners: no valid bids\(rejectedNote)."
        }
        return "No winners: the cheapest ask \(cheapest.askPrice) (client \(cheapest.clientID)) exceeds the budget \(budget)\(rejectedNote)."
    }

    private func winnerReason(
        k: Int, validCount: Int, price: Double, spent: Double,
        runnerUp: MarketBid?, budgetShare: Double, rejectedCount: Int
    ) -> String {
        let limit: String
        if k == maxWinners {
            limit = "the cap K = \(maxWinners)"
        } else if k == validCount {
            limit = "every valid bid"
        } else {
            limit = "the budget (one more winner would cost more than \(budget))"
        }
        let priceSource: String
        if let next = runnerUp {
            priceSource = next.askPrice <= budgetShare
                ? "the lowest losing ask (client \(next.clientID))"
                : "the budget share B / k"
        } else {
            priceSource = unmatchedPricing == .budgetShare ? "the budget share B / k" : "the highest winning ask"
        }
        let rejectedNote = rejectedCount == 0 ? "" : "; \(rejectedCount) bid(s) rejected as invalid"
        return "\(k) of \(validCount) valid bid(s) won, limited by \(limit); each is paid \(price), "
            + "set by \(priceSource); spent \(spent) of budget \(budget)\(rejectedNote)."
    }
}
