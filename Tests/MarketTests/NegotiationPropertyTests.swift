import Learning
import Testing
@testable import Market

/// One round of a seeded random market: clients with true costs and strategies, the auction,
/// and the posted-price offers it leads to.
private struct MarketRound: CustomStringConvertible {
    var round: Int
    var budget: Double
    var maxWinners: Int
    var costs: [Int: Double]
    var strategies: [Int: AnyBidStrategy]
    /// Extra bids that the auction rejects (duplicates, NaN): never to be offered anything.
    var invalid: [MarketBid]

    var bids: [MarketBid] {
        costs.keys.sorted().map { MarketBid(clientID: $0, askPrice: strategies[$0]!.ask(cost: costs[$0]!)) } + invalid
    }

    var description: String {
        "round \(round), B = \(budget), K = \(maxWinners), " + costs.keys.sorted().map { "\($0): cost \(costs[$0]!) \(strategies[$0]!)" }.joined(separator: "; ")
    }

    static func random(count: Int, seed: UInt64) -> [MarketRound] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { round in
            let n = Int.random(in: 1...15, using: &rng)
            // Half the markets are of similar clients (costs 1 to 1.5) with wide margins, where a
            // loser's cost is often below the price of a leftover place.
            let similar = Bool.random(using: &rng)
            var costs: [Int: Double] = [:]
            var strategies: [Int: AnyBidStrategy] = [:]
            for id in Array(0..<60).shuffled(using: &rng).prefix(n) {
                costs[id] = similar ? Double.random(in: 1...1.5, using: &rng)
                    : Bool.random(using: &rng) ? Double(Int.random(in: 0...5, using: &rng)) : Double.random(in: 0...5, using: &rng)
                let margin = Double.random(in: 1...2.5, using: &rng)
                strategies[id] = switch Int.random(in: 0..<3, using: &rng) {
                case 0: .truthful(TruthfulBidding())
                case 1: .margin(try! MarginBidding(margin: margin))
                default: .adaptive(try! AdaptiveMarginBidding(minMargin: 1, maxMargin: 2.5, step: 0.1, margin: margin))
                }
            }
            var invalid: [MarketBid] = []
            if Int.random(in: 0..<4, using: &rng) == 0, let someone = costs.keys.min() {
                invalid = [MarketBid(clientID: someone, askPrice: 0), MarketBid(clientID: 1_000, askPrice: .nan)]
            }
            let asks = costs.keys.sorted().map { strategies[$0]!.ask(cost: costs[$0]!) }.reduce(0, +)  // sorted: dictionary order varies per run
            return MarketRound(
                round: round, budget: Double.random(in: 0...(asks * 1.2 + 1), using: &rng),
                maxWinners: Int.random(in: 1...(n + 2), using: &rng), costs: costs, strategies: strategies, invalid: invalid)
        }
    }
}

@Suite struct NegotiationPropertyTests {
    static let prices: [PostedPriceNegotiation.Price] = [.budgetShare, .fixed(0.5), .fixed(1.2), .fixed(1e-9)]

