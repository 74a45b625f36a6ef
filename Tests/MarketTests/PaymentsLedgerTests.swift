import Learning
import Foundation
import Testing
@testable import Market

@Suite struct PaymentsLedgerTests {
    @Test func recordsRoundsAndKeepsPerClientTotals() throws {
        var ledger = PaymentsLedger()
        let round1 = try ReverseAuction(budget: 10, maxWinners: 2).clear([
            MarketBid(clientID: 1, askPrice: 2), MarketBid(clientID: 2, askPrice: 3), MarketBid(clientID: 3, askPrice: 4),
        ])
        let round2 = try ReverseAuction(budget: 10, maxWinners: 1).clear([
            MarketBid(clientID: 1, askPrice: 5), MarketBid(clientID: 3, askPrice: 1),
        ])
        try ledger.record(round: 1, result: round1)
        try ledger.record(round: 2, result: round2)

        #expect(ledger.entries.map(\.round) == [1, 2])
        #expect(ledger.total(for: 1) == 4)
        #expect(ledger.total(for: 2) == 4)
        #expect(ledger.total(for: 3) == 5)
        #expect(ledger.total(for: 99) == 0)
        #expect(ledger.totalPaid == 13)
        #expect(ledger.totalBudget == 20)
        #expect(ledger.entry(round: 2)?.payments == [3: 5])
    }

    @Test func aRoundIsRecordedOnlyOnce() throws {
        var ledger = PaymentsLedger()
        let result = try ReverseAuction(budget: 10, maxWinners: 2).clear([MarketBid(clientID: 1, askPrice: 2)])
        try ledger.record(round: 4, result: result)
        #expect(throws: PaymentsLedgerError.roundAlreadyRecorded(4)) { try ledger.record(round: 4, result: result) }
        #expect(ledger.entries.count == 1)
        #expect(ledger.totalPaid == 2)
    }

    @Test func unsoundResultsAreRefused() throws {
        var ledger = PaymentsLedger()
        var result = try ReverseAuction(budget: 10, maxWinners: 2).clear([
            MarketBid(clientID: 1, askPrice: 2), MarketBid(clientID: 2, askPrice: 3),
        ])
        var overBudget = result
        overBudget.payments = [1: 6, 2: 6]
        overBudget.budgetSpent = 12
        #expect(throws: PaymentsLedgerError.overBudget(round: 1, spent: 12, budget: 10)) {
            try ledger.record(round: 1, result: overBudget)
        }
        var mismatched = result
        mismatched.budgetSpent = 1
        #expect(throws: PaymentsLedgerError.self) { try ledger.record(round: 1, result: mismatched) }
        result.payments[2] = -1
        #expect(throws: PaymentsLedgerError.self) { try ledger.record(round: 1, result: result) }
        #expect(ledger.entries.isEmpty)
    }

    @Test func snapshotRoundTripsAndRebuildsTotals() throws {
        var ledger = PaymentsLedger()
        try ledger.record(round: 0, result: ReverseAuction(budget: 9, maxWinners: 3).clear([
            MarketBid(clientID: 5, askPrice: 1), MarketBid(clientID: 6, askPrice: 2),
        ]))
        let data = try JSONEncoder().encode(ledger)
        let decoded = try JSONDecoder().decode(PaymentsLedger.self, from: data)
        #expect(decoded == ledger)
        #expect(decoded.total(for: 6) == 2)

        // A snapshot whose entry spends more than its budget is refused on decode.
        let forged = #"{"entries":[{"round":0,"budget":1,"clearingPrice":2,"payments":{"5":2},"spent":2}]}"#
        #expect(throws: PaymentsLedgerError.self) {
            try JSONDecoder().decode(PaymentsLedger.self, from: Data(forged.utf8))
        }
    }

    /// Over many random rounds, the ledger's total never exceeds the sum of the budgets.
    @Test func totalPaidNeverExceedsTheSumOfBudgets() throws {
        var rng = SplitMix64(seed: 99)
        var ledger = PaymentsLedger()
        for round in 0..<500 {
            let bids = (0..<Int.random(in: 0...20, using: &rng)).map {
                MarketBid(clientID: $0, askPrice: Double.random(in: 0...5, using: &rng))
            }
            let auction = try ReverseAuction(
                budget: Double.random(in: 0...20, using: &rng),
                maxWinners: Int.random(in: 0...8, using: &rng),
                unmatchedPricing: round.isMultiple(of: 2) ? .budgetShare : .highestWinningAsk
            )
            try ledger.record(round: round, result: auction.clear(bids))
            #expect(ledger.totalPaid <= ledger.totalBudget)
        }
        let perClient = ledger.totals.values.reduce(0, +)
        #expect(abs(perClient - ledger.totalPaid) <= 1e-9 * max(1, ledger.totalPaid))
    }
}
