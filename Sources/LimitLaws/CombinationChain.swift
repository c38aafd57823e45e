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

    /// Terms c_j K_j that move no eigenvalue by more than `relativeTolerance` of the law's scale
    /// are replaced by their mean c_j·φ(K_j) Id (Weyl: each eigenvalue moves by at most
    /// |c_j|·‖K_j‖). A small b_σ gives the NTK coefficients q_ℓ = b_σ^{2(L−ℓ)} of 1e−12 and less,
    /// whose clusters of that width around r_+ no scan can resolve; as part of the atom they are
    /// exact to the tolerance, the mean stays exact and the atom's mass is right.
    func droppingNegligibleTerms(relativeTolerance: Double = 1e-6) -> CombinationChain {
        let bounds = normBounds()
        let scale = zip(coefficients, bounds).reduce(abs(shift)) { $0 + abs($1.0) * $1.1 }
        let means = levelMeans
        var copy = self
        for j in coefficients.indices where coefficients[j] != 0 && abs(coefficients[j]) * bounds[j] < relativeTolerance * scale {
            copy.shift += coefficients[j] * means[j]
            copy.coefficients[j] = 0
        }
        return copy
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

    /// First and second moments of the law.
    var exactMoments: (mean: Double, second: Double) {
        let n = coefficients.count
        // Means are all 1 (inputs normalised to mean 1, and φ(K_j) = φ(Φ_j) = 1).
        var baseSecond = 1.0
        if case .discrete(let v) = base { baseSecond = v.secondMoment }
        let mean = levelMeans
        // Mixed moments φ(K_i K_j).
        var mixed = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        mixed[0][0] = baseSecond
        for j in 1..<n {
            let l = links[j - 1]
            for i in 0..<j {
                mixed[i][j] = (1 - l.b2) * mean[i] + l.b2 * mixed[i][j - 1]
                mixed[j][i] = mixed[i][j]
            }
            // φ(K_j²) = φ(Φ²) + γ φ(Φ)²
            let phiMean = (1 - l.b2) + l.b2 * mean[j - 1]
            let phiSecond = (1 - l.b2) * (1 - l.b2) + 2 * (1 - l.b2) * l.b2 * mean[j - 1] + l.b2 * l.b2 * mixed[j - 1][j - 1]
            mixed[j][j] = phiSecond + l.gamma * phiMean * phiMean
        }
        var m1 = shift, m2 = shift * shift
        for i in 0..<n {
            m1 += coefficients[i] * mean[i]
            m2 += 2 * shift * coefficients[i] * mean[i]
            for j in 0..<n { m2 += coefficients[i] * coefficients[j] * mixed[i][j] }
        }
        return (m1, m2)
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
