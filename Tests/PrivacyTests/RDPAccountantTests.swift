import Foundation
@testable import Privacy
import Testing

@Suite struct RDPAccountantTests {
    /// Opacus's own test (opacus/tests/accountants_test.py, `test_rdp_accountant`): σ = 1.5,
    /// q = 0.04, 2,250 steps, δ = 1e-5 → ε ≈ 7.3291.
    @Test func matchesOpacusOnItsOwnTest() {
        var accountant = RDPAccountant()
        accountant.step(noiseMultiplier: 1.5, sampleRate: 0.04, steps: 2250)
        let (epsilon, order) = accountant.epsilon(delta: 1e-5)
        print("RDP-FIGURE σ=1.5 q=0.04 2250 steps δ=1e-5: ε = \(epsilon) at α = \(order) (Opacus: 7.3291)")
        #expect(abs(epsilon - 7.3291) / 7.3291 < 0.01, "ε = \(epsilon)")
    }

    /// The DP-SGD MNIST setting of Abadi et al. 2016 as the issue states it: σ = 1.1, q = 256/60000,
    /// 60 epochs = 14,063 steps, δ = 1e-5 → ε ≈ 2.597 with Balle et al. 2020's conversion (Opacus
    /// 1.6, dp_accounting), ≈ 3.01 with the older ε = RDP − ln δ/(α − 1).
    @Test func matchesTheMNISTSettingUnderBothConversions() {
        var accountant = RDPAccountant()
        accountant.step(noiseMultiplier: 1.1, sampleRate: 256.0 / 60000, steps: 14063)
        let (epsilon, _) = accountant.epsilon(delta: 1e-5)
        #expect(abs(epsilon - 2.597) / 2.597 < 0.01, "ε = \(epsilon)")
        let classic = RDPAccountant.classicEpsilon(rdp: accountant.rdp(), orders: accountant.orders, delta: 1e-5)
        print("RDP-FIGURE σ=1.1 q=256/60000 14063 steps δ=1e-5: ε = \(epsilon) (Balle et al. 2020), \(classic) (classic)")
        #expect(abs(classic - 3.01) / 3.01 < 0.01, "classic ε = \(classic)")
    }

    @Test func edgeCasesFollowTheMechanism() {
        #expect(RDPAccountant.rdp(q: 0, sigma: 1, alpha: 2) == 0)
        #expect(RDPAccountant.rdp(q: 0.5, sigma: 0, alpha: 2) == .infinity)
        // Without subsampling the Gaussian mechanism's RDP is α / 2σ².
        #expect(abs(RDPAccountant.rdp(q: 1, sigma: 2, alpha: 3) - 3.0 / 8) < 1e-12)
        // More steps never cost less; a round's cost can be asked before it is spent.
        var accountant = RDPAccountant()
        accountant.step(noiseMultiplier: 1.0, sampleRate: 0.01, steps: 100)
        let now = accountant.epsilon(delta: 1e-5).epsilon
        let ahead = accountant.epsilon(delta: 1e-5, adding: [.init(noiseMultiplier: 1.0, sampleRate: 0.01, steps: 100)]).epsilon
        accountant.step(noiseMultiplier: 1.0, sampleRate: 0.01, steps: 100)
        #expect(ahead > now)
        #expect(abs(accountant.epsilon(delta: 1e-5).epsilon - ahead) < 1e-12)
        #expect(accountant.history.count == 1 && accountant.history[0].steps == 200)
    }
}
