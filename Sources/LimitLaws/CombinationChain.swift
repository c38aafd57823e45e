import ComplexModule
import RealModule

public typealias ComplexDouble = Complex<Double>

/// One Marcenko–Pastur link of the chain: K_j = Φ^{1/2} W^T W Φ^{1/2} with
/// Φ = (1 − b²) Id + b² K_{j−1} and aspect ratio γ (eq. (8)).
struct ChainLink: Sendable, Hashable {
    var gamma: Double
    var b2: Double
}

/// The base of the chain, the law of K_0.
enum ChainBase: Sendable, Hashable {
    /// δ_1 (K_0 = Id).
    case identity
    /// Weighted atoms (a file's eigenvalues, equal ones merged).
    case discrete(DiscreteLaw)
}

/// The law of c_{−1} Id + Σ_{j=0}^{J} c_j K_j, where K_0 has the base law and each K_j
/// (j ≥ 1) is one Marcenko–Pastur link above K_{j−1}. This is Theorem 3.7's general form; the CK
/// of a layer, the NTK (Lemma 3.5) and the τ-weighted NTK (Theorem 3.8) are special cases.
///
/// Unknowns: u_j = 1/s_j (j = 1…J) where s_j are the paper's eq. (12); see docs/math.md.
struct CombinationChain: Sendable, Hashable {
    var links: [ChainLink]          // links[j − 1] is level j
    var base: ChainBase
    var coefficients: [Double]      // c_0 … c_J
    var shift: Double               // c_{−1}

    var levels: Int { links.count }

    /// A guaranteed bound on the operator norm of each K_j (edge of μ ⊠ ν ≤ edge(μ)·edge(ν)).
    /// `known` holds edges already computed for some levels (from laws solved earlier).
    func normBounds(known: [Int: Double] = [:]) -> [Double] {
        var bounds = [Double]()
        switch base {
        case .identity: bounds.append(1)
        case .discrete(let v): bounds.append(v.max)
        }
        for (i, link) in links.enumerated() {
            let mp = (1 + link.gamma.squareRoot()) * (1 + link.gamma.squareRoot())
            let crude = mp * ((1 - link.b2) + link.b2 * bounds.last!)
            if let k = known[i + 1], k > 0 { bounds.append(min(crude, k * (1 + 1e-9))) } else { bounds.append(crude) }
        }
        return bounds
    }

    /// An interval guaranteed to contain the support.
    func spectralBounds(known: [Int: Double] = [:]) -> ClosedRange<Double> {
        var lo = shift, hi = shift
        for (c, u) in zip(coefficients, normBounds(known: known)) {
            if c > 0 { hi += c * u } else { lo += c * u }
        }
        return lo...max(hi, lo + 1e-12)
    }

    /// Lower bounds on the spectrum of each K_j: every linked level is positive semi-definite, K_0 = Id is
    /// exactly 1 and a discrete base is at least its smallest value.
    func lowerBounds() -> [Double] {
        var lower = [Double](repeating: 0, count: coefficients.count)
        switch base {
        case .identity: lower[0] = 1
        case .discrete(let v): lower[0] = v.min
        }
        return lower
    }

