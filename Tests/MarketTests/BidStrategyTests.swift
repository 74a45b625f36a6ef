import Learning
import Foundation
import Testing
@testable import Market

@Suite struct BidStrategyTests {
    private func feedback(_ outcome: BidFeedback.Outcome, round: Int = 1) -> BidFeedback {
        BidFeedback(round: round, outcome: outcome, clearingPrice: 3, payment: outcome == .won ? 3 : 0)
    }

    @Test func truthfulAsksItsCostAndMarginMarksItUp() throws {
        #expect(TruthfulBidding().ask(cost: 2.5) == 2.5)
        #expect(TruthfulBidding().observing(feedback(.won)) == TruthfulBidding())
        let margin = try MarginBidding(margin: 1.5)
        #expect(margin.ask(cost: 2) == 3)
        #expect(margin.observing(feedback(.lost)) == margin)
        #expect(try MarginBidding(margin: 1).ask(cost: 7) == 7)
    }

    @Test func adaptiveRaisesAfterAWinAndLowersAfterALoss() throws {
        let start = try AdaptiveMarginBidding(minMargin: 1.1, maxMargin: 2, step: 0.1)
        #expect(start.margin == 1.1, "starts at the minimum")
        let won = start.observing(feedback(.won))
        #expect(won.margin == 1.1 * 1.1)
        #expect(won.ask(cost: 10) == 10 * (1.1 * 1.1))
        let lost = won.observing(feedback(.lost))
        #expect(abs(lost.margin - 1.1) <= 1e-15, "a win then a loss comes back")
        #expect(start.observing(feedback(.lost)).margin == 1.1, "held at the minimum")
    }

    /// Over long seeded random win/loss sequences the margin never leaves [min, max], reaches both
    /// bounds, and only moves by one multiplicative step (or to a bound) at a time.
    @Test func adaptiveStaysWithinItsBounds() throws {
        var rng = SplitMix64(seed: 4)
        for _ in 0..<50 {
            let low = Double.random(in: 1...2, using: &rng)
            let high = low + Double.random(in: 0...3, using: &rng)
            let step = Double.random(in: 0.01...0.5, using: &rng)
            var strategy = try AdaptiveMarginBidding(minMargin: low, maxMargin: high, step: step)
            var sawMax = false
            var sawMin = false
            for round in 0..<400 {
                // Runs of wins and losses, so both bounds are reached.
                let outcome: BidFeedback.Outcome = (round / 40).isMultiple(of: 2) ? .won : .lost
                let next = strategy.observing(feedback(outcome, round: round))
                #expect(next.margin >= low && next.margin <= high)
                let expected = outcome == .won ? min(high, strategy.margin * (1 + step)) : max(low, strategy.margin / (1 + step))
                #expect(next.margin == expected)
                #expect(next.ask(cost: 3) >= 3, "never asks below cost")
                sawMax = sawMax || next.margin == high
                sawMin = sawMin || next.margin == low
                strategy = next
            }
            #expect(sawMax && sawMin)
        }
    }

    /// The same state and the same feedback give the same next state, also after a Codable round
    /// trip of the state in between (as a guardian restarting from its saved state does).
    @Test func strategiesAreDeterministicAndSurviveASaveAndRestore() throws {
        var rng = SplitMix64(seed: 11)
        let outcomes = (0..<200).map { _ in Bool.random(using: &rng) ? BidFeedback.Outcome.won : .lost }
        for spec in ["truthful", "margin:1.3", "adaptive:1.1-2.0:0.1", "adaptive:1-3:0.25:2"] {
            var a = try BidStrategyCatalog.parse(spec)
            var b = try BidStrategyCatalog.parse(spec)
            for (round, outcome) in outcomes.enumerated() {
                let f = feedback(outcome, round: round)
                a = a.observing(f)
                let saved = try JSONEncoder().encode(b)
                b = try JSONDecoder().decode(AnyBidStrategy.self, from: saved).observing(f)
                #expect(a == b, "\(spec) after round \(round)")
                #expect(a.ask(cost: 1.7) == b.ask(cost: 1.7))
            }
        }
    }

