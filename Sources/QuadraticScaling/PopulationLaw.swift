import LimitLaws
import RealModule

/// H = μ_{ν,φ}, the limit spectral law of the population covariance of the NTK's rows
/// (docs/quadratic.md, "Step 2"): the law of the operator on T ∈ ℝ^{d×p}
///
///     Σ_eff(T) = a² · T D² + c₁² · (T AᵀA + A Tᵀ A),     A = W D / √d,   p/d → γ₂.
///
/// It is kept as exact atoms plus the continuous part's CDF at the edges of a fine grid of cells
/// (computed in closed form or by the inertia formula, never by sampling) and its density.
public struct PopulationLaw: Sendable {
    /// Atoms (location, mass), exact.
    public let atoms: [Atom]
    /// Support intervals of the continuous part.
    public let support: [ClosedRange<Double>]
    /// Exact first and second moments: m₁ = v E D², m₂ = v² E D⁴ + 2γ₂ c₁⁴ (E D²)².
    public let mean: Double
    public let secondMoment: Double
    /// Cell edges (increasing, covering the support, atoms among them) and the continuous part's
    /// mass below each edge.
    public let edges: [Double]
    public let continuousCDF: [Double]
    /// How the continuous part was computed, for outputs.
    public let method: String
    /// Density of the continuous part at x.
    let densityFunction: @Sendable (Double) -> Double
    /// A displacement every point of H may already carry (ν itself discretised, e.g. uniform ν by
    /// its quantiles): added to the discretisation's bound.
    var extraDisplacement: Double = 0

    public var atomMass: Double { atoms.reduce(0) { $0 + $1.mass } }
    public var continuousMass: Double { continuousCDF.last ?? 0 }
    /// Mass at 0 (an atom of H there).
    public var zeroMass: Double { atoms.first(where: { $0.location == 0 })?.mass ?? 0 }

    /// CDF (atoms ≤ x plus the continuous part, linear between cell edges).
    public func cdf(_ x: Double) -> Double {
        var f = atoms.reduce(0) { $1.location <= x ? $0 + $1.mass : $0 }
        if let first = edges.first, x > first {
            f += interpolate(x)
        }
        return min(1, max(0, f))
    }

    func interpolate(_ x: Double) -> Double {
        guard let first = edges.first, let last = edges.last else { return 0 }
        if x <= first { return 0 }
        if x >= last { return continuousCDF.last! }
        var lo = 0, hi = edges.count - 1
        while hi - lo > 1 { let m = (lo + hi) / 2; if edges[m] <= x { lo = m } else { hi = m } }
        let t = (x - edges[lo]) / max(edges[hi] - edges[lo], 1e-300)
        return continuousCDF[lo] + t * (continuousCDF[hi] - continuousCDF[lo])
    }

    /// Density of the continuous part at x (exact where a closed form exists).
    public func density(_ x: Double) -> Double { densityFunction(x) }

    /// Density of the continuous part from the cell table: the cell's mass over its width, linear
    /// between cell midpoints (for plots: O(1) per point).
    public func cellDensity(_ x: Double) -> Double {
        guard edges.count >= 2, x >= edges[0], x <= edges[edges.count - 1] else { return 0 }
        guard support.contains(where: { $0.contains(x) }) else { return 0 }
        func cell(_ i: Int) -> (mid: Double, value: Double) {
            let w = edges[i + 1] - edges[i]
            return (0.5 * (edges[i] + edges[i + 1]), w > 0 ? (continuousCDF[i + 1] - continuousCDF[i]) / w : 0)
        }
        var lo = 0, hi = edges.count - 1
        while hi - lo > 1 { let m = (lo + hi) / 2; if edges[m] <= x { lo = m } else { hi = m } }
        let c = cell(lo)
        let j = x < c.mid ? lo - 1 : lo + 1
        guard j >= 0, j < edges.count - 1, support.contains(where: { $0.contains(cell(j).mid) }) else { return c.value }
        let n = cell(j)
        let t = (x - c.mid) / (n.mid - c.mid)
        return c.value + t * (n.value - c.value)
    }

    /// Smallest and largest point of the law (support and atoms).
    public var range: ClosedRange<Double> {
        var lo = support.first?.lowerBound ?? .infinity, hi = support.last?.upperBound ?? -.infinity
        for a in atoms { lo = min(lo, a.location); hi = max(hi, a.location) }
        return lo...max(hi, lo)
    }
}

// MARK: - The closed form for |D| constant