    /// Terms c_j K_j replaced by their mean c_j·φ(K_j) Id when the replacement provably moves no
    /// eigenvalue by more than `relativeTolerance` × the law's exact standard deviation (10⁻⁵: far
    /// below what a plot, a quantile or a KS distance resolves, and about the solver's own
    /// resolution, 10⁻⁷ of the enclosure next to an atom).
    ///
    /// Bound (Weyl): replacing c_j K_j by c_j φ(K_j) Id moves every eigenvalue of the combination
    /// by at most |c_j|·‖K_j − φ(K_j)‖ ≤ |c_j|·max(‖K_j‖ − φ(K_j), φ(K_j) − λ_min(K_j)), with the
    /// guaranteed enclosure of ‖K_j‖; the displacements of several replaced terms add. The
    /// replaced law is then within that distance of the exact one in the Wasserstein-∞ metric
    /// (quantile by quantile), its mean is exact, and the displacement is reported with the law.
    /// The scale is the exact standard deviation of the whole law (free moment recursion, no
    /// enclosure), so a deep network's crude norm bounds cannot make a term look negligible.
    /// A small b_σ gives the NTK coefficients q_ℓ = b_σ^{2(L−ℓ)} of 1e−12 and less, whose clusters
    /// of that width around r_+ no scan can resolve; as part of the atom they are exact to the
    /// bound, the mean stays exact and the atom's mass is right.
    /// The approximation's layer lists hold chain levels; the engine turns them into layers.
    /// `known`: right edges of levels already solved (tighter norm bounds than the enclosure's).
    func droppingNegligibleTerms(relativeTolerance: Double = 1e-5, known: [Int: Double] = [:]) -> (chain: CombinationChain, approximation: LawApproximation?) {
        let bounds = normBounds(known: known)
        let lower = lowerBounds()
        let means = levelMeans
        let budget = relativeTolerance * exactMeanAndVariance.variance.squareRoot()
        // Cheapest terms first, while the displacements add up to less than the budget.
        let candidates = coefficients.indices.filter { coefficients[$0] != 0 }.map { j in
            (j, abs(coefficients[j]) * max(bounds[j] - means[j], means[j] - lower[j], 0))
        }.sorted { $0.1 < $1.1 }
        var copy = self
        var used = 0.0
        var dropped = [Int]()
        for (j, displacement) in candidates where used + displacement <= budget {
            // A term equal to its mean (K_0 = Id) is moved into the shift exactly.
            used += displacement
            copy.shift += coefficients[j] * means[j]
            copy.coefficients[j] = 0
            if displacement > 0 { dropped.append(j) }
        }
        // Links are snapped only under a hundredth of the budget: enough for rounding-scale
        // 1 − b² (leaky ReLU 0.99999 needs 3·10⁻⁸ of σ), without turning merely small b² or 1 − b²
        // into approximations.
        let snap = copy.snappingLinks(budget: min(budget - used, budget / 100), known: known)
        guard !dropped.isEmpty || !snap.levels.isEmpty else { return (snap.chain, nil) }
        return (snap.chain, LawApproximation(replacedLayers: dropped.sorted(), snappedLayers: snap.levels,
                                             displacement: used + snap.displacement))
    }

    /// For a law of one term c_J K_J (every CK law): links whose b² is within rounding-scale of 1
    /// or 0 are made exactly nested (b² = 1) or exactly Marcenko–Pastur (b² = 0) when that provably
    /// moves no quantile by more than what is left of `budget`.
    ///
    /// Bound: Φ_j = (1 − b²) Id + b² K_{j−1} moves by ε_j = min(1 − b², b²)·‖Id − K_{j−1}‖ in
    /// operator norm and commutes with its replacement, so the law of K_j moves by at most
    /// ‖W_j‖ ε_j = (1 + √γ_j)² ε_j in Wasserstein-∞ (couple the two laws by the same W_j; the
    /// spectra of Φ^{1/2} W Φ^{1/2} and W^{1/2} Φ W^{1/2} agree), and each link above multiplies
    /// the displacement by b_k² (1 + √γ_k)². Leaky ReLU with slope 0.99999 has 1 − b² ≈ 10⁻¹⁰: its
    /// layers' rank-deficient parts made bumps of width ~10⁻¹⁰ next to the atom at 0 that no scan
    /// resolves (1% of the mass lost); nested, they are atoms.
    func snappingLinks(budget: Double, known: [Int: Double] = [:]) -> (chain: CombinationChain, displacement: Double, levels: [Int]) {
        let top = coefficients.count - 1
        guard top >= 1, coefficients.dropLast().allSatisfy({ $0 == 0 }), coefficients[top] != 0, budget > 0 else {
            return (self, 0, [])
        }
        let bounds = normBounds(known: known)
        let lower = lowerBounds()
        // Gain from level j's Φ to the top law: Π_{k=j..J} (1 + √γ_k)² · Π_{k=j+1..J} b_k², times |c_J|.
        var candidates = [(level: Int, displacement: Double, nested: Bool)]()
        for j in 1...top {
            let b2 = links[j - 1].b2
            guard b2 > 0, b2 < 1 else { continue }
            let nested = 1 - b2 < b2
            let epsilon = (nested ? 1 - b2 : b2) * max(1 - lower[j - 1], bounds[j - 1] - 1, 0)
            var gain = abs(coefficients[top])
            for k in j...top {
                let g = links[k - 1].gamma.squareRoot()
                gain *= (1 + g) * (1 + g) * (k > j ? links[k - 1].b2 : 1)
            }
            candidates.append((j, epsilon * gain, nested))
        }
        var copy = self
        var used = 0.0
        var snapped = [Int]()
        for c in candidates.sorted(by: { $0.displacement < $1.displacement }) where used + c.displacement <= budget {
            used += c.displacement
            copy.links[c.level - 1].b2 = c.nested ? 1 : 0
            snapped.append(c.level)
        }
        return (copy, used, snapped.sorted())
    }

