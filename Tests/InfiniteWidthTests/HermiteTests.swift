import Foundation
import Testing
@testable import InfiniteWidth
import LimitLaws

@Suite struct HermiteTests {
    @Test func reluClosedFormMatchesQuadrature() {
        let h = HermiteCoefficients.compute(for: activation("relu"), order: 201)
        #expect(h.method == .closedForm)
        #expect(h.quadratureDiscrepancy < 1e-12)
        #expect(abs(h.mu[0]) < 1e-12)
        // μ_1 = b_σ = s/2, odd coefficients above 1 vanish, even ones alternate in sign
        let s = ArcCosine.s2.squareRoot()
        #expect(abs(h.mu[1] - s / 2) < 1e-14)
        #expect(h.mu[3] == 0 && h.mu[5] == 0)
        #expect(h.mu[2] > 0 && h.mu[4] < 0 && h.mu[6] > 0)
        // μ_2 = s φ(0)/√2
        #expect(abs(h.mu[2] - s / (2 * Double.pi).squareRoot() / 2.0.squareRoot()) < 1e-14)
        // Σ μ_k² → 1 slowly (μ_k² ~ k^{-5/2})
        #expect(h.squaredSum < 1 && h.squaredSum > 0.999)
    }

    @Test func leakyReluSinCosBFamilyClosedForms() {
        for name in ["leaky-relu:0.2", "sin", "cos", "linear", "b-family:0.3", "b-family:-0.7"] {
            let act = activation(name)
            let h = HermiteCoefficients.compute(for: act, order: 60)
            #expect(h.method == .closedForm, "\(name)")
            #expect(abs(h.mu[1] - act.b) < 1e-6, "\(name): μ_1 = b_σ")
        }
        let leaky = HermiteCoefficients.compute(for: activation("leaky-relu:0.2"), order: 10)
        let relu = HermiteCoefficients.compute(for: activation("relu"), order: 10)
        // the non-linear parts are proportional
        #expect(abs(leaky.mu[4] / leaky.mu[2] - relu.mu[4] / relu.mu[2]) < 1e-12)
    }

    /// erf: E[erf(ξ) He_k(ξ)] = (2/√π)(1/√3) (−2/3)^{m/2} m!/((m/2)! 2^{m/2}) for k = m + 1 odd.
    @Test func erfQuadratureMatchesClosedForm() {
        let act = activation("erf")
        let h = HermiteCoefficients.compute(for: act, order: 80)
        #expect(h.method == .quadrature)
        var maxErr = 0.0
        for k in 0...80 {
            var exact = 0.0
            if k % 2 == 1 {
                let m = k - 1
                let half = Double(m / 2)
                var lg: Double = lgamma(Double(m) + 1) - lgamma(half + 1)
                lg += half * (log(2.0 / 3) - log(2.0))
                lg -= lgamma(Double(k) + 1) / 2
                let sign: Double = m / 2 % 2 == 0 ? 1 : -1
                let pre: Double = act.scale * 2 / Double.pi.squareRoot() / 3.0.squareRoot()
                exact = pre * sign * exp(lg)
            }
            maxErr = max(maxErr, abs(h.mu[k] - exact))
        }
        #expect(maxErr < 1e-13)
        #expect(h.trustworthyOrder > 40)
    }

    @Test func smoothActivationsNormalisation() {
        for name in ["tanh", "arctan", "gelu", "silu", "softplus", "elu", "erf"] {
            let act = activation(name)
            let h = HermiteCoefficients.compute(for: act, order: 200)
            #expect(abs(h.mu[0]) < 1e-10, "\(name) μ_0")
            #expect(abs(h.mu[1] - act.b) < 1e-6, "\(name) μ_1 = b")
            #expect(abs(h.squaredSum - 1) < 1e-6, "\(name) Σμ² = 1")
            #expect(abs(h.derivativeSquaredSum - act.a) < 1e-3 * act.a, "\(name) Σkμ² = a")
        }
    }
}
