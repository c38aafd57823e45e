import ComplexModule
import LimitLaws
import RealModule

// H for a general ν, by the inertia formula (docs/quadratic.md, "General ν"):
//
//   H((−∞, x)) = ν(a² D² < x) − (1/(2γ₂)) · P(ε + ε′ < −1/c₁²),   ε, ε′ iid ρ_x,
//
// ρ_x the limit law of (1/d) W diag(τ_x(D_j)) Wᵀ with τ_x = D²/(a² D² − x): Haynsworth's inertia
// additivity on the Schur complement of Σ_eff − x (the swap term is 2c₁² E*ΠE with E(T) = TAᵀ and
// Π the projection on symmetric d×d matrices, whose eigenvalues against Γ = A diag(1/(a²D² − x)) Aᵀ
// are c₁²(ε_a + ε_b), a ≤ b).

/// The law of (1/d) W diag(τ) Wᵀ for W ∈ ℝ^{d×p} iid N(0, 1), p/d → γ, and a discrete τ of any
/// signs: its Stieltjes transform s(w) inverts Ψ(s) = −1/s + γ Σ_i w_i τ_i/(1 + τ_i s). Support from
/// the critical points of Ψ on the real line (Silverstein & Choi 1995: ℝ ∖ supp = Ψ({s : Ψ′(s) > 0})),
/// density by Newton on Ψ(s) = w continued from the edges, CDF from each interval's Chebyshev series.
struct SignedMarcenkoPastur {
    let tau: [Double]
    let weight: [Double]
    let gamma: Double
    /// Atom at 0: (1 − γ·Σ w_i)₊ (Σ over τ_i ≠ 0).
    let atom: Double
    private(set) var intervals: [ChebyshevDensity] = []

    init?(tau: [Double], weight: [Double], gamma: Double) {
        self.tau = tau
        self.weight = weight
        self.gamma = gamma
        atom = max(0, 1 - gamma * weight.reduce(0, +))
        guard let pieces = findSupport() else { return nil }
        for p in pieces {
            guard let series = densitySeries(p) else { return nil }
            intervals.append(series)
        }
    }

    func psi(_ s: Double) -> Double {
        var v = -1 / s
        for i in tau.indices { v += gamma * weight[i] * tau[i] / (1 + tau[i] * s) }
        return v
    }
    func psiPrime(_ s: Double) -> Double {
        var v = 1 / (s * s)
        for i in tau.indices { let q = tau[i] / (1 + tau[i] * s); v -= gamma * weight[i] * q * q }
        return v
    }
    func psiSecond(_ s: Double) -> Double {
        var v = -2 / (s * s * s)
        for i in tau.indices { let q = tau[i] / (1 + tau[i] * s); v += 2 * gamma * weight[i] * q * q * q }
        return v
    }
    func psi(_ s: Complex<Double>) -> (value: Complex<Double>, derivative: Complex<Double>) {
        let inv = Complex(1) / s
        var v = -inv, d = inv * inv
        for i in tau.indices {
            let q = Complex(tau[i]) / (Complex(1) + s.multiplied(by: tau[i]))
            v = v + q.multiplied(by: gamma * weight[i])
            d = d - (q * q).multiplied(by: gamma * weight[i])
        }
        return (v, d)
    }

    /// A support interval with the real s at its two edges.
    struct Piece { var left: Double; var right: Double; var sLeft: Double; var sRight: Double }

