import Foundation
import Testing
@testable import InfiniteWidth
import LimitLaws

/// Test-local oracles, written independently of the module: the raw arc-cosine kernels, a 2-D
/// trapezoid rule for smooth σ (spectrally accurate for Gaussian-weighted analytic integrands), and
/// the layer recursion Σ → K → Θ evaluated pointwise.
enum Oracle {
    /// (E[relu(u)relu(v)], E[relu′(u)relu′(v)]) for variance q, covariance c (Cho & Saul).
    static func relu(q: Double, c: Double) -> (Double, Double) {
        let t = max(-1, min(1, c / q)), th = acos(t)
        return (q / (2 * .pi) * (sin(th) + (.pi - th) * t), (.pi - th) / (2 * .pi))
    }

    /// E[f(u) g(v)] by the trapezoid rule on [−9, 9]² (u = √q x, v = √q (t x + √(1−t²) y)).
    static func trapezoid(q: Double, c: Double, _ f: (Double) -> Double, _ g: (Double) -> Double, h: Double = 0.03) -> Double {
        let t = max(-1, min(1, c / q)), s = (1 - t * t).squareRoot(), r = q.squareRoot()
        let m = Int(9 / h)
        var total = 0.0
        for i in -m...m {
            let x = Double(i) * h
            let wx = exp(-x * x / 2)
            let fu = f(r * x)
            var inner = 0.0
            for j in -m...m {
                let y = Double(j) * h
                inner += exp(-y * y / 2) * g(r * (t * x + s * y))
            }
            total += wx * fu * inner
        }
        return total * h * h / (2 * .pi)
    }

    /// Σ_ℓ, K_ℓ, Θ_ℓ at ρ by the recursion, from a dual-kernel function (q, c) → (κ, κ̇).
    static func kernels(rho: Double, depth: Int, sw: Double, sb: Double, tau: [Double]? = nil,
                        dual: (Double, Double) -> (Double, Double)) -> (ck: [Double], ntk: [Double]) {
        let tau = tau ?? Array(repeating: 1, count: depth + 1)
        var sigma = sw * rho + sb, q = sw + sb
        var ck = [rho], ntk = [tau[depth] * sigma]
        var p = tau[0] * sigma
        for l in 1...depth {
            let (k, kd) = dual(q, sigma)
            let (kq, _) = dual(q, q)
            let next = sw * k + sb
            let t = sw * kd * p
            ck.append(k); ntk.append(tau[depth] * next + t)
            if l < depth { p = tau[l] * next + t }
            sigma = next; q = sw * kq + sb
        }
        return (ck, ntk)
    }
}

@Suite struct InitialisationTests {
    /// The closed forms of DualKernel (relu, leaky-relu, erf, sin, cos, b-family, for every centring
    /// and normalisation) against its 2-D quadrature, at several variances and correlations.
    @Test(arguments: ["relu", "leaky-relu:0.2", "erf", "sin", "cos", "b-family:0.3"])
    func closedFormsMatchQuadrature(_ name: String) {
        // (2-D quadrature is slow in a debug build: a few points per case)
        for (centre, normalise) in [(true, true), (false, name == "relu")] {
            let dual = DualKernel(KernelActivation(activation(name), centre: centre, normalise: normalise))
            #expect(dual.method == .closedForm)
            for q in [0.5, 2.3] {
                for t in [-0.9, 0.4, 0.999] {
                    let exact = dual.values(variance: q, covariance: t * q)
                    let quad = dual.quadrature(variance: q, covariance: t * q)
                    let scale = max(1, abs(exact.kappa))
                    #expect(abs(exact.kappa - quad.kappa) < 1e-11 * scale, "\(name) c=\(centre) n=\(normalise) q=\(q) t=\(t): κ \(exact.kappa) vs \(quad.kappa)")
                    #expect(abs(exact.kappaDot - quad.kappaDot) < 1e-11 * max(1, abs(exact.kappaDot)), "\(name) q=\(q) t=\(t): κ̇")
                }
            }
        }
    }

    /// The relu closed form against the test's own arc-cosine formula (raw relu, any variance).
    @Test func rawReluIsTheArcCosineKernel() {
        let dual = DualKernel(KernelActivation(activation("relu"), centre: false, normalise: false))
        for q in [0.3, 1, 4] {
            for t in stride(from: -1.0, through: 1.0, by: 0.125) {
                let (k, kd) = Oracle.relu(q: q, c: t * q)
                let v = dual.values(variance: q, covariance: t * q)
                #expect(abs(v.kappa - k) < 1e-14 * q && abs(v.kappaDot - kd) < 1e-14)
            }
        }
    }

