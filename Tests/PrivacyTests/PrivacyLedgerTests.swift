import Foundation
@testable import Privacy
import Testing

@Suite struct PrivacyLedgerTests {
    let mechanism = PrivacyMechanism.dpSGD(noiseMultiplier: 1.1, clipNorm: 1, sampleRate: 0.1, stepsPerRound: 10)

    @Test func aRoundCostsWhatTheAccountantSaysAndChargesAddUp() throws {
        var ledger = PrivacyLedger(budget: PrivacyBudget(epsilon: 100, delta: 1e-5))
        #expect(ledger.spent == 0)
        let first = try ledger.charge(round: 1, mechanism: mechanism)
        var accountant = RDPAccountant()
        accountant.step(noiseMultiplier: 1.1, sampleRate: 0.1, steps: 10)
        #expect(first.before == 0)
        #expect(first.after == accountant.epsilon(delta: 1e-5).epsilon)
        let second = try ledger.charge(round: 2, mechanism: mechanism)
        accountant.step(noiseMultiplier: 1.1, sampleRate: 0.1, steps: 10)
        #expect(second.before == first.after)
        #expect(second.after == accountant.epsilon(delta: 1e-5).epsilon)
        #expect(ledger.spent == second.after)
    }

    @Test func chargingARoundTwiceChangesNothing() throws {
        var ledger = PrivacyLedger(budget: PrivacyBudget(epsilon: 100, delta: 1e-5))
        let once = try ledger.charge(round: 3, mechanism: mechanism)
        let again = try ledger.charge(round: 3, mechanism: mechanism)
        #expect(once == again)
        #expect(ledger.accountant.history == [RDPAccountant.Stretch(noiseMultiplier: 1.1, sampleRate: 0.1, steps: 10)])
        #expect(ledger.quote(round: 3, mechanism: mechanism) == once)
    }

    /// The hard guarantee: the ledger never lets a round take the client past its budget; the
    /// refused round charges nothing, and ε never exceeds the budget however many rounds are asked.
    @Test func neverChargesARoundPastTheBudget() throws {
        var ledger = PrivacyLedger(budget: PrivacyBudget(epsilon: 3, delta: 1e-5))
        var charged = 0
        var refused = 0
        for round in 1...100 {
            do {
                try ledger.charge(round: round, mechanism: mechanism)
                charged += 1
            } catch let error {
                guard case .budgetExceeded(let r, let before, let after, let budget) = error else { throw error }
                #expect(r == round && before <= budget && after > budget)
                refused += 1
            }
            #expect(ledger.spent <= 3)
        }
        print("PRIVACY-FIGURE σ=1.1 q=0.1 10 steps/round, ε budget 3 at δ=1e-5: \(charged) rounds charged, ε spent \(ledger.spent)")
        #expect(charged > 0 && refused > 0 && charged + refused == 100)
        #expect(!ledger.affords(mechanism))
    }

    /// Client-level DP is charged as an unsampled Gaussian of σ/2: replacing a client's whole data
    /// moves its clipped update by up to 2C.
    @Test func clientLevelDPIsChargedAtHalfTheNoiseMultiplier() {
        let cost = PrivacyMechanism.clientLevel(noiseMultiplier: 8, clipNorm: 0.5).roundCost
        #expect(cost == RDPAccountant.Stretch(noiseMultiplier: 4, sampleRate: 1, steps: 1))
        // An unsampled Gaussian's RDP is α / (2σ²).
        #expect(abs(RDPAccountant.rdp(q: 1, sigma: 4, alpha: 3) - 3 / 32) < 1e-12)
    }

    @Test func badParametersAreNamed() {
        #expect(throws: PrivacyError.self) { try PrivacyMechanism.dpSGD(noiseMultiplier: 0, clipNorm: 1, sampleRate: 0.1, stepsPerRound: 1).validate() }
        #expect(throws: PrivacyError.self) { try PrivacyMechanism.dpSGD(noiseMultiplier: 1, clipNorm: 1, sampleRate: 1.5, stepsPerRound: 1).validate() }
        #expect(throws: PrivacyError.self) { try PrivacyBudget(epsilon: 1, delta: 1).validate() }
        #expect(throws: PrivacyError.self) { try PrivacyBudget(epsilon: -1, delta: 1e-5).validate() }
    }

    @Test func aLedgerSurvivesCoding() throws {
        var ledger = PrivacyLedger(budget: PrivacyBudget(epsilon: 10, delta: 1e-5))
        try ledger.charge(round: 1, mechanism: mechanism)
        try ledger.charge(round: 4, mechanism: .clientLevel(noiseMultiplier: 20, clipNorm: 1))
        let decoded = try JSONDecoder().decode(PrivacyLedger.self, from: JSONEncoder().encode(ledger))
        #expect(decoded == ledger)
        #expect(decoded.spent == ledger.spent)
    }
}