    /// φ(K_j) for every level: φ(K_j) = φ(Φ_j) = (1 − b²) + b² φ(K_{j−1}).
    var levelMeans: [Double] {
        var mean = [Double](repeating: 1, count: coefficients.count)
        if case .discrete(let v) = base { mean[0] = v.mean }
        for j in mean.indices.dropFirst() { mean[j] = (1 - links[j - 1].b2) + links[j - 1].b2 * mean[j - 1] }
        return mean
    }

    /// Whether a solve of `other` is a useful warm start for this chain: same levels and base, and
    /// parameters within one explorer step (γ within ×1.5, b² within 0.12, coefficients within 30%).
    /// Farther apart (another activation), old edges and old solutions as Newton guesses cost more
    /// than a cold scan: 6–20% more iterations measured on Figure 1 switching arctan to tanh, relu,
    /// gelu or sin.
    func isNear(_ other: CombinationChain) -> Bool {
        guard other.levels == levels, other.base == base, other.coefficients.count == coefficients.count else { return false }
        for (l, o) in zip(links, other.links) {
            guard abs(Double.log(l.gamma / o.gamma)) <= Double.log(1.5), abs(l.b2 - o.b2) <= 0.12 else { return false }
        }
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 0.3 * max(abs(a), abs(b)) + 1e-12 }
        return zip(coefficients, other.coefficients).allSatisfy { close($0, $1) } && close(shift, other.shift)
    }

    var allCoefficientsNonNegative: Bool { coefficients.allSatisfy { $0 >= 0 } }

    // MARK: exact moments (freeness: K_j = Φ^{1/2} W Φ^{1/2}, φ(W) = 1, φ(W²) = 1 + γ)

    /// Exact mean and variance of the law, from the free moment recursion and without the shift
    /// (no cancellation against a large c_{−1}):
    /// Cov(K_i, K_j) = b_j² Cov(K_i, K_{j−1}) for i < j, Var K_j = b_j⁴ Var K_{j−1} + γ_j φ(Φ_j)²,
    /// Var(Σ c_j K_j) = Σ_ij c_i c_j Cov(K_i, K_j). See docs/math.md.
    var exactMeanAndVariance: (mean: Double, variance: Double) {
        let n = coefficients.count
        let mean = levelMeans
        var cov = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        if case .discrete(let v) = base, !v.isEmpty {
            let m = mean[0]
            cov[0][0] = zip(v.values, v.weights).reduce(0) { $0 + $1.1 * ($1.0 - m) * ($1.0 - m) }
        }
        for j in 1..<max(n, 1) {
            let l = links[j - 1]
            for i in 0..<j {
                cov[i][j] = l.b2 * cov[i][j - 1]
                cov[j][i] = cov[i][j]
            }
            cov[j][j] = l.b2 * l.b2 * cov[j - 1][j - 1] + l.gamma * mean[j] * mean[j]
        }
        var m1 = shift, variance = 0.0
        for i in 0..<n where coefficients[i] != 0 {
            m1 += coefficients[i] * mean[i]
            for j in 0..<n where coefficients[j] != 0 { variance += coefficients[i] * coefficients[j] * cov[i][j] }
        }
        return (m1, max(variance, 0))
    }

    /// First and second moments of the law.
    var exactMoments: (mean: Double, second: Double) {
        let e = exactMeanAndVariance
        return (e.mean, e.variance + e.mean * e.mean)
    }

    /// The same law without its shift c_{−1} (solved in this frame, then translated back).
    var centred: CombinationChain {
        var copy = self
        copy.shift = 0
        return copy
    }

    // MARK: atoms

    /// Fraction of n spanned by the column space of each K_j, and whether it is nested in the one below.
    var rankFractions: [Double] {
        var rho = [Double]()
        switch base {
        case .identity: rho.append(1)
        case .discrete(let v): rho.append(v.positiveMass)
        }
        for l in links {
            let phiRank = l.isNested ? rho.last! : 1.0
            rho.append(min(1 / l.gamma, phiRank))
        }
        return rho
    }

    /// The atoms of the law, by location. Column spaces of links with b² < 1 are in general
    /// position; a link with b² = 1 lies inside the one below it.
    ///
    /// At c_{−1}: the common kernel of the K_j with c_j ≠ 0. With a discrete base and c_0 ≠ 0,
    /// also one atom per non-zero eigenvalue λ of K_0 whose multiplicity p exceeds the rank R of
    /// the levels above: its eigenspace keeps dimension p − R outside their span (inside range(K_0)
    /// when they are nested in it: the same count), where the law's operator is c_{−1} + c_0 λ.
    var atoms: [Atom] {
        let rho = rankFractions
        // With K_0 = Id (orthonormal inputs, or the MP input's own base) the c_0 K_0 term is a
        // shift of every eigenvalue: the atom sits at c_{−1} + c_0, and level 0 spans nothing.
        var location = shift
        var c = coefficients
        if case .identity = base, c[0] != 0 { location += c[0]; c[0] = 0 }
        // A group of nested levels spans the largest rank among its members with c_j ≠ 0 (each
        // lies in the span of the one below); groups are in general position, so their ranks add.
        func unionRank(from first: Int) -> Double {
            var total = 0.0, groupMax = 0.0
            for j in first..<c.count {
                let nestedInPrevious = j > first && links[j - 1].isNested
                if !nestedInPrevious { total += groupMax; groupMax = 0 }
                if c[j] != 0 { groupMax = max(groupMax, rho[j]) }
            }
            return total + groupMax
        }
        var result = [Atom]()
        let kernelMass = 1 - min(1, unionRank(from: 0))
        if kernelMass > 1e-12 { result.append(Atom(location: location, mass: kernelMass)) }
        if case .discrete(let law) = base, c[0] != 0, c.count > 1 {
            let above = unionRank(from: 1)
            for (lambda, weight) in zip(law.values, law.weights) where lambda > 0 {
                let mass = weight - above
                if mass > 1e-12 { result.append(Atom(location: shift + c[0] * lambda, mass: mass)) }
            }
        }
        return result.sorted { $0.location < $1.location }
    }
}

extension ChainLink {
    /// b² = 1 up to rounding (b_σ of the linear activation comes out of quadrature as 1 − 10⁻¹⁶):
    /// the link's column space then lies inside the one below it.
    var isNested: Bool { b2 >= 1 - 1e-12 }
}
