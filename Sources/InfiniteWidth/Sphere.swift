import BigInt
import Foundation

/// One eigenvalue of a dot-product kernel's integral operator on L²(S^{d−1}, uniform probability),
/// on the degree-k spherical harmonics. Small values are kept in log space (`log10Lambda`,
/// `log10Share`), so nothing overflows or underflows to a wrong number: at d = 100000, k = 200,
/// N(d, k) ≈ 1e625 and λ_k ≈ 1e-630 (then `lambda` is 0 and `multiplicity` is +∞ as Doubles; the
/// exact and log values are right).
public struct SphereEigenvalue: Sendable, Hashable {
    public let degree: Int
    /// N(d, k), exactly.
    public let exactMultiplicity: BigUInt
    /// log10 N(d, k).
    public let log10Multiplicity: Double
    /// λ_k (0 when it underflows a Double; see `log10Lambda`).
    public let lambda: Double
    /// log10 λ_k (−∞ when λ_k = 0 exactly).
    public let log10Lambda: Double
    /// Bound on the error of λ_k (truncation of the series, or the quadrature's error estimate).
    public let errorBound: Double
    /// N(d, k)·λ_k / K(1): the share of the trace carried by degree k (computed in log space).
    public let traceShare: Double
    /// How λ_k was computed.
    public let method: Method

    public enum Method: String, Sendable, Hashable {
        /// Σ_j c_j λ_k(t^j) from the power series (exact monomial eigenvalues) — bound: the series tail.
        case series
        /// Funk–Hecke quadrature of the closed-form kernel — bound: the quadrature's error estimate.
        case quadrature
    }

    /// N(d, k) in decimal digits, exactly.
    public var multiplicityText: String { String(exactMultiplicity) }
    /// N(d, k) as a Double (+∞ beyond 1.8e308; use `exactMultiplicity` or `log10Multiplicity`).
    public var multiplicity: Double { Double(exactMultiplicity) }
    /// The bound is far below λ_k (at most 1% of it): λ_k is known to two digits or better.
    public var isResolved: Bool { lambda > 0 && errorBound <= 0.01 * lambda }
}

/// Funk–Hecke on S^{d−1}: λ_k = E_t[K(t) P_k(t)], t having density ∝ (1 − t²)^{(d−3)/2} on [−1, 1]
/// (= (ω_{d−2}/ω_{d−1}) ∫ K(t) P_k(t) (1 − t²)^{(d−3)/2} dt), P_k the Gegenbauer/Legendre
/// polynomial of S^{d−1} normalised P_k(1) = 1. Σ_k N(d, k) λ_k = K(1).
public enum SphereSpectrum {
    /// N(d, k) = (2k + d − 2)/k · C(k + d − 3, d − 2), N(d, 0) = 1, exactly.
    public static func exactMultiplicity(dimension d: Int, degree k: Int) -> BigUInt {
        precondition(d >= 2 && k >= 0)
        if k == 0 { return 1 }
        // C(k + d − 3, m) with m = min(k − 1, d − 2), built as a product of exact divisions
        let top = k + d - 3, m = min(k - 1, d - 2)
        var c = BigUInt(1)
        if m > 0 {
            for i in 1...m { c = c * BigUInt(top - m + i) / BigUInt(i) }
        }
        return c * BigUInt(2 * k + d - 2) / BigUInt(k)
    }

    /// N(d, k) as a Double, rounded (+∞ beyond the Double range).
    public static func multiplicity(dimension d: Int, degree k: Int) -> Double {
        Double(exactMultiplicity(dimension: d, degree: k))
    }

    /// log N(d, k) (natural log), from the exact integer (relative accuracy ~1e-16; lgamma's
    /// differences of numbers near 1e6 lose 1e-10 at d = 100000).
    public static func logMultiplicity(dimension d: Int, degree k: Int) -> Double {
        precondition(d >= 2 && k >= 0)
        return logBig(exactMultiplicity(dimension: d, degree: k))
    }

    /// The natural log of a big integer: of its top 64 bits, plus the shift.
    static func logBig(_ n: BigUInt) -> Double {
        let w = n.bitWidth
        if w <= 1000 { return log(Double(n)) }
        let shift = w - 64
        return log(Double(n >> shift)) + Double(shift) * log(2.0)
    }

