@testable import Market

/// Checks of the properties a ``MarketMechanism`` may claim, one bid set at a time.
///
/// Each check re-runs the mechanism with one bidder's ask changed and everything else fixed, and
/// returns the violations it found as sentences (empty: the property held on this bid set).
/// Comparisons are exact: the mechanism's own floating-point arithmetic is what is on trial.
struct MechanismLaws<M: MarketMechanism> {
    let mechanism: M
    let bids: [MarketBid]

    init(_ mechanism: M, _ bids: [MarketBid]) {
        self.mechanism = mechanism
        self.bids = bids
    }

    var result: ClearingResult { mechanism.clear(bids) }

    /// Bidders whose bid the mechanism considered (neither rejected nor duplicated).
    var validBids: [MarketBid] {
        let rejected = Set(result.rejected.map(\.clientID))
        return bids.filter { !rejected.contains($0.clientID) }
    }

    /// The result when `clientID` asks `ask` instead, everyone else as before.
    func clear(with clientID: Int, asking ask: Double) -> ClearingResult {
        mechanism.clear(bids.map { $0.clientID == clientID ? MarketBid(clientID: clientID, askPrice: ask) : $0 })
    }

    /// Utility of `clientID` with true cost `cost` when it asks `ask`: payment − cost if it wins.
    func utility(of clientID: Int, cost: Double, asking ask: Double) -> Double {
        let outcome = clear(with: clientID, asking: ask)
        return outcome.winners.contains(clientID) ? outcome.payment(to: clientID) - cost : 0
    }

    // MARK: - Properties

    /// Payments, added as the ledger adds them, ≤ budget; `budgetSpent` agrees and fits too.
    func budgetFeasibility() -> [String] {
        let r = result
        var sum = 0.0
        for id in r.payments.keys.sorted() { sum += r.payments[id] ?? 0 }
        var problems: [String] = []
        if sum > r.budget { problems.append("payments add up to \(sum) > budget \(r.budget)") }
        if r.budgetSpent != sum { problems.append("budgetSpent \(r.budgetSpent) ≠ sum of payments \(sum)") }
        if r.winners.count > r.maxWinners { problems.append("\(r.winners.count) winners > cap \(r.maxWinners)") }
        return problems
    }

    /// No winner paid below its ask; nobody but winners paid; every payment finite and ≥ 0.
    func individualRationality() -> [String] {
        let r = result
        let asks = Dictionary(validBids.map { ($0.clientID, $0.askPrice) }, uniquingKeysWith: { a, _ in a })
        var problems: [String] = []
        for winner in r.winners {
            let paid = r.payment(to: winner)
            guard let ask = asks[winner] else { problems.append("winner \(winner) had no valid bid"); continue }
            if !(paid >= ask) { problems.append("winner \(winner) asked \(ask) but is paid \(paid)") }
        }
        let winners = Set(r.winners)
        for (id, amount) in r.payments {
            if !winners.contains(id) { problems.append("non-winner \(id) is paid \(amount)") }
            if !(amount.isFinite && amount >= 0) { problems.append("payment \(amount) to \(id) is not finite and ≥ 0") }
        }
        return problems
    }

    /// A winner that asks less, all else equal, still wins.
    func monotonicity() -> [String] {
        let r = result
        var problems: [String] = []
        for bid in validBids where r.winners.contains(bid.clientID) {
            for lower in lowerAsks(than: bid.askPrice) where !clear(with: bid.clientID, asking: lower).winners.contains(bid.clientID) {
                problems.append("winner \(bid.clientID) at ask \(bid.askPrice) loses when it asks \(lower)")
            }
        }
        return problems
    }

    /// A winner paid p wins with every ask below p and loses with every ask above it: p is the
    /// supremum of its winning asks (at p itself a tie may go either way by client id).
    func thresholdPayments() -> [String] {
        let r = result
        var problems: [String] = []
        for bid in validBids where r.winners.contains(bid.clientID) {
            let p = r.payment(to: bid.clientID)
            let below = [p.nextDown, (bid.askPrice + p) / 2, bid.askPrice].filter { $0 >= 0 && $0 < p }
            for ask in below where !clear(with: bid.clientID, asking: ask).winners.contains(bid.clientID) {
                problems.append("winner \(bid.clientID) paid \(p) loses with the lower ask \(ask)")
            }
            let above = [p.nextUp, p * 2, p + 1].filter { $0.isFinite && $0 > p }
            for ask in above where clear(with: bid.clientID, asking: ask).winners.contains(bid.clientID) {
                problems.append("winner \(bid.clientID) paid \(p) still wins asking \(ask): its threshold is higher")
            }
        }
        return problems
    }

    /// Taking each bidder's ask as its true cost, no misreport on the grid raises its utility.
    func truthfulness() -> [String] {
        var problems: [String] = []
        for bid in validBids {
            let cost = bid.askPrice
            let truthful = utility(of: bid.clientID, cost: cost, asking: cost)
            for lie in misreports(of: bid) {
                let gained = utility(of: bid.clientID, cost: cost, asking: lie)
                if gained > truthful {
                    problems.append("client \(bid.clientID) with cost \(cost) gets \(gained) asking \(lie) but \(truthful) asking its cost")
                }
            }
        }
        return problems
    }

    /// Every violation of the properties `claims`.
    func violations(of claims: MechanismProperties) -> [String] {
        var all: [String] = []
        if claims.contains(.budgetFeasible) { all += budgetFeasibility() }
        if claims.contains(.individuallyRational) { all += individualRationality() }
        if claims.contains(.monotone) { all += monotonicity() }
        if claims.contains(.thresholdPayments) { all += thresholdPayments() }
        if claims.contains(.truthful) { all += truthfulness() }
        return all
    }

    // MARK: - Grids

    /// The other bidders' asks and their neighbours: where a bidder's rank changes.
    private func pivots(excluding clientID: Int) -> [Double] {
        validBids.filter { $0.clientID != clientID }.flatMap { [$0.askPrice.nextDown, $0.askPrice, $0.askPrice.nextUp] }
    }

    private func lowerAsks(than ask: Double) -> [Double] {
        ([0, ask / 2, ask.nextDown] + validBids.flatMap { [$0.askPrice.nextDown, $0.askPrice] })
            .filter { $0 >= 0 && $0 < ask }
    }

    /// Asks around the cost, the others' asks, the budget shares B/k and the truthful payment.
    private func misreports(of bid: MarketBid) -> [Double] {
        let c = bid.askPrice
        let b = result.budget
        let paid = result.payment(to: bid.clientID)
        let shares = (1...(validBids.count + 1)).flatMap { k in [b / Double(k), (b / Double(k)).nextDown, (b / Double(k)).nextUp] }
        let grid = [0, c / 2, c * 0.9, c.nextDown, c.nextUp, c * 1.1, c * 1.5, c * 2, c + 1, b, paid.nextDown, paid, paid.nextUp]
            + shares + pivots(excluding: bid.clientID)
        return Array(Set(grid.filter { $0.isFinite && $0 >= 0 && $0 != c })).sorted()
    }
}
