import Foundation
import Testing
import WireProtocol

@testable import Strategies

@Suite struct OortSelectorTests {
    /// A state in which every client took part once, in round 1, with the given utility.
    func explored(_ utilities: [Int: Double], selector: OortSelector, measured: [Int: Double] = [:], participations: Int = 1) -> OortSelector.State {
        var state = selector.initialState()
        for (id, utility) in utilities {
            state.arms[id] = .init(utility: utility, lastRound: 1, participations: participations, measuredSeconds: measured[id])
        }
        return state
    }

    /// How often each client is chosen in `round` over `seeds` run seeds.
    func picks(
        _ selector: OortSelector, state: OortSelector.State, candidates: [Candidate], k: Int, round: Int = 10, seeds: Int = 200
    ) async throws -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for seed in 0..<seeds {
            let context = Fixture.context(round: round, candidates: candidates, runSeed: UInt64(seed))
            let (selection, _) = try await selector.select(context, k: k, state: state)
            for id in selection.clients { counts[id, default: 0] += 1 }
        }
        return counts
    }

    @Test func explorationStartsAt09DecaysBy098AndStopsAt02() async throws {
        let selector = try OortSelector()
        let candidates = (0..<20).map { Fixture.candidate($0) }
        var state = selector.initialState()
        #expect(state.exploration == 0.9)
        var expected = 0.9
        for round in 1...100 {
            let (selection, next) = try await selector.select(Fixture.context(round: round, candidates: candidates), k: 10, state: state)
            expected = max(expected * 0.98, 0.2)
            #expect(abs(next.exploration - expected) < 1e-12, "round \(round)")
            #expect(selection.rationale.contains("gives \(Int(10 * expected)) of 10 slots to exploration"), "\(selection.rationale)")
            state = next
        }
        // 0.9 × 0.98^74 ≈ 0.2004 is the last value above the floor.
        #expect(0.9 * pow(0.98, 74) > 0.2 && 0.9 * pow(0.98, 75) < 0.2)
        #expect(state.exploration == 0.2)
    }

    @Test func theFirstRoundExploresBySizeAndLaterRoundsExploit() async throws {
        var parameters = OortParameters()
        parameters.sampleWindow = 2
        let selector = try OortSelector(parameters: parameters)
        let candidates = (0..<30).map { Fixture.candidate($0, samples: $0 < 10 ? 1000 : 10) }
        let (first, state) = try await selector.select(Fixture.context(round: 1, candidates: candidates), k: 5, state: selector.initialState())
        // Nothing is known: every slot explores, among the 2 × 5 largest unseen clients.
        #expect(first.clients.count == 5)
        #expect(first.clients.allSatisfy { $0 < 10 }, "\(first.clients)")
        #expect(first.rationale.contains("explored 5 of 30 unseen"))
        let folded = selector.observe(
            RoundFeedback(round: 1, testAccuracy: 0.5, testLoss: 1, outcomes: first.clients.map { Fixture.merged($0, loss: 1) }), state: state)
        #expect(folded.arms.count == 5)
        #expect(folded.arms.values.allSatisfy { $0.participations == 1 && $0.lastRound == 1 && $0.utility == 100 })
        let (second, _) = try await selector.select(Fixture.context(round: 2, candidates: candidates), k: 5, state: folded)
        // ε = 0.9 × 0.98² = 0.864: 4 exploration slots, 1 exploited.
        #expect(second.rationale.contains("exploited 1 of 5 scored"), "\(second.rationale)")
    }

    @Test func highUtilityClientsArePreferred() async throws {
        let selector = try OortSelector()
        let candidates = (0..<20).map { Fixture.candidate($0) }
        let state = explored(Dictionary(uniqueKeysWithValues: (0..<20).map { ($0, $0 < 10 ? 10.0 : 100.0) }), selector: selector)
        let counts = try await picks(selector, state: state, candidates: candidates, k: 5)
        let high = (10..<20).reduce(0) { $0 + (counts[$1] ?? 0) }
        let low = (0..<10).reduce(0) { $0 + (counts[$1] ?? 0) }
        // Normalised utility 1 vs ~0, both plus the same staleness bonus (~0.48): about 3 to 1.
        #expect(high + low == 1000)
        #expect(high > 2 * low, "high \(high), low \(low)")
    }

    @Test func stragglersSlowerThanThePreferredDurationArePenalised() async throws {
        let selector = try OortSelector()
        let candidates = (0..<20).map { Fixture.candidate($0, seconds: $0 < 10 ? 1 : 10) }
        let state = explored(Dictionary(uniqueKeysWithValues: (0..<20).map { ($0, 100.0) }), selector: selector)
        #expect(selector.preferredDuration(candidates.map { $0.declaredSeconds(localEpochs: 1) }.sorted(), threshold: 30) == 1)
        let counts = try await picks(selector, state: state, candidates: candidates, k: 5)
        let slow = (10..<20).reduce(0) { $0 + (counts[$1] ?? 0) }
        // Penalty (1 s / 10 s)² = 0.01 of the score.
        #expect(slow < 50, "slow clients took \(slow) of 1000 slots")

        var off = OortParameters()
        off.roundThreshold = 100
        let unpenalised = try OortSelector(parameters: off)
        // The threshold lives in the state (the pacer moves it), initialised from the parameters.
        var unpenalisedState = state
        unpenalisedState.roundThreshold = unpenalised.initialState().roundThreshold
        let even = try await picks(unpenalised, state: unpenalisedState, candidates: candidates, k: 5)
        let slowEven = (10..<20).reduce(0) { $0 + (even[$1] ?? 0) }
        #expect(slowEven > 400 && slowEven < 600, "without the penalty slow clients took \(slowEven) of 1000")
    }

    @Test func measuredDurationsDriveThePenaltyWhenAskedFor() async throws {
        var parameters = OortParameters()
        parameters.durationSource = .measured
        let selector = try OortSelector(parameters: parameters)
        // Declared alike; clients 0–9 measured ten times slower than 10–19.
        let candidates = (0..<20).map { Fixture.candidate($0, seconds: 1) }
        let measured = Dictionary(uniqueKeysWithValues: (0..<20).map { ($0, $0 < 10 ? 10.0 : 1.0) })
        let state = explored(Dictionary(uniqueKeysWithValues: (0..<20).map { ($0, 100.0) }), selector: selector, measured: measured)
        let counts = try await picks(selector, state: state, candidates: candidates, k: 5)
        let slow = (0..<10).reduce(0) { $0 + (counts[$1] ?? 0) }
        #expect(slow < 50, "measured-slow clients took \(slow) of 1000 slots")
        // Declared (the default) ignores the measurement.
        let declared = try await picks(try OortSelector(), state: state, candidates: candidates, k: 5)
        #expect((0..<10).reduce(0) { $0 + (declared[$1] ?? 0) } > 400)
        // Feedback records the measurement.
        let folded = selector.observe(RoundFeedback(round: 2, testAccuracy: 0, testLoss: 0, outcomes: [Fixture.merged(3, loss: 1, seconds: 4.5)]), state: state)
        #expect(folded.arms[3]?.measuredSeconds == 4.5)
    }

    /// Every client gives the same utility each time: the windows' utilities are flat once
    /// exploitation has started, and jump from nothing before that.
    @Test func thePacerTightensOnASharpRiseAndRelaxesWhenUtilityIsFlat() async throws {
        var parameters = OortParameters()
        parameters.pacerStep = 2
        let selector = try OortSelector(parameters: parameters)
        // Declared durations 1 s … 10 s.
        let candidates = (0..<10).map { Fixture.candidate($0, seconds: Double($0 + 1)) }
        let durations = candidates.map { $0.declaredSeconds(localEpochs: 1) }.sorted()
        var state = selector.initialState()
        var thresholds: [Int: Double] = [:]
        var rationales: [Int: String] = [:]
        for round in 1...8 {
            let (selection, next) = try await selector.select(Fixture.context(round: round, candidates: candidates), k: 4, state: state)
            thresholds[round] = next.roundThreshold
            rationales[round] = selection.rationale
            state = selector.observe(
                RoundFeedback(round: round, testAccuracy: 0.5, testLoss: 1, outcomes: selection.clients.map { Fixture.merged($0, loss: 2) }),
                state: next)
        }
        // Round 4: windows [r1, r2] (nothing exploited yet, 0) → [r3, r4] (200 each): a rise of
        // ≥ 5× the earlier window, so T tightens from p30 to p25 (the 3rd of 10 durations, 3 s).
        #expect(thresholds[1] == 30 && thresholds[3] == 30)
        #expect(thresholds[4] == 25, "\(rationales[4] ?? "")")
        #expect(rationales[4]?.contains("pacer tightened from p30") == true, "\(rationales[4] ?? "")")
        #expect(selector.preferredDuration(durations, threshold: 25) == 3)
        // Round 6: [r3, r4] → [r5, r6] flat, relax to p30 (4 s); round 8 again, to p35 (4 s).
        #expect(thresholds[6] == 30, "\(rationales[6] ?? "")")
        #expect(rationales[6]?.contains("pacer relaxed from p25") == true)
        #expect(thresholds[8] == 35)
        #expect(selector.preferredDuration(durations, threshold: 30) == 4)
        #expect(selector.preferredDuration(durations, threshold: 40) == 5)
        #expect(selector.preferredDuration(durations, threshold: 100) == .infinity)
        // The history keeps two windows only.
        #expect(state.exploitUtilityHistory.count == 4)
    }

    @Test func aRelaxedPacerLetsASlowUsefulClientBackIn() async throws {
        let selector = try OortSelector()
        let candidates = (0..<10).map { Fixture.candidate($0, seconds: $0 == 9 ? 20 : 1) }
        var state = explored(Dictionary(uniqueKeysWithValues: (0..<10).map { ($0, $0 == 9 ? 1000.0 : 10.0) }), selector: selector)
        let tight = try await picks(selector, state: state, candidates: candidates, k: 3, seeds: 100)
        state.roundThreshold = 100
        let relaxed = try await picks(selector, state: state, candidates: candidates, k: 3, seeds: 100)
        // Penalised, its score is 1.48 × (1/20)² against 0.48 for each of the others; relaxed, 1.48.
        #expect((tight[9] ?? 0) < 10, "penalised: \(tight[9] ?? 0) of 100")
        #expect((relaxed[9] ?? 0) > 50, "relaxed: \(relaxed[9] ?? 0) of 100")
    }

    @Test func clientsOverTheBlacklistRoundsAreLeftOutOfExploitation() async throws {
        var parameters = OortParameters()
        parameters.blacklistRounds = 2
        let selector = try OortSelector(parameters: parameters)
        let candidates = (0..<20).map { Fixture.candidate($0) }
        var state = explored(Dictionary(uniqueKeysWithValues: (0..<20).map { ($0, $0 < 5 ? 1000.0 : 10.0) }), selector: selector)
        for id in 0..<5 { state.arms[id]?.participations = 3 }
        state.arms[5]?.participations = 2  // at the limit, not over it
        #expect(selector.blacklist(state, known: 20) == [0, 1, 2, 3, 4])
        let counts = try await picks(selector, state: state, candidates: candidates, k: 5, seeds: 50)
        #expect((0..<5).allSatisfy { counts[$0] == nil }, "\(counts)")
        #expect(counts[5] != nil)

        // At most blacklistMaxFraction of the known clients: 0.1 × 20 = 2, most participations first.
        var capped = parameters
        capped.blacklistMaxFraction = 0.1
        state.arms[3]?.participations = 9
        #expect(try OortSelector(parameters: capped).blacklist(state, known: 20) == [0, 3])

        // Disabled by default.
        #expect(try OortSelector().blacklist(state, known: 20).isEmpty)

        // With too few others, the blacklisted fill the remaining slots.
        let few = Array(candidates.prefix(7))
        let (selection, _) = try await selector.select(Fixture.context(round: 10, candidates: few), k: 7, state: state)
        #expect(selection.clients.sorted() == Array(0..<7))
        #expect(selection.rationale.contains("5 from the blacklist"), "\(selection.rationale)")
    }

    @Test func participationsCountedFromFeedbackBlacklist() async throws {
        var parameters = OortParameters()
        parameters.blacklistRounds = 1
        let selector = try OortSelector(parameters: parameters)
        var state = selector.initialState()
        for round in 1...2 {
            state = selector.observe(RoundFeedback(round: round, testAccuracy: 0, testLoss: 0, outcomes: [Fixture.merged(7, loss: 1)]), state: state)
        }
        #expect(state.arms[7]?.participations == 2)
        #expect(selector.blacklist(state, known: 10) == [7])
    }

    @Test func excludedAndMissingUpdatesCountAsNoUtility() throws {
        let selector = try OortSelector()
        let outcomes = [Fixture.merged(1, loss: 2), Fixture.outcome(2, .excluded, loss: 5), Fixture.outcome(3, .missing), Fixture.outcome(4, .late, loss: 3)]
        let state = selector.observe(RoundFeedback(round: 3, testAccuracy: 0, testLoss: 0, outcomes: outcomes), state: selector.initialState())
        #expect(state.arms[1]?.utility == 200)
        #expect(state.arms[2]?.utility == 0)
        #expect(state.arms[3]?.utility == 0)
        #expect(state.arms[4]?.utility == 300)
        #expect(state.arms.values.allSatisfy { $0.lastRound == 3 && $0.participations == 1 })
        // Only merged updates count for the pacer.
        #expect(state.mergedSinceSelection == [1])
    }

    @Test func parametersOutOfRangeAreRefusedByName() throws {
        var parameters = OortParameters()
        parameters.explorationDecay = 1.5
        #expect(throws: StrategyError.invalidConfiguration("oort parameter explorationDecay is 1.5; it must be in (0, 1]")) {
            try OortSelector(parameters: parameters)
        }
        parameters = OortParameters()
        parameters.pacerStep = 0
        #expect(throws: StrategyError.self) { try OortSelector(parameters: parameters) }
    }

    @Test func parametersDecodeWithDefaultsAndEveryOneHasHelpAndADescriptorEntry() throws {
        let decoded = try JSONDecoder().decode(OortParameters.self, from: Data(#"{"pacerStep": 7, "durationSource": "measured"}"#.utf8))
        var expected = OortParameters()
        expected.pacerStep = 7
        expected.durationSource = .measured
        #expect(decoded == expected)
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(OortParameters())) as? [String: Any]
        // blacklistRounds is nil by default and so absent from the encoding.
        let names = Set(encoded?.keys.map { $0 } ?? []).union(["blacklistRounds"])
        #expect(Set(OortParameters.help.map(\.name)) == names)
        #expect(Set(try OortSelector().descriptor.parameters.keys) == names)
        #expect(try OortSelector().descriptor.parameters["explorationMin"] == .number(0.2))
        #expect(OortParameters.help.allSatisfy { !$0.help.isEmpty && !$0.help.contains("\n") })
    }
}
