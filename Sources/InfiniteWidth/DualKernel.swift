import Foundation
import LimitLaws

/// The dual kernels of σ for two pre-activations of equal variance q and covariance c
/// (u, v jointly Gaussian, E u² = E v² = q, E uv = c, |c| ≤ q):
///
///   κ_q(c) = E[σ(u) σ(v)],   κ̇_q(c) = E[σ′(u) σ′(v)],
///
/// in closed form for relu, leaky-relu (the arc-cosine family, Cho & Saul 2009), erf (Williams
/// 1997), sin, cos, linear and the b-family; by 2-D quadrature otherwise.
public struct DualKernel: Sendable {
    public enum Method: String, Sendable, Hashable {
        case closedForm = "closed form"
        case quadrature = "2-D quadrature"
    }

    public let activation: KernelActivation
    public var method: Method { DualKernel.hasClosedForm(activation.shape) ? .closedForm : .quadrature }

    public init(_ activation: KernelActivation) { self.activation = activation }

    public static func hasClosedForm(_ shape: ActivationShape) -> Bool {
        switch shape {
        case .relu, .leakyRelu, .erf, .sin, .cos, .linear, .bFamily: return true
        default: return false
        }
    }

    // MARK: closed forms of the raw activation

    /// E raw(√q ξ), when known in closed form.
    static func rawMean(_ shape: ActivationShape, variance q: Double) -> Double? {
        switch shape {
        case .relu: return q.squareRoot() / (2 * Double.pi).squareRoot()
        case .leakyRelu(let s): return (1 - s) * q.squareRoot() / (2 * Double.pi).squareRoot()
        case .erf, .sin, .linear: return 0
        case .cos: return exp(-q / 2)
        case .bFamily(let b):
            return (1 - b * b).squareRoot() * ActivationShapeConstants.cosineScale * (exp(-q / 2) - exp(-0.5))
        default: return nil
        }
    }

    /// (E[raw(u) raw(v)], E[raw′(u) raw′(v)]) in closed form, or nil.
    static func rawDual(_ shape: ActivationShape, variance q: Double, covariance c0: Double) -> (Double, Double)? {
        let c = min(q, max(-q, c0))
        let t = q > 0 ? c / q : 0
        func arcCosine() -> (Double, Double) {
            let theta = acos(min(1, max(-1, t)))
            let k = q / (2 * Double.pi) * ((1 - t * t).squareRoot() + (Double.pi - theta) * t)
            return (k, (Double.pi - theta) / (2 * Double.pi))
        }
        switch shape {
        case .relu:
            return arcCosine()
        case .leakyRelu(let s):
            // max(x, s x) = s x + (1 − s) relu(x);  E[u relu(v)] = c/2,  E[relu′(v)] = 1/2
            let (k, kd) = arcCosine()
            return (s * c + (1 - s) * (1 - s) * k, s + (1 - s) * (1 - s) * kd)
        case .erf:
            let a = 1 + 2 * q
            return (2 / Double.pi * asin(min(1, max(-1, 2 * c / a))), 4 / Double.pi / max(0, a * a - 4 * c * c).squareRoot())
        case .sin:
            return (exp(-q) * sinh(c), exp(-q) * cosh(c))
        case .cos:
            return (exp(-q) * cosh(c), exp(-q) * sinh(c))
        case .linear:
            return (c, 1)
        case .bFamily(let b):
            let cs = ActivationShapeConstants.cosineScale, e = exp(-0.5)
            let h = cs * cs * (exp(-q) * cosh(c) - 2 * e * exp(-q / 2) + e * e)
            return (b * b * c + (1 - b * b) * h, b * b + (1 - b * b) * cs * cs * exp(-q) * sinh(c))
        default:
            return nil
        }
    }

    // MARK: the normalised σ

    /// (κ_q(c), κ̇_q(c)).
    public func values(variance q: Double, covariance c: Double) -> (kappa: Double, kappaDot: Double) {
        let a = activation
        if let (r, rd) = DualKernel.rawDual(a.shape, variance: q, covariance: c),
           let m = DualKernel.rawMean(a.shape, variance: q) {
            let s2 = a.scale * a.scale
            return (s2 * (r - 2 * a.shift * m + a.shift * a.shift), s2 * rd)
        }
        return quadrature(variance: q, covariance: c)
    }