    @Test func codableRoundTripsAndRejectsInvalidStates() throws {
        let strategies: [AnyBidStrategy] = [
            .truthful(TruthfulBidding()), .margin(try MarginBidding(margin: 1.25)),
            .adaptive(try AdaptiveMarginBidding(minMargin: 1.1, maxMargin: 2, step: 0.1, margin: 1.5)),
        ]
        for strategy in strategies {
            let data = try JSONEncoder().encode(strategy)
            #expect(try JSONDecoder().decode(AnyBidStrategy.self, from: data) == strategy)
        }
        let margin = String(decoding: try JSONEncoder().encode(strategies[1]), as: UTF8.self)
        #expect(margin.contains(#""kind":"margin""#))
        for forged in [
            #"{"kind":"margin","state":{"margin":0.5}}"#,
            #"{"kind":"adaptive","state":{"minMargin":1.1,"maxMargin":2,"step":0.1,"margin":3}}"#,
            #"{"kind":"adaptive","state":{"minMargin":2,"maxMargin":1,"step":0.1,"margin":2}}"#,
            #"{"kind":"shading","state":{}}"#,
        ] {
            #expect(throws: (any Error).self, "\(forged)") { try JSONDecoder().decode(AnyBidStrategy.self, from: Data(forged.utf8)) }
        }
    }

    @Test func acceptsAnOfferIffItCoversTheCost() throws {
        let offer = MarketOffer(round: 4, clientID: 9, price: 2)
        for strategy in [AnyBidStrategy.truthful(TruthfulBidding()), .margin(try MarginBidding(margin: 3))] {
            #expect(strategy.accepts(offer, cost: 2))
            #expect(strategy.accepts(offer, cost: 0))
            #expect(!strategy.accepts(offer, cost: 2.0.nextUp))
            #expect(strategy.answer(to: offer, cost: 1) == MarketAnswer(round: 4, clientID: 9, price: 2, accepted: true))
            #expect(strategy.answer(to: offer, cost: 5) == MarketAnswer(round: 4, clientID: 9, price: 2, accepted: false))
        }
    }
}