    /// Over 400 random markets and each posted price: offers go only to valid losers of this
    /// round, once each, at the posted price and within the places left; every client answers by
    /// its own rule (accept iff cost ≤ price); the settled result never exceeds the budget or the
    /// cap, is accepted by the ledger, pays no one who took an offer below its cost, leaves the
    /// auction's winners as they were and pays decliners nothing.
    @Test(arguments: prices) func postedPriceNegotiationKeepsItsInvariants(price: PostedPriceNegotiation.Price) throws {
        let mechanism = try PostedPriceNegotiation(price: price)
        var offersMade = 0
        var accepted = 0
        for market in MarketRound.random(count: 400, seed: 31) {
            let bids = market.bids
            let clearing = try ReverseAuction(budget: market.budget, maxWinners: market.maxWinners).clear(bids)
            let offers = mechanism.offers(round: market.round, bids: bids, clearing: clearing)
            let posted = mechanism.postedPrice(for: clearing)

            let offered = offers.map(\.clientID)
            #expect(Set(offered).count == offered.count, "one offer per client: \(market)")
            #expect(Set(offered).isSubset(of: clearing.losers), "offers only to losers: \(market)")
            #expect(Set(offered).isDisjoint(with: clearing.rejected.map(\.clientID)), "\(market)")
            #expect(offers.allSatisfy { $0.round == market.round && $0.price == posted && $0.price > 0 }, "\(market)")
            #expect(clearing.winners.count + offers.count <= market.maxWinners, "\(market)")
            // Cheapest asks first: every loser offered asked no more than every loser passed over.
            let asks = Dictionary(bids.filter { clearing.losers.contains($0.clientID) }.map { ($0.clientID, $0.askPrice) }, uniquingKeysWith: { a, _ in a })
            let passedOver = clearing.losers.filter { !offered.contains($0) }
            if let dearest = offered.compactMap({ asks[$0] }).max(), let cheapest = passedOver.compactMap({ asks[$0] }).min() {
                #expect(dearest <= cheapest, "\(market)")
            }

            let answers = offers.map { market.strategies[$0.clientID]!.answer(to: $0, cost: market.costs[$0.clientID]!) }
            let outcome = mechanism.settle(round: market.round, clearing: clearing, offers: offers, answers: answers)
            let result = outcome.result
            #expect(outcome.refusedAnswers.isEmpty, "\(market): \(outcome.refusedAnswers)")
            #expect(outcome.unanswered.isEmpty)
            #expect(Set(outcome.accepted + outcome.declined) == Set(offered))
            #expect(PaymentSum.total(result.payments) <= market.budget, "\(market)")
            #expect(result.budgetSpent == PaymentSum.total(result.payments))
            #expect(result.winners.count <= market.maxWinners)
            for id in outcome.accepted {
                #expect(result.payment(to: id) == posted)
                #expect(market.costs[id]! <= result.payment(to: id), "individually rational: \(market)")
            }
            for id in outcome.declined {
                #expect(market.costs[id]! > posted)
                #expect(result.payments[id] == nil)
            }
            for id in clearing.winners { #expect(result.payment(to: id) == clearing.payment(to: id)) }
            #expect(Set(result.winners) == Set(clearing.winners + outcome.accepted))
            #expect(Set(result.losers) == Set(clearing.losers).subtracting(outcome.accepted))
            var ledger = PaymentsLedger()
            #expect(throws: Never.self) { try ledger.record(round: market.round, result: result) }
            offersMade += offers.count
            accepted += outcome.accepted.count
        }
        print("posted price \(price): \(offersMade) offers, \(accepted) accepted over 400 markets")
        #expect(offersMade > 50, "the random markets leave places to offer")
    }

    /// The random markets exercise both answers: with the default price some losers accept the
    /// leftover places and many decline them. Few accept because little is left: the auction
    /// stops where one more winner at its ask would break the budget, so the budget left is less
    /// than one clearing price, shared over the places left.
    @Test func theDefaultPostedPriceIsTakenUpSometimes() throws {
        let mechanism = try PostedPriceNegotiation()
        var accepted = 0
        var declined = 0
        for market in MarketRound.random(count: 400, seed: 31) {
            let clearing = try ReverseAuction(budget: market.budget, maxWinners: market.maxWinners).clear(market.bids)
            let offers = mechanism.offers(round: market.round, bids: market.bids, clearing: clearing)
            let answers = offers.map { market.strategies[$0.clientID]!.answer(to: $0, cost: market.costs[$0.clientID]!) }
            let outcome = mechanism.settle(round: market.round, clearing: clearing, offers: offers, answers: answers)
            accepted += outcome.accepted.count
            declined += outcome.declined.count
        }
        #expect(accepted > 0)
        #expect(declined > 100)
    }

    /// Whatever the clients answer — any mix of yes and no, regardless of cost — the settled
    /// result stays within the budget and the cap: offers are sized for all of them saying yes.
    @Test func anySubsetOfAcceptancesFitsTheBudget() throws {
        var rng = SplitMix64(seed: 8)
        let mechanism = try PostedPriceNegotiation()
        for market in MarketRound.random(count: 300, seed: 9) {
            let clearing = try ReverseAuction(budget: market.budget, maxWinners: market.maxWinners).clear(market.bids)
            let offers = mechanism.offers(round: market.round, bids: market.bids, clearing: clearing)
            for _ in 0..<5 {
                let answers = offers.map { MarketAnswer(offer: $0, accepted: Bool.random(using: &rng)) }
                let outcome = mechanism.settle(round: market.round, clearing: clearing, offers: offers, answers: answers)
                #expect(outcome.result.budgetSpent <= market.budget, "\(market)")
                #expect(outcome.result.winners.count <= market.maxWinners)
                #expect(outcome.refusedAnswers.isEmpty, "no answer refused for lack of room: \(market)")
                #expect(outcome.accepted == answers.filter(\.accepted).map(\.clientID).sorted())
            }
        }
    }

    /// Settling is safe against offers the mechanism did not make: an offer to a winner is
    /// refused, and so are more acceptances than the budget or the places allow.
    @Test func settlingRefusesAcceptancesThatWouldNotFit() throws {
        let auction = try ReverseAuction(budget: 16, maxWinners: 4)
        let bids = [1: 2.0, 2: 4, 3: 6, 4: 10].map { MarketBid(clientID: $0.key, askPrice: $0.value) }
        let clearing = auction.clear(bids)
        #expect(clearing.winners == [1, 2] && clearing.clearingPrice == 6 && clearing.budgetSpent == 12)
        let forged = [
            MarketOffer(round: 1, clientID: 1, price: 1), // a winner
            MarketOffer(round: 1, clientID: 3, price: 3),
            MarketOffer(round: 1, clientID: 4, price: 3), // 12 + 3 + 3 > 16
        ]
        let outcome = NoNegotiation().settle(
            round: 1, clearing: clearing, offers: forged, answers: forged.map { MarketAnswer(offer: $0, accepted: true) })
        #expect(outcome.accepted == [3])
        #expect(outcome.refusedAnswers == [
            RefusedAnswer(clientID: 1, reason: .notALoser), RefusedAnswer(clientID: 4, reason: .noRoomLeft),
        ])
        #expect(outcome.result.budgetSpent == 15)
        #expect(outcome.result.payments == [1: 6, 2: 6, 3: 3])
    }
}