    /// Gaps of the support as (w-interval, s at its left end, s at its right end).
    private func findSupport() -> [Piece]? {
        let poles = Array(Set([0.0] + tau.map { -1 / $0 })).sorted()
        // Gaps: (lo, hi) in w with the s of their ends (nil s at ±∞ in w).
        var gaps = [(lo: Double, hi: Double, sLo: Double?, sHi: Double?)]()
        func scan(_ map: (Double) -> Double, leftLimit: Double?, rightLimit: Double?, leftValue: Double, rightValue: Double) {
            // Between two τ poles a gap separates two components and can be narrow: scan finely.
            let samples = leftLimit != nil && rightLimit != nil && leftLimit != 0 && rightLimit != 0 ? 1024 : 128
            // map: u ∈ (0, 1) → s. leftValue/rightValue: Ψ at the ends (±∞ or 0), used when a run touches them.
            var runStart: Double? = nil   // u where Ψ′ > 0 began (nil: not in a run)
            var previousU = 0.0
            var previousPositive = false
            var startsAtEnd = false
            for k in 0...samples {
                let u = k == 0 ? 1e-9 : (k == samples ? 1 - 1e-9 : Double(k) / Double(samples))
                let positive = psiPrime(map(u)) > 0
                if positive && !previousPositive {
                    if k == 0 { runStart = u; startsAtEnd = true } else {
                        runStart = bisectCritical(map, previousU, u, positiveAtHigh: true); startsAtEnd = false
                    }
                } else if !positive && previousPositive, let st = runStart {
                    let end = bisectCritical(map, previousU, u, positiveAtHigh: false)
                    let sLo = map(st), sHi = map(end)
                    gaps.append((startsAtEnd ? leftValue : psi(sLo), psi(sHi), startsAtEnd ? nil : sLo, sHi))
                    runStart = nil
                }
                previousPositive = positive
                previousU = u
            }
            if previousPositive, let st = runStart {
                let sLo = map(st)
                gaps.append((startsAtEnd ? leftValue : psi(sLo), rightValue, startsAtEnd ? nil : sLo, nil))
            }
        }
        let span = max(poles.map(abs).max() ?? 1, 1e-12)
        // (−∞, p₁): s = p₁ − span·(1 − u)/u; Ψ → 0 at −∞ (from above when the atom exists).
        let first = poles[0], last = poles[poles.count - 1]
        scan({ first - span * (1 - $0) / $0 }, leftLimit: nil, rightLimit: first, leftValue: 0,
             rightValue: first == 0 ? Double.infinity : 0)
        for k in 0..<(poles.count - 1) {
            let a = poles[k], b = poles[k + 1]
            scan({ a + (b - a) * (1 - Double.cos(Double.pi * $0)) / 2 }, leftLimit: a, rightLimit: b,
                 leftValue: a == 0 ? -Double.infinity : 0, rightValue: b == 0 ? Double.infinity : 0)
        }
        scan({ last + span * $0 / (1 - $0) }, leftLimit: last, rightLimit: nil,
             leftValue: last == 0 ? -Double.infinity : 0, rightValue: 0)
        // Support = complement of the gaps (and of 0, the atom's point).
        gaps.sort { $0.lo < $1.lo }
        guard gaps.first?.lo == -Double.infinity, gaps.last?.hi == Double.infinity else { return nil }
        var pieces = [Piece]()
        var current = gaps[0]
        for g in gaps.dropFirst() {
            if g.lo <= current.hi + 1e-14 * max(1, abs(current.hi)) {
                if g.hi > current.hi { current = (current.lo, g.hi, current.sLo, g.sHi) }
                continue
            }
            // An edge without a finite s is the hard edge at w = 0 (γΣw = 1: density ~ |w|^{−1/2}).
            let sl = current.sHi ?? .nan, sr = g.sLo ?? .nan
            guard sl.isFinite || sr.isFinite else { return nil }
            pieces.append(Piece(left: current.hi, right: g.lo, sLeft: sl, sRight: sr))
            current = g
        }
        return pieces
    }

    /// The u in (lo, hi) where Ψ′(map(u)) changes sign (Ψ′ > 0 at `hi` when `positiveAtHigh`).
    private func bisectCritical(_ map: (Double) -> Double, _ lo: Double, _ hi: Double, positiveAtHigh: Bool) -> Double {
        var a = lo, b = hi
        for _ in 0..<80 {
            let m = 0.5 * (a + b)
            if (psiPrime(map(m)) > 0) == positiveAtHigh { b = m } else { a = m }
            if b - a < 1e-16 { break }
        }
        return positiveAtHigh ? b : a
    }

