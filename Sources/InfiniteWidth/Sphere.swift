import Foundation

/// One eigenvalue of a dot-product kernel's integral operator on L²(S^{d−1}, uniform probability),
/// on the degree-k spherical harmonics.
public struct SphereEigenvalue: Sendable, Hashable {
    public let degree: Int
    /// N(d, k), the dimension of the degree-k harmonics (a Double: it overflows Int quickly).
    public let multiplicity: Double
    public let lambda: Double
    /// Bound on the error of λ_k from truncating the kernel's series at order N
    /// (see `SphereSpectrum.truncationBound`).
    public let errorBound: Double
    /// N(d, k)·λ_k / K(1): the share of the trace carried by degree k.
    public let traceShare: Double
}

/// Funk–Hecke on S^{d−1}: λ_k = E_t[K(t) P_k(t)], t having density ∝ (1 − t²)^{(d−3)/2} on [−1, 1]
/// (= (ω_{d−2}/ω_{d−1}) ∫ K(t) P_k(t) (1 − t²)^{(d−3)/2} dt), P_k the Gegenbauer/Legendre
/// polynomial of S^{d−1} normalised P_k(1) = 1. Σ_k N(d, k) λ_k = K(1).
public enum SphereSpectrum {
    /// N(d, k) = (2k + d − 2)/k · C(k + d − 3, d − 2), N(d, 0) = 1.
    public static func multiplicity(dimension d: Int, degree k: Int) -> Double {
        let l = logMultiplicity(dimension: d, degree: k)
        let v = exp(l)
        return l < 34 ? v.rounded() : v   // exact integers while they fit a Double's mantissa
    }

    public static func logMultiplicity(dimension d: Int, degree k: Int) -> Double {
        precondition(d >= 2 && k >= 0)
        if k == 0 { return 0 }
        let dd = Double(d), kk = Double(k)
        // C(k+d−3, d−2) = Γ(k+d−2) / (Γ(d−1) Γ(k))
        let ratio: Double = (2 * kk + dd - 2) / kk
        let binom: Double = lgamma(kk + dd - 2) - lgamma(dd - 1) - lgamma(kk)
        return log(ratio) + binom
    }

    /// The exact Funk–Hecke eigenvalue of the monomial t^j on degree k:
    /// λ_k(t^j) = j! Γ(d/2) / (2^j ((j−k)/2)! Γ((j+k+d)/2)) for j ≥ k, j − k even; 0 otherwise.
    public static func monomialEigenvalue(power j: Int, degree k: Int, dimension d: Int) -> Double {
        guard j >= k, (j - k) % 2 == 0 else { return 0 }
        let jj = Double(j), kk = Double(k), dd = Double(d)
        let s = Double((j - k) / 2)
        let num: Double = lgamma(jj + 1) + lgamma(dd / 2)
        let den: Double = jj * log(2.0) + lgamma(s + 1) + lgamma((jj + kk + dd) / 2)
        return exp(num - den)
    }

    /// Bound on λ_k(K − K_N) for a remainder Σ_{j>N} c_j t^j (c_j ≥ 0) of total mass `tail`:
    /// tail · max_{j>N} λ_k(t^j). Since λ_k(t^{j+2})/λ_k(t^j) = (j+2)(j+1)/((j−k+2)(j+k+d)) < 1 once
    /// (d−1) j > k² + k(d−2) − 2d + 2, the max is at the first j > N of k's parity when N is past
    /// that point; otherwise the always-valid tail/N(d, k) (from Σ_k N(d,k) λ_k(t^j) = 1).
    public static func truncationBound(tail: Double, order n: Int, degree k: Int, dimension d: Int) -> Double {
        let coarse = tail / multiplicity(dimension: d, degree: k)
        guard tail > 0 else { return 0 }
        let num: Int = k * k + k * (d - 2) - 2 * d + 2
        let threshold = Double(num) / Double(d - 1)
        if Double(n + 1) > threshold {
            let j = (n + 1 - k) % 2 == 0 ? n + 1 : n + 2
            return min(coarse, tail * monomialEigenvalue(power: j, degree: k, dimension: d))
        }
        return coarse
    }