    /// log λ_k(t^j), the exact Funk–Hecke eigenvalue of the monomial t^j on degree k:
    /// λ_k(t^j) = j! Γ(d/2) / (2^j ((j−k)/2)! Γ((j+k+d)/2)) for j ≥ k, j − k even; −∞ otherwise.
    public static func logMonomialEigenvalue(power j: Int, degree k: Int, dimension d: Int) -> Double {
        guard j >= k, (j - k) % 2 == 0 else { return -.infinity }
        let jj = Double(j)
        let s = Double((j - k) / 2)
        // Γ(d/2)/Γ(d/2 + m), m = (j+k)/2 an integer, as a sum of logs (lgamma near d/2 = 50000
        // would lose 1e-11 to cancellation)
        var ratio = 0.0
        let half = Double(d) / 2
        for i in 0..<((j + k) / 2) { ratio -= log(half + Double(i)) }
        return lgamma(jj + 1) - lgamma(s + 1) - jj * log(2.0) + ratio
    }

    public static func monomialEigenvalue(power j: Int, degree k: Int, dimension d: Int) -> Double {
        exp(logMonomialEigenvalue(power: j, degree: k, dimension: d))
    }

    /// log of the bound on λ_k(K − K_N) for a remainder Σ_{j>N} c_j t^j (c_j ≥ 0) of total mass
    /// `tail`: tail · max_{j>N} λ_k(t^j). Since λ_k(t^{j+2})/λ_k(t^j) = (j+2)(j+1)/((j−k+2)(j+k+d)) < 1
    /// once (d−1) j > k² + k(d−2) − 2d + 2, the max is at the first j > N of k's parity when N is past
    /// that point; otherwise (or when the low orders are not exact) the always-valid tail/N(d, k)
    /// (from Σ_k N(d,k) λ_k(t^j) = 1).
    public static func logTruncationBound(tail: Double, order n: Int, degree k: Int, dimension d: Int,
                                          lowOrdersExact: Bool = true) -> Double {
        guard tail > 0 else { return -.infinity }
        let coarse = log(tail) - logMultiplicity(dimension: d, degree: k)
        guard lowOrdersExact else { return coarse }
        let num = Double(k) * Double(k) + Double(k) * Double(d - 2) - 2 * Double(d) + 2
        let threshold = num / Double(d - 1)
        if Double(n + 1) > threshold {
            let j = (n + 1 - k) % 2 == 0 ? n + 1 : n + 2
            return min(coarse, log(tail) + logMonomialEigenvalue(power: j, degree: k, dimension: d))
        }
        return coarse
    }

    public static func truncationBound(tail: Double, order n: Int, degree k: Int, dimension d: Int,
                                       lowOrdersExact: Bool = true) -> Double {
        exp(logTruncationBound(tail: tail, order: n, degree: k, dimension: d, lowOrdersExact: lowOrdersExact))
    }

    /// λ_0 … λ_kmax of the kernel Σ_j c_j t^j (c_j ≥ 0), with the truncation bound above, all in
    /// log space. `valueAtOne` is K(1) (for the trace shares).
    /// `compositions`: how many series compositions made the coefficients (the depth L), for the
    /// round-off allowance (N + 2)(L + 1)·ε·λ_k added to each bound (λ_k is a sum of non-negative
    /// terms, each as accurate as its coefficient).
    public static func eigenvalues(coefficients c: [Double], tail: Double, valueAtOne: Double,
                                   dimension d: Int, maxDegree: Int, lowOrdersExact: Bool = true, compositions: Int = 1) -> [SphereEigenvalue] {
        let roundOff = Double(c.count + 1) * Double(compositions + 1) * Double.ulpOfOne
        precondition(d >= 2 && maxDegree >= 0)
        var out: [SphereEigenvalue] = []
        out.reserveCapacity(maxDegree + 1)
        let logOne = log(valueAtOne)
        for k in 0...maxDegree {
            // log Σ_j c_j λ_k(t^j) by a running log-sum-exp; λ_k(t^j) by its ratio recurrence in j
            var logTerm = logMonomialEigenvalue(power: k, degree: k, dimension: d)
            var maxLog = -Double.infinity
            var terms: [Double] = []
            var j = k
            while j < c.count {
                if c[j] > 0 { let t = log(c[j]) + logTerm; terms.append(t); maxLog = max(maxLog, t) }
                let jj = Double(j)
                logTerm += log((jj + 2) * (jj + 1)) - log((jj - Double(k) + 2) * (jj + Double(k) + Double(d)))
                j += 2
            }
            let logLambda = maxLog.isFinite ? maxLog + log(terms.reduce(0) { $0 + exp($1 - maxLog) }) : -.infinity
            let logN = logMultiplicity(dimension: d, degree: k)
            let logBound = logTruncationBound(tail: tail, order: c.count - 1, degree: k, dimension: d, lowOrdersExact: lowOrdersExact)
            out.append(SphereEigenvalue(degree: k, exactMultiplicity: exactMultiplicity(dimension: d, degree: k),
                                        log10Multiplicity: logN / log(10.0), lambda: exp(logLambda),
                                        log10Lambda: logLambda / log(10.0), errorBound: exp(logBound) + roundOff * exp(logLambda),
                                        traceShare: valueAtOne > 0 && logLambda.isFinite ? exp(logN + logLambda - logOne) : 0,
                                        method: .series))
        }
        return out
    }