    /// The density on one support interval as a Chebyshev series (N = 64 doubled up to 512 until the
    /// coefficients settle; two components joined by a thin bridge need the larger orders),
    /// solved node by node from an edge with a finite s (a square-root edge: s ≈ s_e + i√(2|w − e|/|Ψ″(s_e)|)).
    private func densitySeries(_ p: Piece) -> ChebyshevDensity? {
        let half = (p.right - p.left) / 2
        guard half > 0 else { return nil }
        let fromLeft = p.sLeft.isFinite
        func edgeGuess(_ w: Double, left: Bool) -> Complex<Double>? {
            let se = left ? p.sLeft : p.sRight
            guard se.isFinite else { return nil }
            let distance = left ? w - p.left : p.right - w
            return Complex(se, (2 * distance / max(abs(psiSecond(se)), 1e-300)).squareRoot())
        }
        for n in [64, 128, 256, 512] {
            var values = [Double](repeating: 0, count: n + 1)
            var previous: Complex<Double>? = nil
            var ok = true
            let order = fromLeft ? Array(1..<n) : Array((1..<n).reversed())
            for k in order {
                let theta = Double(k) * Double.pi / Double(n)
                let w = p.left + half * (1 - Double.cos(theta))
                var guesses = [Complex<Double>]()
                if let g = previous { guesses.append(g) }
                if let g = edgeGuess(w, left: true) , previous == nil || k == n - 1 { guesses.append(g) }
                if let g = edgeGuess(w, left: false), previous == nil || k == 1 { guesses.append(g) }
                guard let root = guesses.lazy.compactMap({ newton(from: $0, target: Complex(w)) }).first
                        ?? continuation(to: w, scale: p.right - p.left) else { ok = false; break }
                previous = root
                values[k] = root.imaginary / Double.pi * half * Double.sin(theta)
            }
            guard ok else { return nil }
            // At a hard edge ρ ~ C/√|w − e|, so the weighted density h(θ) tends to a non-zero
            // limit there; h is even about the end: h(end) = (15h₁ − 6h₂ + h₃)/10 + O(δ⁶), h_k = h(end ∓ kδ).
            if !p.sLeft.isFinite { values[0] = (15 * values[1] - 6 * values[2] + values[3]) / 10 }
            if !p.sRight.isFinite { values[n] = (15 * values[n - 1] - 6 * values[n - 2] + values[n - 3]) / 10 }
            let series = ChebyshevDensity(interval: p.left...p.right, weighted: values)
            if series.tailRatio < 1e-6 || n == 512 { return series }
        }
        return nil
    }

    /// s(w) by continuation from w + i·scale (where s ≈ −1/z) down to the real axis.
    private func continuation(to w: Double, scale: Double) -> Complex<Double>? {
        var eta = 2 * max(scale, abs(w))
        var s = Complex(-1) / Complex(w, eta)
        while eta > 1e-13 * scale {
            guard let next = newton(from: s, target: Complex(w, eta)) else { return nil }
            s = next
            eta *= 0.5
        }
        return newton(from: s, target: Complex(w))
    }

    private func newton(from start: Complex<Double>, target w: Complex<Double>) -> Complex<Double>? {
        var s = start
        if s.imaginary <= 0 { s = Complex(s.real, 1e-8 * max(1, abs(s.real))) }
        for _ in 0..<60 {
            let (v, d) = psi(s)
            let step = (v - w) / d
            var next = s - step
            // Stay in the upper half plane (the Stieltjes branch).
            if next.imaginary <= 0 { next = Complex(next.real, s.imaginary / 4) }
            s = next
            if step.length < 1e-14 * max(1, s.length) { break }
        }
        let residual = (psi(s).value - w).length
        guard s.imaginary > 0, residual < 1e-10 * max(1, w.length) else { return nil }
        return s
    }

    /// Mass of the continuous part below y.
    func continuousCDF(_ y: Double) -> Double {
        intervals.reduce(0) { $0 + $1.integral(upTo: y) }
    }

    var continuousMass: Double { intervals.reduce(0) { $0 + $1.mass } }

    /// P(ε + ε′ < c) for ε, ε′ iid from this law.
    func sumBelow(_ c: Double) -> Double {
        var total = (c > 0 ? atom * atom : 0) + 2 * atom * continuousCDF(c)
        let edges = intervals.flatMap { [$0.interval.lowerBound, $0.interval.upperBound] }
        for piece in intervals {
            let a = piece.interval.lowerBound, half = (piece.interval.upperBound - a) / 2
            let cuts = edges.compactMap { e -> Double? in
                let x = c - e   // c − w(θ) = e  ⇔  w(θ) = c − e
                guard x > a, x < a + 2 * half else { return nil }
                return Double.acos(min(1, max(-1, 1 - (x - a) / half)))
            }
            total += Panels.integrate(0, Double.pi, cuts: cuts, maxWidth: Double.pi / 4) { th in
                let w = a + half * (1 - Double.cos(th))
                return continuousCDF(c - w) * piece.density(at: w) * half * Double.sin(th)
            }
        }
        return total
    }
}

