import Learning
import Testing
import WireProtocol
@testable import Market

@Suite struct ReverseAuctionTests {
    private func bids(_ asks: [Int: Double]) -> [MarketBid] {
        asks.keys.sorted().map { MarketBid(clientID: $0, askPrice: asks[$0] ?? 0) }
    }

    @Test func thresholdPriceIsTheLowestLosingAsk() throws {
        let auction = try ReverseAuction(budget: 100, maxWinners: 3)
        let result = auction.clear(bids([1: 5, 2: 3, 3: 8, 4: 10, 5: 4]))
        #expect(result.winners == [1, 2, 5])
        #expect(result.clearingPrice == 8)
        #expect(result.payments == [1: 8, 2: 8, 5: 8])
        #expect(result.losers == [3, 4])
        #expect(result.budgetSpent == 24)
        #expect(result.rejected.isEmpty)
    }

    @Test func budgetLimitsWinnersAndCapsThePrice() throws {
        // Sorted asks 2, 3, 4, 9: k = 3 (3 · 4 = 12 ≤ 12), 4 · 9 > 12.
        // Price = min(a₄ = 9, B / 3 = 4) = 4.
        let auction = try ReverseAuction(budget: 12, maxWinners: 10)
        let result = auction.clear(bids([10: 9, 11: 4, 12: 2, 13: 3]))
        #expect(result.winners == [11, 12, 13])
        #expect(result.clearingPrice == 4)
        #expect(result.losers == [10])
        #expect(result.budgetSpent == 12)
        #expect(result.reason.contains("budget"))
    }

    @Test func everyBidWinsPricedAtHighestWinningAskByDefault() throws {
        let auction = try ReverseAuction(budget: 100, maxWinners: 5)
        let result = auction.clear(bids([1: 1, 2: 2, 3: 3]))
        #expect(result.winners == [1, 2, 3])
        #expect(result.clearingPrice == 3)
        #expect(result.budgetSpent == 9)
    }

    @Test func everyBidWinsPricedAtBudgetShareWhenAsked() throws {
        let auction = try ReverseAuction(budget: 90, maxWinners: 5, unmatchedPricing: .budgetShare)
        let result = auction.clear(bids([1: 1, 2: 2, 3: 3]))
        #expect(result.winners == [1, 2, 3])
        #expect(result.clearingPrice == 30)
        #expect(result.budgetSpent == 90)
    }

    @Test func noWinnerWhenTheCheapestAskExceedsTheBudget() throws {
        let auction = try ReverseAuction(budget: 5, maxWinners: 3)
        let result = auction.clear(bids([1: 6, 2: 7]))
        #expect(result.winners.isEmpty)
        #expect(result.clearingPrice == 0)
        #expect(result.payments.isEmpty)
        #expect(result.budgetSpent == 0)
        #expect(result.losers == [1, 2])
        #expect(result.reason.contains("cheapest ask 6.0"))
    }

    @Test func emptyInputAndZeroCapClearToNoWinners() throws {
        let none = try ReverseAuction(budget: 5, maxWinners: 3).clear([])
        #expect(none.winners.isEmpty && none.losers.isEmpty && none.budgetSpent == 0)
        let capped = try ReverseAuction(budget: 5, maxWinners: 0).clear(bids([1: 1]))
        #expect(capped.winners.isEmpty)
        #expect(capped.losers == [1])
        #expect(capped.reason.contains("K = 0"))
    }

    @Test func maxWinnersIsRespected() throws {
        let all = (0..<50).map { MarketBid(clientID: $0, askPrice: 1) }
        for k in [1, 2, 7, 49, 50, 80] {
            let result = try ReverseAuction(budget: 1_000, maxWinners: k).clear(all)
            #expect(result.winners.count == min(k, 50))
            #expect(result.winners == Array(0..<min(k, 50)), "ties go to the lower client id")
        }
    }