    /// (E σ(√q ξ)², E σ′(√q ξ)²): the kernels on the diagonal, c = q.
    public func diagonal(variance q: Double) -> (kappa: Double, kappaDot: Double) {
        let a = activation
        if DualKernel.hasClosedForm(a.shape) {
            let v = values(variance: q, covariance: q)
            return (a.normalised && q == 1 ? 1 : v.kappa, v.kappaDot)
        }
        let r = q.squareRoot()
        // a normalised σ has E σ(ξ)² = 1 exactly, by construction
        let k = a.normalised && q == 1 ? 1 : GaussianIntegral.expectation(breakpoints: a.breakpoints) { let v = a.value(r * $0); return v * v }
        let kd = GaussianIntegral.expectation(breakpoints: a.breakpoints) { let v = a.derivative(r * $0); return v * v }
        return (k, kd)
    }

    /// E σ(√q ξ): the kernel at c = 0 is its square.
    public func mean(variance q: Double) -> Double {
        let a = activation
        if let m = DualKernel.rawMean(a.shape, variance: q) { return a.scale * (m - a.shift) }
        let r = q.squareRoot()
        return GaussianIntegral.expectation(breakpoints: a.breakpoints) { a.value(r * $0) }
    }

    /// Nodes and weights of the rule used by `quadrature` on [−R, R], split at `breakpoints`.
    static func rule(breakpoints: [Double]) -> (nodes: [Double], weights: [Double]) {
        let edges = GaussianIntegral.panels(width: 1, breakpoints: breakpoints, range: quadratureRange)
        let (gx, gw) = GaussianIntegral.rule24
        var x: [Double] = [], w: [Double] = []
        x.reserveCapacity(edges.count * 24); w.reserveCapacity(edges.count * 24)
        let c = 1 / (2 * Double.pi).squareRoot()
        for i in 1..<edges.count {
            let a = edges[i - 1], b = edges[i], h = (b - a) / 2, m = (a + b) / 2
            for j in gx.indices { let t = m + h * gx[j]; x.append(t); w.append(h * gw[j] * c * exp(-t * t / 2)) }
        }
        return (x, w)
    }

    /// Half-width of the 2-D rule in units of the standard deviation: e^{−R²/2} ≈ 2e-22.
    static let quadratureRange = 10.0

    /// (κ_q(c), κ̇_q(c)) by 2-D quadrature: u = √q ξ₁, v = √q (t ξ₁ + √(1−t²) ξ₂), t = c/q,
    /// 24-point Gauss–Legendre panels of width 1 on [−10, 10] in each variable, the inner panels
    /// split where v crosses σ's kink (0). Agrees with the closed forms to ~1e-13 (tested).
    public func quadrature(variance q: Double, covariance c: Double) -> (kappa: Double, kappaDot: Double) {
        let a = activation
        let t = q > 0 ? min(1, max(-1, c / q)) : 0
        let r = q.squareRoot()
        if abs(t) >= 1 - 1e-15 {
            let sign = t > 0 ? 1.0 : -1.0
            let k = GaussianIntegral.expectation(breakpoints: a.breakpoints) { a.value(r * $0) * a.value(sign * r * $0) }
            let kd = GaussianIntegral.expectation(breakpoints: a.breakpoints) { a.derivative(r * $0) * a.derivative(sign * r * $0) }
            return (k, kd)
        }
        let s = (1 - t * t).squareRoot()
        let kinked = !a.breakpoints.isEmpty
        // For kinked σ the inner integral, as a function of ξ₁, changes on the scale √(1−t²) near
        // ξ₁ = 0 (where v's kink crosses the bulk): the outer panels are graded there (s, 2s, 4s, …).
        var grading: [Double] = []
        if kinked { var g = s; while g < 1 { grading += [-g, g]; g *= 2 } }
        let outer = DualKernel.rule(breakpoints: kinked ? [0] + grading : [])
        let plain = kinked ? nil : outer
        var k = 0.0, kd = 0.0
        for (x1, w1) in zip(outer.nodes, outer.weights) {
            let u = r * x1
            let fu = a.value(u), du = a.derivative(u)
            let inner = plain ?? DualKernel.rule(breakpoints: [-t * x1 / s])
            var ik = 0.0, ikd = 0.0
            for (x2, w2) in zip(inner.nodes, inner.weights) {
                let v = r * (t * x1 + s * x2)
                ik += w2 * a.value(v)
                ikd += w2 * a.derivative(v)
            }
            k += w1 * fu * ik
            kd += w1 * du * ikd
        }
        return (k, kd)
    }