    /// The sphere eigenvalues of one kernel of a series.
    public static func eigenvalues(_ series: KernelSeries, kernel: InfiniteKernel, dimension d: Int,
                                   maxDegree: Int) -> [SphereEigenvalue] {
        eigenvalues(coefficients: series.coefficients(kernel), tail: series.tail(kernel),
                    valueAtOne: series.valueAtOne(kernel), dimension: d, maxDegree: maxDegree,
                    lowOrdersExact: series.lowOrdersExact, compositions: series.depth)
    }

    /// The largest dimension for which `eigenvalues(_:exact:…)` also integrates the closed-form
    /// kernel (the weight sin^{d−2}θ must be resolved by the θ panels).
    public static let quadratureDimensionLimit = 20_000

    /// The sphere eigenvalues of one kernel, each degree from whichever is sharper: the series
    /// (exact monomial eigenvalues, bound from the tail) or, when `exact` has a closed form, the
    /// Funk–Hecke quadrature of the exact kernel (bound: the difference of two panel counts plus a
    /// round-off floor of 1e-14·K(1)). For kinked σ (relu, leaky-relu) the series' tail dominates
    /// at low d and the quadrature gives the eigenvalues the series cannot.
    public static func eigenvalues(_ series: KernelSeries, kernel: InfiniteKernel, exact: KernelRecursion?,
                                   dimension d: Int, maxDegree: Int) -> [SphereEigenvalue] {
        let fromSeries = eigenvalues(series, kernel: kernel, dimension: d, maxDegree: maxDegree)
        guard let exact, exact.method == .closedForm, d <= quadratureDimensionLimit,
              fromSeries.contains(where: { !$0.isResolved && $0.errorBound > 0 }) else { return fromSeries }
        let f: (Double) -> Double = { exact.value(kernel, at: $0) }
        let panels = 240
        let fine = eigenvaluesByQuadrature(dimension: d, maxDegree: maxDegree, panels: panels, f)
        let coarse = eigenvaluesByQuadrature(dimension: d, maxDegree: maxDegree, panels: panels / 2, f)
        let one = series.valueAtOne(kernel)
        return fromSeries.map { e in
            let k = e.degree
            let err = abs(fine[k] - coarse[k]) + 1e-14 * one
            guard err < e.errorBound, fine[k] > 0 else { return e }
            let logLambda = log(fine[k])
            let logN = logMultiplicity(dimension: d, degree: k)
            return SphereEigenvalue(degree: k, exactMultiplicity: e.exactMultiplicity, log10Multiplicity: e.log10Multiplicity,
                                    lambda: fine[k], log10Lambda: logLambda / log(10.0), errorBound: err,
                                    traceShare: exp(logN + logLambda - log(one)), method: .quadrature)
        }
    }

    /// P_k^{(d)}(t), normalised P_k(1) = 1, for k = 0 … kmax, by the three-term recurrence
    /// (k + d − 2) P_{k+1} = (2k + d − 2) t P_k − k P_{k−1}.
    public static func gegenbauer(dimension d: Int, maxDegree: Int, at t: Double) -> [Double] {
        var p = [Double](repeating: 0, count: maxDegree + 1)
        gegenbauer(dimension: d, maxDegree: maxDegree, at: t, into: &p)
        return p
    }

    static func gegenbauer(dimension d: Int, maxDegree: Int, at t: Double, into p: inout [Double]) {
        p[0] = 1
        if maxDegree >= 1 { p[1] = t }
        if maxDegree >= 2 {
            let dd = Double(d)
            for k in 1..<maxDegree {
                let kk = Double(k)
                p[k + 1] = ((2 * kk + dd - 2) * t * p[k] - kk * p[k - 1]) / (kk + dd - 2)
            }
        }
    }