    /// The paper's unit-variance setting (σ_w² = 0.64, σ_b² = 0.36, ReLU normalised but not
    /// centred): the series of K_ℓ and Θ_ℓ against the pointwise arc-cosine recursion, within the
    /// stated bound, and the exact diagonal.
    @Test func uncentredReluWithBiasesMatchesArcCosineRecursion() {
        let ini = Initialisation(weightVariance: 0.64, biasVariance: 0.36, centre: false, normalise: true)
        let depth = 3
        let s = KernelSeries(activation: activation("relu"), depth: depth, order: 300, initialisation: ini)
        // normalised relu: 2·relu² has mean 1, so the dual kernels are twice the raw ones
        let dual: (Double, Double) -> (Double, Double) = { q, c in let (k, kd) = Oracle.relu(q: q, c: c); return (2 * k, 2 * kd) }
        for l in 1...depth {
            #expect(abs(s.valueAtOne(.ck(l)) - 1) < 1e-14, "unit variance: K_\(l)(1) = 1")
            #expect(abs(s.variances[l] - 1) < 1e-14)
        }
        for rho in stride(from: -0.95, through: 0.95, by: 0.05) {
            let exact = Oracle.kernels(rho: rho, depth: depth, sw: 0.64, sb: 0.36, dual: dual)
            for l in 1...depth {
                let ck = s.value(.ck(l), at: rho), ntk = s.value(.ntk(l), at: rho)
                #expect(abs(ck.value - exact.ck[l]) <= ck.errorBound + 1e-14 * max(1, abs(ck.value)), "K_\(l)(\(rho)): \(ck.value) vs \(exact.ck[l]) ± \(ck.errorBound)")
                #expect(abs(ntk.value - exact.ntk[l]) <= ntk.errorBound + 1e-14 * max(1, abs(ntk.value)), "Θ_\(l)(\(rho))")
                // the bound is useful: the series is accurate to 2e-3 here
                #expect(ntk.errorBound < 2e-3 * exact.ntk[depth] + 1e-12 || abs(rho) > 0.9)
            }
        }
        let one = Oracle.kernels(rho: 1, depth: depth, sw: 0.64, sb: 0.36, dual: dual)
        #expect(abs(s.valueAtOne(.ntk(depth)) - one.ntk[depth]) < 1e-12)
        // all coefficients non-negative, a positive constant term
        #expect(s.ntk[depth].allSatisfy { $0 >= 0 } && s.ck[depth].allSatisfy { $0 >= 0 })
        #expect(s.ntk[depth][0] > 0.1)
        // the exact recursion of the module agrees with the test's
        let r = KernelRecursion(activation: activation("relu"), depth: depth, initialisation: ini)
        for rho in [-1, -0.5, 0, 0.7, 0.99, 1] {
            let v = r.values(at: rho), o = Oracle.kernels(rho: rho, depth: depth, sw: 0.64, sb: 0.36, dual: dual)
            for l in 0...depth { #expect(abs(v.ntk[l] - o.ntk[l]) < 1e-12 && abs(v.ck[l] - o.ck[l]) < 1e-12) }
        }
    }

    /// A smooth σ with every option off (raw tanh, σ_w² = 1.5, σ_b² = 0.2, τ weights): the series
    /// against the pointwise recursion of the test's 2-D trapezoid rule.
    @Test func rawTanhWithBiasesMatchesTrapezoidRecursion() {
        let ini = Initialisation(weightVariance: 1.5, biasVariance: 0.2, centre: false, normalise: false)
        let tau = [0.5, 2.0, 1.5]
        let s = KernelSeries(activation: activation("tanh"), depth: 2, order: 120, tau: tau, initialisation: ini)
        let dtanh: (Double) -> Double = { 1 - tanh($0) * tanh($0) }
        let dual: (Double, Double) -> (Double, Double) = { q, c in
            (Oracle.trapezoid(q: q, c: c, tanh, tanh), Oracle.trapezoid(q: q, c: c, dtanh, dtanh))
        }
        for rho in [-0.8, -0.2, 0.3, 0.9, 1] {
            let exact = Oracle.kernels(rho: rho, depth: 2, sw: 1.5, sb: 0.2, tau: tau, dual: dual)
            for l in 1...2 {
                let ck = s.value(.ck(l), at: rho), ntk = s.value(.ntk(l), at: rho)
                #expect(abs(ck.value - exact.ck[l]) <= ck.errorBound + 1e-14 * max(1, abs(ck.value)), "K_\(l)(\(rho)): \(ck.value) vs \(exact.ck[l])")
                #expect(abs(ntk.value - exact.ntk[l]) <= ntk.errorBound + 1e-14 * max(1, abs(ntk.value)), "Θ_\(l)(\(rho)): \(ntk.value) vs \(exact.ntk[l])")
            }
        }
        #expect(s.tail(.ntk(2)) < 1e-8)
    }

    /// Standard initialisation: nothing changes (K_ℓ(0) = 0, the exact low orders, old values).
    @Test func standardInitialisationIsFanWang() {
        let s = KernelSeries(activation: activation("relu"), depth: 2, order: 100)
        #expect(s.lowOrdersExact && s.ck[2][0] == 0 && s.ntk[2][0] == 0)
        #expect(s.hermite.mu[0] == 0)   // not 3.3e-16
        let u = KernelSeries(activation: activation("relu"), depth: 2, order: 100,
                             initialisation: Initialisation(centre: false))
        // uncentred: μ_0 = E σ = √2·φ(0)·√(2π)/√(2π)… = 1/√π for the normalised relu √2·relu
        #expect(abs(u.hermite.mu[0] - 1 / Double.pi.squareRoot()) < 1e-14)
        #expect(abs(u.ck[1][0] - 1 / Double.pi) < 1e-14)   // K_1(0) = (E σ)²
    }
}
