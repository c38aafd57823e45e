import Foundation
import Testing
@testable import InfiniteWidth
import LimitLaws

@Suite struct GammaLimitTests {
    /// As γ_ℓ → 0 the linear-width law (lead's engine, MP(γ_0) input law) approaches the spectral
    /// distribution of the infinite-width Gram on n = 300 uniform points of S^{d−1}, d = 600
    /// (γ_0 = n/d = 0.5): the Kolmogorov distance shrinks with γ to the finite-n floor, the means
    /// agree exactly and the second moments converge; for K_ℓ both tend to 1 + b_σ^{4ℓ} γ_0.
    @Test func linearWidthLawApproachesInfiniteWidthSpectrum() throws {
        let pts = try InputPoints.make(.uniformSphere(n: 300, dimension: 600, seed: 5))
        let act = activation("tanh")
        for kernel in [InfiniteKernel.ck(2), .ntk(2)] {
            let rows = try LinearWidthComparison.gammaLimit(activation: act, depth: 2, kernel: kernel, points: pts,
                                                            gammas: [0.5, 0.05, 0.005], inputLaw: .marcenkoPastur(gamma0: 0.5))
            #expect(rows.count == 3)
            guard rows.count == 3 else { continue }
            #expect(rows[0].ks > rows[1].ks && rows[1].ks > rows[2].ks, "\(kernel): KS decreases as γ → 0")
            #expect(rows[2].ks < 0.04, "\(kernel): KS at γ = 0.005 is \(rows[2].ks)")
            for r in rows { #expect(abs(r.lawMean - r.gramMean) < 1e-6 * r.gramMean) }
            let m2 = rows.map { abs($0.lawSecondMoment - $0.gramSecondMoment) / $0.gramSecondMoment }
            #expect(m2[2] < m2[0] && m2[2] < 0.01, "\(kernel): second moments \(rows.map(\.lawSecondMoment)) vs \(rows[0].gramSecondMoment)")
            if case .ck = kernel {
                let predicted = 1 + pow(act.b, 8) * 0.5
                #expect(abs(rows[2].gramSecondMoment - predicted) < 0.01)
            }
        }
    }
}