    /// λ_0 … λ_kmax of the kernel Σ_j c_j t^j (c_j ≥ 0), with the truncation bound above.
    /// `valueAtOne` is K(1) (for the trace shares).
    public static func eigenvalues(coefficients c: [Double], tail: Double, valueAtOne: Double,
                                   dimension d: Int, maxDegree: Int) -> [SphereEigenvalue] {
        precondition(d >= 2 && maxDegree >= 0)
        var out: [SphereEigenvalue] = []
        out.reserveCapacity(maxDegree + 1)
        for k in 0...maxDegree {
            var lam = 0.0
            var j = k
            while j < c.count {
                if c[j] != 0 { lam += c[j] * monomialEigenvalue(power: j, degree: k, dimension: d) }
                j += 2
            }
            let n = multiplicity(dimension: d, degree: k)
            let bound = truncationBound(tail: tail, order: c.count - 1, degree: k, dimension: d)
            out.append(SphereEigenvalue(degree: k, multiplicity: n, lambda: lam, errorBound: bound,
                                        traceShare: valueAtOne > 0 ? n * lam / valueAtOne : 0))
        }
        return out
    }

    /// The sphere eigenvalues of one kernel of a series.
    public static func eigenvalues(_ series: KernelSeries, kernel: InfiniteKernel, dimension d: Int,
                                   maxDegree: Int) -> [SphereEigenvalue] {
        eigenvalues(coefficients: series.coefficients(kernel), tail: series.tail(kernel),
                    valueAtOne: series.valueAtOne(kernel), dimension: d, maxDegree: maxDegree)
    }

    /// P_k^{(d)}(t), normalised P_k(1) = 1, for k = 0 … kmax, by the three-term recurrence
    /// (k + d − 2) P_{k+1} = (2k + d − 2) t P_k − k P_{k−1}.
    public static func gegenbauer(dimension d: Int, maxDegree: Int, at t: Double) -> [Double] {
        var p = [Double](repeating: 0, count: maxDegree + 1)
        p[0] = 1
        if maxDegree >= 1 { p[1] = t }
        if maxDegree >= 2 {
            for k in 1..<maxDegree {
                let kk = Double(k), dd = Double(d)
                p[k + 1] = ((2 * kk + dd - 2) * t * p[k] - kk * p[k - 1]) / (kk + dd - 2)
            }
        }
        return p
    }

    /// λ_0 … λ_kmax of an arbitrary kernel K(t) by Gegenbauer quadrature in θ (t = cos θ):
    /// λ_k = ∫_0^π K(cos θ) P_k(cos θ) sin^{d−2}θ dθ / ∫_0^π sin^{d−2}θ dθ, composite Gauss–Legendre.
    public static func eigenvaluesByQuadrature(dimension d: Int, maxDegree: Int, panels: Int = 400,
                                               _ kernel: (Double) -> Double) -> [Double] {
        let (gx, gw) = GaussianIntegral.rule24
        var acc = [Double](repeating: 0, count: maxDegree + 1)
        var norm = 0.0
        let h = Double.pi / Double(panels) / 2
        for i in 0..<panels {
            let m = Double.pi * (Double(i) + 0.5) / Double(panels)
            for j in gx.indices {
                let th = m + h * gx[j]
                let w = h * gw[j] * pow(sin(th), Double(d - 2))
                let t = cos(th)
                let kv = kernel(t) * w
                norm += w
                let p = gegenbauer(dimension: d, maxDegree: maxDegree, at: t)
                for k in 0...maxDegree { acc[k] += kv * p[k] }
            }
        }
        return acc.map { $0 / norm }
    }

    /// Least-squares slope of log λ_k against log k over the degrees in `range` with the given
    /// parity (λ_k > 0 only): the power-law decay exponent (λ_k ≈ C k^{slope}).
    public static func decaySlope(_ eig: [SphereEigenvalue], degrees range: ClosedRange<Int>) -> Double? {
        let pts = eig.filter { range.contains($0.degree) && $0.degree > 0 && $0.lambda > 0 }
            .map { (log(Double($0.degree)), log($0.lambda)) }
        guard pts.count >= 2 else { return nil }
        let mx = pts.map(\.0).reduce(0, +) / Double(pts.count)
        let my = pts.map(\.1).reduce(0, +) / Double(pts.count)
        let sxy = pts.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let sxx = pts.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
        return sxx > 0 ? sxy / sxx : nil
    }
}