extension PopulationLaw {
    /// |D| = δ almost surely: with λ, λ′ iid free Poisson π_{γ₂} (the law of (1/d) W Wᵀ),
    ///
    ///     H = (1 − 1/(2γ₂)) δ_{a²δ²} + (1/(2γ₂)) Law(δ² (a² + c₁² (λ + λ′))),
    ///
    /// a signed combination whose atom at a²δ² has mass γ₂/2 (γ₂ ≤ 1) or 1 − 1/(2γ₂) (γ₂ ≥ 1).
    /// λ + λ′ is a classical convolution: its CDF is ∫ F_π(s − λ) dπ(λ) with F_π in closed form,
    /// integrated by composite Gauss–Legendre in θ (cut where the integrand has its edge kinks).
    static func constantMagnitude(deltaSquared d2: Double, a2: Double, c1Squared c2: Double, gamma2 t: Double,
                                  cells: Int) -> PopulationLaw {
        let v = a2 + c2
        let mean = v * d2
        let second = v * v * d2 * d2 + 2 * t * c2 * c2 * d2 * d2
        if c2 == 0 {
            return PopulationLaw(atoms: [Atom(location: a2 * d2, mass: 1)], support: [], mean: mean, secondMoment: second,
                                 edges: [], continuousCDF: [], method: "closed form (c₁ = 0: the law of a²D²)",
                                 densityFunction: { _ in 0 })
        }
        let pi = FreePoisson(rate: t)
        let sum = FreePoissonSum(pi)
        let atomMass = t <= 1 ? t / 2 : 1 - 1 / (2 * t)
        let map = { (s: Double) in d2 * (a2 + c2 * s) }
        let support = sum.support.map { map($0.lowerBound)...map($0.upperBound) }
        let edges = cellEdges(support: support, atoms: [a2 * d2], cells: cells)
        let weight = 1 / (2 * t)
        let cdf = edges.map { x in weight * sum.continuousCDF((x / d2 - a2) / c2) }
        let density: @Sendable (Double) -> Double = { x in weight * sum.density((x / d2 - a2) / c2) / (d2 * c2) }
        return PopulationLaw(atoms: [Atom(location: a2 * d2, mass: atomMass)], support: support, mean: mean, secondMoment: second,
                             edges: edges, continuousCDF: cdf,
                             method: "closed form (|D| constant: classical convolution of two free Poisson laws)",
                             densityFunction: density)
    }

    /// Cell edges over the support intervals (about `cells` in all, in proportion to their widths),
    /// with the atoms inside the support among the edges.
    static func cellEdges(support: [ClosedRange<Double>], atoms: [Double], cells: Int) -> [Double] {
        let total = support.reduce(0) { $0 + ($1.upperBound - $1.lowerBound) }
        guard total > 0 else { return [] }
        var edges = [Double]()
        for s in support {
            let w = s.upperBound - s.lowerBound
            let k = max(4, Int((Double(cells) * w / total).rounded(.up)))
            for i in 0...k { edges.append(s.lowerBound + w * Double(i) / Double(k)) }
        }
        for a in atoms where support.contains(where: { $0.contains(a) }) { edges.append(a) }
        edges.sort()
        var out = [Double]()
        for e in edges where out.last.map({ e > $0 }) ?? true { out.append(e) }
        return out
    }
}

/// The classical convolution λ + λ′ of two independent free Poisson π_t variables.
struct FreePoissonSum: Sendable {
    let pi: FreePoisson

    init(_ pi: FreePoisson) { self.pi = pi }

    /// Support of the continuous part: [2λ₋, 2λ₊], and [λ₋, λ₊] too when π has an atom at 0.
    var support: [ClosedRange<Double>] {
        var parts = [(2 * pi.lower)...(2 * pi.upper)]
        if pi.atom > 0 { parts.append(pi.lower...pi.upper) }
        parts.sort { $0.lowerBound < $1.lowerBound }
        var merged = [ClosedRange<Double>]()
        for p in parts {
            if let last = merged.last, p.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, p.upperBound)
            } else { merged.append(p) }
        }
        return merged
    }

    /// θ-panel cuts for an integrand of λ(θ) with kinks at the given λ values; geometric cuts near
    /// θ = 0 when t is close to 1 (the θ-weight then varies on the scale |1 − √t|).
    func cuts(kinks: [Double]) -> [Double] {
        var c = kinks.filter { $0 > pi.lower && $0 < pi.upper }.map { pi.theta($0) }
        // At t = 1 the weight is (1 + cos θ)/π, smooth; for |1 − √t| ≤ 1e−6 its feature near θ = 0
        // is narrower than 1e−6 and carries mass of that order squared.
        let gap = abs(1 - pi.rate.squareRoot())
        if gap < 0.3 && gap > 1e-6 {
            var e = gap
            while e < 0.5 { c.append(e); e *= 3 }
        }
        return c
    }

    /// P(λ + λ′ ≤ s, both parts... ) restricted to the continuous part of the sum:
    /// 2(1 − t)₊ F_c(s) + ∫ F_c(s − λ) dπ_c(λ).
    func continuousCDF(_ s: Double) -> Double {
        let single = 2 * pi.atom * pi.continuousCDF(s)
        if s <= 2 * pi.lower { return single }
        if s >= 2 * pi.upper { return single + pi.continuousMass * pi.continuousMass }
        let pair = Panels.integrate(0, Double.pi, cuts: cuts(kinks: [s - pi.lower, s - pi.upper]), maxWidth: Double.pi / 4) { th in
            pi.continuousCDF(s - pi.x(th)) * pi.weight(th)
        }
        return single + pair
    }

    /// Density of the continuous part of λ + λ′ at s.
    func density(_ s: Double) -> Double {
        let single = 2 * pi.atom * pi.density(s)
        guard s > 2 * pi.lower, s < 2 * pi.upper else { return single }
        let pair = Panels.integrate(0, Double.pi, cuts: cuts(kinks: [s - pi.lower, s - pi.upper]), maxWidth: Double.pi / 4) { th in
            pi.density(s - pi.x(th)) * pi.weight(th)
        }
        return single + pair
    }
}
