import ComplexModule
import LimitLaws
import RealModule

/// The free Poisson law π_t of rate t > 0 (jump size 1): the limit spectral law of (1/d)·W Wᵀ for
/// W ∈ ℝ^{d×p} with iid N(0, 1) entries and p/d → t. Mean t, variance t, an atom (1 − t)₊ at 0 and
/// the density √((λ₊ − x)(x − λ₋)) / (2πx) on [λ₋, λ₊], λ± = (1 ± √t)².
///
/// Everything is in closed form; the continuous part is parametrised by x(θ) = c − r·cos θ,
/// θ ∈ [0, π], c = 1 + t, r = 2√t, under which dπ = w(θ) dθ with w(θ) = r² sin²θ / (2π x(θ)) smooth
/// (also at t = 1, where the density has an integrable 1/√x singularity at 0).
public struct FreePoisson: Sendable, Hashable {
    public let rate: Double
    let c: Double, r: Double

    public init(rate t: Double) {
        precondition(t > 0 && t.isFinite)
        rate = t
        c = 1 + t
        r = 2 * t.squareRoot()
    }

    /// Mass of the atom at 0.
    public var atom: Double { max(0, 1 - rate) }
    /// Mass of the continuous part, min(1, t).
    public var continuousMass: Double { min(1, rate) }
    public var lower: Double { let s = 1 - rate.squareRoot(); return s * s }
    public var upper: Double { let s = 1 + rate.squareRoot(); return s * s }

    /// Density of the continuous part (0 outside [λ₋, λ₊]).
    public func density(_ x: Double) -> Double {
        guard x > lower, x < upper, x > 0 else { return 0 }
        return ((upper - x) * (x - lower)).squareRoot() / (2 * Double.pi * x)
    }

    /// θ ∈ [0, π] with x(θ) = x, clamped to the support.
    func theta(_ x: Double) -> Double {
        Double.acos(min(1, max(-1, (c - x) / r)))
    }

    /// x(θ) = (1 − √t)² + 2r·sin²(θ/2) (no cancellation near θ = 0).
    func x(_ theta: Double) -> Double {
        let s = Double.sin(theta / 2)
        return lower + 2 * r * s * s
    }

    /// dπ/dθ of the continuous part: r² sin²θ / (2π x(θ)); at t = 1 it is (1 + cos θ)/π.
    func weight(_ theta: Double) -> Double {
        let x = self.x(theta)
        if x <= 0 { return (1 + Double.cos(theta)) / Double.pi }
        let s = Double.sin(theta)
        return r * r * s * s / (2 * Double.pi * x)
    }

    /// Mass of the continuous part below x (closed form):
    /// F(θ) = (r²/2π)[sin θ / r + cθ / r² + (1 − c²/r²) · (2/|1 − t|) · atan(√((c + r)/(c − r)) tan(θ/2))].
    public func continuousCDF(_ x: Double) -> Double {
        if x <= lower { return 0 }
        if x >= upper { return continuousMass }
        let th = theta(x)
        var f = Double.sin(th) / r + c * th / (r * r)
        let gap = abs(1 - rate)
        if gap > 0 {
            let half = th / 2
            let k = ((c + r) / (c - r)).squareRoot()
            // atan(k tan(θ/2)) continuous on [0, π]: at θ = π it is π/2.
            let a = half >= Double.pi / 2 - 1e-15 ? Double.pi / 2 : Double.atan(k * Double.tan(half))
            f += (1 - c * c / (r * r)) * (2 / gap) * a
        }
        return min(continuousMass, max(0, r * r / (2 * Double.pi) * f))
    }

    /// CDF including the atom at 0.
    public func cdf(_ x: Double) -> Double {
        (x >= 0 ? atom : 0) + continuousCDF(x)
    }

    /// Stieltjes transform m(z) = ∫ dπ(x)/(x − z) for z off the support:
    /// the root of t·z·m² + (z + 1 − t)·m... written as m = (t − 1 − z + √((z − λ₋)(z − λ₊)))/(2z) with
    /// the branch for which m ~ −1/z at infinity.
    public func stieltjes(_ z: Complex<Double>) -> Complex<Double> {
        let a = z - Complex(lower), b = z - Complex(upper)
        // √((z − λ₋)(z − λ₊)) with the branch cut on [λ₋, λ₊]: product of principal roots.
        let root = Complex.sqrt(a) * Complex.sqrt(b)
        return (Complex(rate - 1) - z + root) / (z * 2)
    }
}

/// Composite Gauss–Legendre integration on arbitrary panels.
enum Panels {
    /// 24-point Gauss–Legendre nodes and weights on [−1, 1].
    static let rule: (nodes: [Double], weights: [Double]) = GaussianQuadrature.legendreRule(count: 24)

    /// ∫_a^b f by composite Gauss–Legendre over the panels cut at `cuts` (inside (a, b)), each panel
    /// further split into pieces no wider than `maxWidth`.
    static func integrate(_ a: Double, _ b: Double, cuts: [Double] = [], maxWidth: Double = .infinity, _ f: (Double) -> Double) -> Double {
        guard b > a else { return 0 }
        var edges = [a]
        for c in cuts.sorted() where c > a && c < b { edges.append(c) }
        edges.append(b)
        var sum = 0.0
        let (t, w) = rule
        for k in 0..<(edges.count - 1) {
            let lo = edges[k], hi = edges[k + 1]
            guard hi > lo else { continue }
            let pieces = maxWidth.isFinite ? max(1, Int(((hi - lo) / maxWidth).rounded(.up))) : 1
            let h = (hi - lo) / Double(pieces)
            for p in 0..<pieces {
                let mid = lo + (Double(p) + 0.5) * h, half = h / 2
                for i in t.indices { sum += half * w[i] * f(mid + half * t[i]) }
            }
        }
        return sum
    }
}
