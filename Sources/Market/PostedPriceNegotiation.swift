/// After the auction, offers the places it left unfilled to losing bidders at one posted price.
///
/// ## The rule
/// With B the budget, K the cap, k winners and S the auction's spending:
/// - places left = K − k; no offers when there are none, or no losers, or the price is not > 0;
/// - the price is ``Price``: the budget left shared over the places left, (B − S) / (K − k)
///   (the default), or a fixed figure;
/// - losers are offered in the order of their asks, `(askPrice, clientID)` ascending (the cheapest
///   first, as the likeliest to accept), as many as fit **if every offer were accepted**: places
///   and budget both, the payments added as the ledger adds them. Floating-point addition is
///   monotone, so any subset of accepted offers fits too.
///
/// Each client accepts iff its cost is at most the price (``BidStrategy/accepts(_:cost:)``), so
/// with that rule no one is paid below its cost: the posted price does not depend on the
/// client's own ask, and taking exactly the offers that cover one's cost is a dominant strategy.
///
/// Why not post the auction's clearing price p: after ``ReverseAuction`` the budget left never
/// covers one more payment of p. A place is left only when the budget stopped the auction
/// ((k + 1) · aₖ₊₁ > B) and p = min(aₖ₊₁, B / k), so either p = aₖ₊₁ and (k + 1) · p > B, or
/// p = B / k and nothing is left. Offers are only worth making below the clearing price, to
/// losers whose ask was dearer than their cost — margin bidders.
public struct PostedPriceNegotiation: NegotiationMechanism {
    /// How the posted price is set.
    public enum Price: Sendable, Hashable, Codable {
        /// The budget the auction left, shared equally over the places it left.
        case budgetShare
        /// A fixed price, finite and > 0.
        case fixed(Double)
    }

    public let price: Price

    /// - Throws: ``NegotiationConfigurationError/invalidFixedPrice(_:)`` for a fixed price that is
    ///   not finite and > 0.
    public init(price: Price = .budgetShare) throws(NegotiationConfigurationError) {
        if case .fixed(let value) = price, !(value.isFinite && value > 0) { throw .invalidFixedPrice(value) }
        self.price = price
    }

    public var name: String {
        switch price {
        case .budgetShare: "posted-price(budget share)"
        case .fixed(let value): "posted-price(\(value))"
        }
    }

    /// The price offers would be made at after `clearing` (0 when there is nothing to offer).
    public func postedPrice(for clearing: ClearingResult) -> Double {
        let places = clearing.maxWinners - clearing.winners.count
        guard places > 0 else { return 0 }
        switch price {
        case .budgetShare: return max(0, clearing.budget - clearing.budgetSpent) / Double(places)
        case .fixed(let value): return value
        }
    }

    public func offers(round: Int, bids: [MarketBid], clearing: ClearingResult) -> [MarketOffer] {
        let posted = postedPrice(for: clearing)
        guard posted > 0, posted.isFinite else { return [] }
        let losers = Set(clearing.losers)
        var asks: [Int: Double] = [:]
        for bid in bids where losers.contains(bid.clientID) { asks[bid.clientID] = bid.askPrice }
        let order = clearing.losers.sorted {
            (asks[$0] ?? .infinity, $0) < (asks[$1] ?? .infinity, $1)
        }

        var payments = clearing.payments
        var offers: [MarketOffer] = []
        for clientID in order {
            guard clearing.winners.count + offers.count < clearing.maxWinners else { break }
            payments[clientID] = posted
            // Same price for every offer, and the sum only grows: the first misfit ends the list.
            guard PaymentSum.total(payments) <= clearing.budget else { break }
            offers.append(MarketOffer(round: round, clientID: clientID, price: posted))
        }
        return offers
    }
}