    @Test func invalidBidsAreRejectedWithReasons() throws {
        let auction = try ReverseAuction(budget: 10, maxWinners: 5)
        let result = auction.clear([
            MarketBid(clientID: 1, askPrice: -1),
            MarketBid(clientID: 2, askPrice: .nan),
            MarketBid(clientID: 3, askPrice: .infinity),
            MarketBid(clientID: 4, askPrice: 1),
            MarketBid(clientID: 4, askPrice: 2),
            MarketBid(clientID: 5, askPrice: 2),
            MarketBid(clientID: 6, askPrice: -.infinity),
        ])
        #expect(result.rejected == [
            RejectedBid(clientID: 1, reason: .negativeAsk(-1)),
            RejectedBid(clientID: 2, reason: .notANumber),
            RejectedBid(clientID: 3, reason: .infiniteAsk),
            RejectedBid(clientID: 4, reason: .duplicateClientID(count: 2)),
            RejectedBid(clientID: 6, reason: .infiniteAsk),
        ])
        #expect(result.winners == [5])
        #expect(result.losers.isEmpty)
        #expect(result.payments == [5: 2])
        #expect(result.reason.contains("5 bid(s) rejected"))
        #expect(RejectedBid(clientID: 1, reason: .negativeAsk(-1)).description == "client 1: ask -1.0 is negative")
    }

    @Test func invalidConfigurationsThrow() {
        #expect(throws: AuctionConfigurationError.invalidMaxWinners(-1)) {
            try ReverseAuction(budget: 1, maxWinners: -1)
        }
        #expect(throws: AuctionConfigurationError.self) { try ReverseAuction(budget: -1, maxWinners: 1) }
        #expect(throws: AuctionConfigurationError.self) { try ReverseAuction(budget: .nan, maxWinners: 1) }
        #expect(throws: AuctionConfigurationError.self) { try ReverseAuction(budget: .infinity, maxWinners: 1) }
    }

    @Test func tiesAreBrokenByClientIDWhateverTheInputOrder() throws {
        var rng = SplitMix64(seed: 7)
        let input = (0..<30).map { MarketBid(clientID: $0, askPrice: Double($0 % 3)) }
        let auction = try ReverseAuction(budget: 40, maxWinners: 12)
        let reference = auction.clear(input)
        // Asks 0 (ids 0,3,…,27: ten of them) then 1 (ids 1,4,…): the two cheapest ask-1 ids win.
        #expect(reference.winners == (Array(stride(from: 0, to: 30, by: 3)) + [1, 4]).sorted())
        for _ in 0..<20 {
            #expect(auction.clear(input.shuffled(using: &rng)) == reference)
        }
    }

    /// Property-style: over many seeded random bid sets, the outcome is budget-feasible,
    /// individually rational, respects K, pays winners exactly the clearing price and
    /// losers nothing, and uses the largest feasible k.
    @Test(arguments: [.highestWinningAsk, .budgetShare] as [ReverseAuction.UnmatchedPricing])
    func randomBidSetsKeepEveryInvariant(pricing: ReverseAuction.UnmatchedPricing) throws {
        var rng = SplitMix64(seed: 2024)
        for _ in 0..<2_000 {
            let n = Int.random(in: 0...40, using: &rng)
            let pool = Array(0..<200).shuffled(using: &rng)
            let bids = (0..<n).map { i in
                // Coarse asks make ties common; fine asks exercise rounding.
                let ask = Bool.random(using: &rng)
                    ? Double(Int.random(in: 0...10, using: &rng))
                    : Double.random(in: 0...10, using: &rng)
                return MarketBid(clientID: pool[i], askPrice: ask)
            }
            let budget = Bool.random(using: &rng) ? Double.random(in: 0...60, using: &rng) : 0.1 * Double(Int.random(in: 0...300, using: &rng))
            let k = Int.random(in: 0...15, using: &rng)
            let auction = try ReverseAuction(budget: budget, maxWinners: k, unmatchedPricing: pricing)
            let result = auction.clear(bids)

            let paid = result.winners.reduce(0.0) { $0 + result.payment(to: $1) }
            #expect(paid <= budget)
            #expect(result.budgetSpent <= budget)
            #expect(result.budgetSpent == paid)
            #expect(result.winners.count <= k)
            #expect(result.winners == result.winners.sorted())
            #expect(Set(result.winners).isDisjoint(with: result.losers))
            #expect(result.winners.count + result.losers.count == bids.count)
            let asks = Dictionary(uniqueKeysWithValues: bids.map { ($0.clientID, $0.askPrice) })
            for winner in result.winners {
                #expect(result.payments[winner] == result.clearingPrice)
                #expect(result.clearingPrice >= asks[winner] ?? .infinity, "individually rational")
            }
            for loser in result.losers { #expect(result.payments[loser] == nil) }
            // Every loser asked at least as much as every winner.
            let maxWinningAsk = result.winners.compactMap { asks[$0] }.max() ?? -1
            for loser in result.losers { #expect((asks[loser] ?? 0) >= maxWinningAsk) }
            // k is maximal: one more winner at its own ask would break the budget or K.
            let sortedAsks = bids.map(\.askPrice).sorted()
            let w = result.winners.count
            if w < min(k, bids.count) {
                #expect(Double(w + 1) * sortedAsks[w] > budget * (1 + 1e-12))
            }
            // The price never exceeds the budget share or the lowest losing ask.
            if w > 0 {
                #expect(result.clearingPrice <= budget / Double(w))
                if w < bids.count { #expect(result.clearingPrice <= sortedAsks[w]) }
            }
        }
    }

    @Test func roundingNeverPushesSpendingOverBudget() throws {
        // 0.1 · 3 rounds above 0.3 in binary floating point.
        let result = try ReverseAuction(budget: 0.3, maxWinners: 3, unmatchedPricing: .budgetShare)
            .clear(bids([1: 0.01, 2: 0.02, 3: 0.03]))
        #expect(result.winners == [1, 2, 3])
        #expect(result.budgetSpent <= 0.3)
        #expect(result.clearingPrice >= 0.03)
    }
}

@Suite struct WireProtocolAdapterTests {
    @Test func wireBidsBecomeMarketBidsAndPaymentsGoBackOut() throws {
        let device = DeviceProfile(samplesPerSecond: 1_000, memoryMiB: 1_024)
        let participating = Bid(round: 1, clientID: 7, decision: .participate, askPrice: 2, sampleCount: 10, labelHistogram: [], device: device)
        let declining = Bid(round: 1, clientID: 8, decision: .decline(reason: "battery"), askPrice: 1, sampleCount: 10, labelHistogram: [], device: device)
        #expect(MarketBid(participating) == MarketBid(clientID: 7, askPrice: 2))
        #expect(MarketBid(declining) == nil)

        let result = try ReverseAuction(budget: 10, maxWinners: 2).clear([
            MarketBid(clientID: 9, askPrice: 1), MarketBid(clientID: 7, askPrice: 2), MarketBid(clientID: 1, askPrice: 5),
        ])
        #expect(result.clientPayments == [ClientPayment(clientID: 7, amount: 5), ClientPayment(clientID: 9, amount: 5)])
    }
}