    // MARK: Hermite coefficients at variance q

    /// μ_k(q) = E[σ(√q ξ) He_k(ξ)]/√k!, k = 0 … order: closed forms where known, else the
    /// composite quadrature of `HermiteCoefficients` (split at the kink).
    public func hermite(variance q: Double, order: Int) -> HermiteCoefficients {
        let a = activation
        let r = q.squareRoot()
        let f: (Double) -> Double = { a.value(r * $0) }
        if let raw = DualKernel.hermiteRaw(a.shape, scale: r, order: order), let m = DualKernel.rawMean(a.shape, variance: q) {
            var mu = raw.map { a.scale * $0 }
            mu[0] = a.scale * (m - a.shift)
            if a.centred && q == 1 { mu[0] = 0 }   // E σ(ξ) = 0 by construction (no 1e-16 residue)
            // cross-check the formula against quadrature on the first orders (a guard against a
            // shape/normalisation mismatch; the quadrature is the slow part at high orders)
            let check = HermiteCoefficients.quadrature(f, order: min(order, 200), panelWidth: 0.25)
            let discrepancy = zip(mu, check).map { abs($0 - $1) }.max() ?? 0
            if discrepancy < 1e-8 * max(1, r) {
                return HermiteCoefficients(mu: mu, errorEstimate: Array(repeating: 0, count: order + 1), method: .closedForm,
                                           quadratureDiscrepancy: discrepancy, trustworthyOrder: order)
            }
        }
        let fine = HermiteCoefficients.quadrature(f, order: order, panelWidth: 0.25)
        let coarse = HermiteCoefficients.quadrature(f, order: order, panelWidth: 0.5)
        let err = zip(fine, coarse).map { abs($0 - $1) }
        let scaleOfValues = max(1, diagonal(variance: q).kappa.squareRoot())
        var trusted = 1
        for k in 1...order where abs(fine[k]) > 100 * max(err[k], 1e-14 * scaleOfValues) { trusted = k }
        var mu = fine.map { abs($0) < HermiteCoefficients.noiseFloor * scaleOfValues ? 0 : $0 }
        if a.centred && q == 1 { mu[0] = 0 }
        return HermiteCoefficients(mu: mu, errorEstimate: err, method: .quadrature, quadratureDiscrepancy: 0, trustworthyOrder: trusted)
    }

    /// Hermite coefficients of raw(a·x), a > 0, in closed form (relu and leaky-relu are
    /// homogeneous; E[e^{iaξ} He_k(ξ)] = (ia)^k e^{−a²/2} for sin and cos), without μ_0's mean.
    static func hermiteRaw(_ shape: ActivationShape, scale a: Double, order: Int) -> [Double]? {
        func trig(odd: Bool) -> [Double] {
            var c = [Double](repeating: 0, count: order + 1)
            for k in 0...order where (k % 2 == 1) == odd {
                let sign: Double = odd ? ((k - 1) / 2 % 2 == 0 ? 1 : -1) : (k / 2 % 2 == 0 ? 1 : -1)
                c[k] = sign * exp(Double(k) * log(a) - a * a / 2 - lgamma(Double(k) + 1) / 2)
            }
            return c
        }
        switch shape {
        case .relu, .leakyRelu, .linear:
            return HermiteCoefficients.closedFormRaw(shape, order: order)?.map { a * $0 }
        case .sin: return trig(odd: true)
        case .cos: return trig(odd: false)
        case .bFamily(let b):
            let cs = ActivationShapeConstants.cosineScale
            var c = trig(odd: false).map { (1 - b * b).squareRoot() * cs * $0 }
            if order >= 1 { c[1] += b * a }
            return c
        default: return nil
        }
    }
}

/// The b-family's cosine normalisation, 1/√((1 + e^{−2})/2 − e^{−1}) (as in LimitLaws).
enum ActivationShapeConstants {
    static let cosineScale = 1 / ((1 + exp(-2.0)) / 2 - exp(-1.0)).squareRoot()
}