extension PopulationLaw {
    /// H for ν with several values of |D| (or uniform), by the inertia formula.
    static func general(law: OutputWeightLaw, a2: Double, c1Squared c2: Double, gamma2: Double, cells: Int) throws(ModelError) -> PopulationLaw {
        let m1 = law.evenMoment(1), m2 = law.evenMoment(2)
        let v = a2 + c2
        let mean = v * m1
        let second = v * v * m2 + 2 * gamma2 * c2 * c2 * m1 * m1
        // ν's atoms of D² (the uniform law by 64 equal-mass quantiles of D, with a Weyl bound).
        var squares: [(value: Double, mass: Double)]
        var nuDisplacement = 0.0
        var method = "inertia formula over ν's atoms"
        if let atoms = law.squareAtoms {
            squares = atoms
        } else if case .uniform(let lo, let hi) = law {
            if c2 == 0 {
                return uniformSquares(lo: lo, hi: hi, a2: a2, mean: mean, second: second)
            }
            let k = 64
            let step = (hi - lo) / Double(k)
            var merged: [Double: Double] = [:]
            for i in 0..<k { let d = lo + step * (Double(i) + 0.5); merged[d * d, default: 0] += 1 / Double(k) }
            squares = merged.keys.sorted().map { ($0, merged[$0]!) }
            // Moving each D by at most ΔD = step/2 moves Σ_eff by at most
            // a²·max|ΔD²| + 2c₁²(1 + √γ₂)²·max|ΔD²|-type terms (docs/quadratic.md).
            let dMax = max(abs(lo), abs(hi)), dd = step / 2
            let dSquare = 2 * dMax * dd + dd * dd
            let g = (1 + gamma2.squareRoot()) * (1 + gamma2.squareRoot())
            nuDisplacement = a2 * dSquare + 2 * c2 * g * dSquare
            method = "inertia formula over 64 quantiles of ν (W∞ from ν's discretisation ≤ \(nuDisplacement))"
        } else {
            throw ModelError(field: "output-law", value: law.description, allowed: "a law with atoms or uniform")
        }
        // Atoms of H: a²δ² for each atom δ² of D² (mass w − 1/(2γ₂) when wγ₂ ≥ 1, else w²γ₂/2), and
        // ν(D = 0) at 0; with a = 0 every non-zero D joins the atom at 0 (docs/quadratic.md).
        var atomList = [Atom]()
        func pairMass(_ w: Double) -> Double { w * gamma2 >= 1 ? w - 1 / (2 * gamma2) : w * w * gamma2 / 2 }
        let zero = squares.first(where: { $0.value == 0 })?.mass ?? 0
        if c2 == 0 {
            var merged: [Double: Double] = [:]
            for s in squares { merged[a2 * s.value, default: 0] += s.mass }
            atomList = merged.keys.sorted().map { Atom(location: $0, mass: merged[$0]!) }
            return PopulationLaw(atoms: atomList, support: [], mean: mean, secondMoment: second, edges: [], continuousCDF: [],
                                 method: "closed form (c₁ = 0: the law of a²D²)", densityFunction: { _ in 0 },
                                 extraDisplacement: nuDisplacement)
        }
        if a2 == 0 {
            let mass = zero + pairMass(1 - zero)
            if mass > 1e-15 { atomList.append(Atom(location: 0, mass: mass)) }
        } else {
            if zero > 0 { atomList.append(Atom(location: 0, mass: zero)) }
            for s in squares where s.value > 0 {
                let m = pairMass(s.mass)
                if m > 1e-15 { atomList.append(Atom(location: a2 * s.value, mass: m)) }
            }
        }
        let nonzero = squares.filter { $0.value > 0 }
        let c = -1 / c2
        // Continuous CDF at x > 0.
        let scale = a2 * (squares.last?.value ?? 1) + 2 * c2 * (squares.last?.value ?? 1) * (1 + gamma2.squareRoot()) * (1 + gamma2.squareRoot())
        var failures = 0
        var firstFailure = Double.nan
        func continuousCDF(_ xIn: Double) -> Double {
            var x = xIn
            // Within 1e−6·scale of an atom of H τ exceeds ~1e6 and ρ_x is ill-conditioned: the continuous
            // CDF (continuous, with density ≲ 1/scale there) is taken 1e−6·scale below the atom.
            for a in atomList where a.location > 0 && abs(x - a.location) < 1e-6 * scale { x = a.location - 1e-6 * scale }
            guard x > 0 else { return 0 }
            let tau = nonzero.map { $0.value / (a2 * $0.value - x) }
            guard let rho = SignedMarcenkoPastur(tau: tau, weight: nonzero.map(\.mass), gamma: gamma2) else {
                failures += 1
                if firstFailure.isNaN { firstFailure = x }
                return .nan
            }
            let below = squares.reduce(0) { a2 * $1.value < x ? $0 + $1.mass : $0 }
            let f = below - rho.sumBelow(c) / (2 * gamma2)
            let atoms = atomList.reduce(0) { $1.location < x ? $0 + $1.mass : $0 }
            return f - atoms
        }
        // Support: a coarse scan of (0, ‖Σ_eff‖] for where the continuous CDF grows, edges bisected.
        let upper = scale * (1 + 1e-9)
        let coarse = 256
        let xs = (0...coarse).map { upper * Double($0) / Double(coarse) }
        let fs = xs.map { $0 == 0 ? 0 : continuousCDF($0) }
        let total = 1 - atomList.reduce(0) { $0 + $1.mass }
        let tiny = 1e-9
        var support = [ClosedRange<Double>]()
        var start: Double? = nil
        // Lower edge in (lo, hi): the smallest m with F(m) > F(lo); upper edge: the largest m with F(hi) > F(m).
        func lowerEdge(_ lo: Double, _ hi: Double) -> Double {
            let base = continuousCDF(lo)
            var a = lo, b = hi
            for _ in 0..<48 { let m = 0.5 * (a + b); if continuousCDF(m) > base + tiny { b = m } else { a = m } }
            return a
        }
        func upperEdge(_ lo: Double, _ hi: Double) -> Double {
            let top = continuousCDF(hi)
            var a = lo, b = hi
            for _ in 0..<48 { let m = 0.5 * (a + b); if top - continuousCDF(m) > tiny { a = m } else { b = m } }
            return b
        }
        for i in 0..<coarse {
            let grows = fs[i + 1] - fs[i] > tiny
            if grows && start == nil {
                start = i == 0 ? 0 : lowerEdge(xs[i], xs[i + 1])
            } else if !grows, let s = start {
                support.append(s...upperEdge(xs[i - 1], xs[i]))
                start = nil
            }
        }
        if let s = start { support.append(s...xs[coarse]) }
        let edges = cellEdges(support: support, atoms: atomList.map(\.location), cells: cells)
        var cdf = edges.map { continuousCDF($0) }
        // Monotone and within [0, total] (quadrature noise of ~1e−10).
        for i in cdf.indices { cdf[i] = min(total, max(i > 0 ? cdf[i - 1] : 0, cdf[i])) }
        if failures > 0 || cdf.contains(where: { $0.isNaN }) {
            throw ModelError(field: "output-law", value: law.description,
                             allowed: "the law of (1/d)W diag(τ)Wᵀ could not be solved at \(failures) points (first at x = \(firstFailure)); H is not computed")
        }
        let edgesCopy = edges, cdfCopy = cdf, supportCopy = support
        let density: @Sendable (Double) -> Double = { x in
            PopulationLaw(atoms: [], support: supportCopy, mean: 0, secondMoment: 0, edges: edgesCopy, continuousCDF: cdfCopy,
                          method: "", densityFunction: { _ in 0 }).cellDensity(x)
        }
        return PopulationLaw(atoms: atomList, support: support, mean: mean, secondMoment: second, edges: edges,
                             continuousCDF: cdf, method: method, densityFunction: density, extraDisplacement: nuDisplacement)
    }

    /// c₁ = 0 with D uniform on [lo, hi]: H is the law of a²D², in closed form.
    static func uniformSquares(lo: Double, hi: Double, a2: Double, mean: Double, second: Double) -> PopulationLaw {
        // P(D² ≤ y) = |[lo, hi] ∩ [−√y, √y]| / (hi − lo).
        let cdf: @Sendable (Double) -> Double = { x in
            guard x > 0 else { return 0 }
            let r = (x / a2).squareRoot()
            return max(0, min(hi, r) - max(lo, -r)) / (hi - lo)
        }
        let top = a2 * max(lo * lo, hi * hi)
        let bottom = lo <= 0 && hi >= 0 ? 0 : a2 * min(lo * lo, hi * hi)
        let support = [bottom...top]
        let edges = cellEdges(support: support, atoms: [], cells: 1024)
        return PopulationLaw(atoms: [], support: support, mean: mean, secondMoment: second, edges: edges,
                             continuousCDF: edges.map(cdf), method: "closed form (c₁ = 0: the law of a²D², D uniform)",
                             densityFunction: { x in
                                 let h = 1e-6 * max(top, 1e-300)
                                 return (cdf(x + h) - cdf(x - h)) / (2 * h)
                             })
    }
}