@Suite struct NegotiationTests {
    /// B 16, K 4, true costs 1, 2, 3, 5 all bid at margin 2: asks 2, 4, 6, 10. The auction takes
    /// two (3 · 6 > 16) at min(6, 16 / 2) = 6 and leaves 4 and two places. A posted price of 4
    /// fits one offer (12 + 4 = 16): client 3, the cheaper loser, whose cost 3 ≤ 4 accepts.
    @Test func aPostedPriceFillsAPlaceTheMarginBiddersLeft() throws {
        let costs = [1: 1.0, 2: 2, 3: 3, 4: 5]
        let strategy = AnyBidStrategy.margin(try MarginBidding(margin: 2))
        let bids = costs.keys.sorted().map { MarketBid(clientID: $0, askPrice: strategy.ask(cost: costs[$0]!)) }
        let clearing = try ReverseAuction(budget: 16, maxWinners: 4).clear(bids)
        #expect(clearing.winners == [1, 2])
        #expect(clearing.budgetSpent == 12)

        let fixed = try PostedPriceNegotiation(price: .fixed(4))
        let offers = fixed.offers(round: 3, bids: bids, clearing: clearing)
        #expect(offers == [MarketOffer(round: 3, clientID: 3, price: 4)])
        let answers = offers.map { strategy.answer(to: $0, cost: costs[$0.clientID]!) }
        #expect(answers == [MarketAnswer(round: 3, clientID: 3, price: 4, accepted: true)])
        let outcome = fixed.settle(round: 3, clearing: clearing, offers: offers, answers: answers)
        #expect(outcome.accepted == [3])
        #expect(outcome.result.winners == [1, 2, 3])
        #expect(outcome.result.losers == [4])
        #expect(outcome.result.payments == [1: 6, 2: 6, 3: 4])
        #expect(outcome.result.budgetSpent == 16)
        #expect(outcome.result.clearingPrice == 6, "the auction's price stays on record")
        #expect(outcome.result.reason.contains("Negotiation (posted-price(4.0)): 1 offer(s), 1 accepted"))

        // The default shares the 4 left over the two places: 2 each, to both losers; both decline.
        let share = try PostedPriceNegotiation()
        let shared = share.offers(round: 3, bids: bids, clearing: clearing)
        #expect(shared == [MarketOffer(round: 3, clientID: 3, price: 2), MarketOffer(round: 3, clientID: 4, price: 2)])
        let declined = share.settle(round: 3, clearing: clearing, offers: shared, answers: shared.map { strategy.answer(to: $0, cost: costs[$0.clientID]!) })
        #expect(declined.declined == [3, 4])
        #expect(declined.result.payments == clearing.payments)

        // The feedback a loser that took an offer gets: lost the auction, paid the offer.
        #expect(BidFeedback(round: 3, clientID: 3, clearing: clearing, negotiation: outcome)
            == BidFeedback(round: 3, outcome: .lost, clearingPrice: 6, payment: 4))
        #expect(BidFeedback(round: 3, clientID: 1, clearing: clearing)
            == BidFeedback(round: 3, outcome: .won, clearingPrice: 6, payment: 6))
    }

    /// Answers that match no offer are refused with the reason, and the client counts as unanswered.
    @Test func malformedAnswersAreRefusedWithReasons() throws {
        let bids = [1: 2.0, 2: 4, 3: 6, 4: 10, 5: 12].map { MarketBid(clientID: $0.key, askPrice: $0.value) }
        let clearing = try ReverseAuction(budget: 16, maxWinners: 5).clear(bids)
        let mechanism = try PostedPriceNegotiation(price: .fixed(1))
        let offers = mechanism.offers(round: 2, bids: bids, clearing: clearing)
        #expect(offers.map(\.clientID) == [3, 4, 5])
        let answers = [
            MarketAnswer(round: 2, clientID: 3, price: 1.5, accepted: true),  // not the offered price
            MarketAnswer(round: 1, clientID: 4, price: 1, accepted: true),    // another round
            MarketAnswer(round: 2, clientID: 5, price: 1, accepted: true),    // twice
            MarketAnswer(round: 2, clientID: 5, price: 1, accepted: false),
            MarketAnswer(round: 2, clientID: 9, price: 1, accepted: true),    // never offered
        ]
        let outcome = mechanism.settle(round: 2, clearing: clearing, offers: offers, answers: answers)
        #expect(outcome.accepted.isEmpty && outcome.declined.isEmpty)
        #expect(outcome.unanswered == [3, 4, 5])
        #expect(outcome.refusedAnswers == [
            RefusedAnswer(clientID: 3, reason: .priceMismatch(offered: 1, answered: 1.5)),
            RefusedAnswer(clientID: 4, reason: .wrongRound(1)),
            RefusedAnswer(clientID: 5, reason: .duplicateAnswer(count: 2)),
            RefusedAnswer(clientID: 9, reason: .noOffer),
        ])
        #expect(outcome.result.payments == clearing.payments)
    }

    @Test func noNegotiationLeavesTheAuctionAlone() throws {
        let bids = [MarketBid(clientID: 1, askPrice: 2), MarketBid(clientID: 2, askPrice: 9)]
        let clearing = try ReverseAuction(budget: 10, maxWinners: 2).clear(bids)
        let none = NoNegotiation()
        #expect(none.offers(round: 1, bids: bids, clearing: clearing).isEmpty)
        #expect(none.settle(round: 1, clearing: clearing, offers: [], answers: []).result == clearing)
    }

    /// After this auction the budget left never covers another payment at the clearing price
    /// (see ``PostedPriceNegotiation``), which is why that price is not on offer.
    @Test func theClearingPriceNeverFitsAnotherPlace() throws {
        for market in MarketRound.random(count: 400, seed: 12) {
            let clearing = try ReverseAuction(budget: market.budget, maxWinners: market.maxWinners).clear(market.bids)
            guard clearing.winners.count < market.maxWinners, !clearing.losers.isEmpty, clearing.clearingPrice > 0 else { continue }
            var payments = clearing.payments
            payments[clearing.losers[0]] = clearing.clearingPrice
            #expect(PaymentSum.total(payments) > market.budget, "\(market)")
        }
    }

    @Test func invalidFixedPricesThrow() {
        #expect(throws: NegotiationConfigurationError.invalidFixedPrice(0)) { try PostedPriceNegotiation(price: .fixed(0)) }
        #expect(throws: NegotiationConfigurationError.self) { try PostedPriceNegotiation(price: .fixed(-1)) }
        #expect(throws: NegotiationConfigurationError.self) { try PostedPriceNegotiation(price: .fixed(.infinity)) }
        #expect(throws: NegotiationConfigurationError.self) { try PostedPriceNegotiation(price: .fixed(.nan)) }
        #expect(NegotiationConfigurationError.invalidFixedPrice(-1).description.contains("-1.0"))
    }
}