@Suite struct BidStrategyCatalogTests {
    @Test func parsesEveryForm() throws {
        #expect(try BidStrategyCatalog.parse("truthful") == .truthful(TruthfulBidding()))
        #expect(try BidStrategyCatalog.parse("  margin:1.3 ") == .margin(try MarginBidding(margin: 1.3)))
        #expect(try BidStrategyCatalog.parse("adaptive:1.1-2.0:0.1")
            == .adaptive(try AdaptiveMarginBidding(minMargin: 1.1, maxMargin: 2, step: 0.1)))
        #expect(try BidStrategyCatalog.parse("adaptive:1.1-2.0:0.1:1.5")
            == .adaptive(try AdaptiveMarginBidding(minMargin: 1.1, maxMargin: 2, step: 0.1, margin: 1.5)))
        #expect(try BidStrategyCatalog.parse("adaptive:10e-1-2e0:5e-2")
            == .adaptive(try AdaptiveMarginBidding(minMargin: 1, maxMargin: 2, step: 0.05)), "exponents are not range dashes")
    }

    /// `spec` names a strategy back: parsing it gives the same value, present margin included.
    @Test func specRoundTrips() throws {
        var rng = SplitMix64(seed: 3)
        var strategies: [AnyBidStrategy] = [.truthful(TruthfulBidding())]
        for _ in 0..<100 {
            let low = Double.random(in: 1...3, using: &rng)
            let high = low + Double.random(in: 0...2, using: &rng)
            strategies.append(.margin(try MarginBidding(margin: low)))
            var adaptive = AnyBidStrategy.adaptive(try AdaptiveMarginBidding(minMargin: low, maxMargin: high, step: Double.random(in: 0.01...1, using: &rng)))
            strategies.append(adaptive)
            for _ in 0..<3 { adaptive = adaptive.observing(BidFeedback(round: 0, outcome: .won, clearingPrice: 1, payment: 1)) }
            strategies.append(adaptive)
        }
        for strategy in strategies {
            #expect(try BidStrategyCatalog.parse(strategy.spec) == strategy, "\(strategy.spec)")
        }
        #expect(AnyBidStrategy.margin(try MarginBidding(margin: 1.3)).spec == "margin:1.3")
        #expect(AnyBidStrategy.adaptive(try AdaptiveMarginBidding(minMargin: 1.1, maxMargin: 2, step: 0.1)).description == "adaptive:1.1-2.0:0.1")
    }

    @Test func badInputIsNamedInTheError() {
        let cases: [(String, BidStrategyError)] = [
            ("shading:0.9", .unknownStrategy(name: "shading", input: "shading:0.9")),
            ("", .unknownStrategy(name: "", input: "")),
            ("truthful:1", .wrongParameterCount(strategy: "truthful", got: 1, usage: "truthful", input: "truthful:1")),
            ("margin", .wrongParameterCount(strategy: "margin", got: 0, usage: "margin:M", input: "margin")),
            ("margin:1.2:3", .wrongParameterCount(strategy: "margin", got: 2, usage: "margin:M", input: "margin:1.2:3")),
            ("margin:abc", .notANumber(parameter: "margin", text: "abc", input: "margin:abc")),
            ("margin:0.9", .outOfRange(parameter: "margin", value: 0.9, requirement: "a finite number ≥ 1", input: "margin:0.9")),
            ("adaptive:1.1:0.1", .malformedRange(parameter: "margin range", text: "1.1", input: "adaptive:1.1:0.1")),
            ("adaptive:1.1-x:0.1", .notANumber(parameter: "maximum margin", text: "x", input: "adaptive:1.1-x:0.1")),
            ("adaptive:1.1-2:0", .outOfRange(parameter: "step", value: 0, requirement: "a finite number > 0", input: "adaptive:1.1-2:0")),
            ("adaptive:2-1.5:0.1", .outOfRange(parameter: "maxMargin", value: 1.5, requirement: "a finite number ≥ minMargin 2.0", input: "adaptive:2-1.5:0.1")),
            ("adaptive:0.5-2:0.1", .outOfRange(parameter: "minMargin", value: 0.5, requirement: "a finite number ≥ 1", input: "adaptive:0.5-2:0.1")),
            ("adaptive:1-2:0.1:3", .outOfRange(parameter: "margin", value: 3, requirement: "within [1.0, 2.0]", input: "adaptive:1-2:0.1:3")),
            ("adaptive:1-2", .wrongParameterCount(strategy: "adaptive", got: 1, usage: "adaptive:MIN-MAX:STEP[:START]", input: "adaptive:1-2")),
        ]
        for (input, expected) in cases {
            #expect(throws: expected, "\(input)") { try BidStrategyCatalog.parse(input) }
        }
        #expect(BidStrategyError.unknownStrategy(name: "shading", input: "shading:0.9").description
            == "unknown bidding strategy 'shading' in 'shading:0.9'; known: truthful, margin:M, adaptive:MIN-MAX:STEP[:START]")
        #expect(BidStrategyError.outOfRange(parameter: "margin", value: 0.9, requirement: "a finite number ≥ 1", input: "margin:0.9").description
            == "margin must be a finite number ≥ 1, got 0.9 in 'margin:0.9'")
        #expect(throws: BidStrategyError.self) { try BidStrategyCatalog.parse("margin:inf") }
        #expect(throws: BidStrategyError.self) { try BidStrategyCatalog.parse("margin:nan") }
    }
}