    /// λ_0 … λ_kmax of an arbitrary kernel K(t) by Gegenbauer quadrature in θ (t = cos θ):
    /// λ_k = ∫_0^π K(cos θ) P_k(cos θ) sin^{d−2}θ dθ / ∫_0^π sin^{d−2}θ dθ, composite Gauss–Legendre
    /// (24 points per panel). Closed-form NTK/CK kernels of relu, erf, sin are analytic in θ, so
    /// the rule converges fast even where they are not analytic in t (at t = ±1).
    public static func eigenvaluesByQuadrature(dimension d: Int, maxDegree: Int, panels: Int = 400,
                                               _ kernel: (Double) -> Double) -> [Double] {
        let (gx, gw) = GaussianIntegral.rule24
        var acc = [Double](repeating: 0, count: maxDegree + 1)
        var p = [Double](repeating: 0, count: maxDegree + 1)
        var norm = 0.0
        let h = Double.pi / Double(panels) / 2
        for i in 0..<panels {
            let m = Double.pi * (Double(i) + 0.5) / Double(panels)
            for j in gx.indices {
                let th = m + h * gx[j]
                let w = h * gw[j] * exp(Double(d - 2) * log(sin(th)))
                if w == 0 { continue }
                let t = cos(th)
                let kv = kernel(t) * w
                norm += w
                gegenbauer(dimension: d, maxDegree: maxDegree, at: t, into: &p)
                for k in 0...maxDegree { acc[k] += kv * p[k] }
            }
        }
        return acc.map { $0 / norm }
    }

    /// A power-law fit λ_k ≈ C k^slope and what it rests on.
    public struct DecayFit: Sendable, Hashable {
        /// The fitted exponent; nil when fewer than 3 resolved degrees were available.
        public let slope: Double?
        /// The degrees used (λ_k > 0 with bound ≤ 1% of λ_k).
        public let degrees: [Int]
        /// Degrees of the requested window left out because their bound exceeds 1% of λ_k.
        public let unresolved: [Int]
        /// The asymptotic rate of the kernel when known (e.g. −d for a ReLU-type NTK), as text.
        public let theory: String?
    }

    /// Least-squares slope of log λ_k against log k over the degrees in `range` whose λ_k is
    /// resolved (bound ≤ 1% of λ_k): a slope through truncation-dominated degrees would describe
    /// the truncation, not the kernel (relu depth 2, d = 3: −6.68 from the series vs −2.97 from the
    /// exact kernel).
    public static func decayFit(_ eig: [SphereEigenvalue], degrees range: ClosedRange<Int>, theory: String? = nil) -> DecayFit {
        let window = eig.filter { range.contains($0.degree) && $0.degree > 0 && $0.lambda > 0 }
        let good = window.filter(\.isResolved)
        let unresolved = window.filter { !$0.isResolved }.map(\.degree)
        let pts = good.map { (log(Double($0.degree)), log($0.lambda)) }
        guard pts.count >= 3 else { return DecayFit(slope: nil, degrees: good.map(\.degree), unresolved: unresolved, theory: theory) }
        let mx = pts.map(\.0).reduce(0, +) / Double(pts.count)
        let my = pts.map(\.1).reduce(0, +) / Double(pts.count)
        let sxy = pts.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let sxx = pts.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
        return DecayFit(slope: sxx > 0 ? sxy / sxx : nil, degrees: good.map(\.degree), unresolved: unresolved, theory: theory)
    }

    /// The old unguarded fit (every degree in range with λ_k > 0); prefer `decayFit`.
    public static func decaySlope(_ eig: [SphereEigenvalue], degrees range: ClosedRange<Int>) -> Double? {
        decayFit(eig, degrees: range).slope
    }

    /// The known asymptotic decay of λ_k on S^{d−1} for the kernel, as text: for σ with a kink in
    /// σ′ (relu, leaky-relu) the NTK's λ_k ~ k^{−d} and the CK's ~ k^{−(d+2)} (Bietti & Bach 2021,
    /// Geifman et al. 2020, the power-series paper's Corollary 4.7); for σ smooth with fast Hermite
    /// decay (tanh, erf, gelu, sin, …) faster than any power; nil when not known here.
    public static func theoreticalRate(_ activation: KernelActivation, kernel: InfiniteKernel, dimension d: Int) -> String? {
        switch activation.shape {
        case .relu, .leakyRelu:
            switch kernel {
            case .ck(0): return nil
            case .ck: return "k^-\(d + 2)"
            case .ntk(0): return nil
            case .ntk: return "k^-\(d)"
            }
        case .linear, .elu: return nil
        default: return "faster than any power of k"
        }
    }
}
