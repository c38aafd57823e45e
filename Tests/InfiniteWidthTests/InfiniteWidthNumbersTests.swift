import BigInt
import Foundation
import Testing
@testable import InfiniteWidth
import LimitLaws

/// Issue 10 §6 and issue 13 §3: exact multiplicities, log-space shares, honest decay fits, exact
/// Grams for kinked σ and rank-aware outlier counts. Expected values come from independent
/// formulas: the dimension of harmonic polynomials C(k+d−1, d−1) − C(k+d−3, d−1) in BigUInt,
/// the closed-form arc-cosine kernel (test-local) integrated by the test's own Funk–Hecke rule.
@Suite struct InfiniteWidthNumbersTests {
    static func binomial(_ n: Int, _ k: Int) -> BigUInt {
        guard k >= 0, k <= n else { return 0 }
        let k = min(k, n - k)
        var c = BigUInt(1)
        for i in 0..<k { c = c * BigUInt(n - i) }
        var f = BigUInt(1)
        for i in 1...max(1, k) where k >= 1 { f = f * BigUInt(i) }
        return c / f
    }

    /// dim of degree-k harmonics in d variables = dim P_k − dim P_{k−2}.
    static func harmonicDimension(d: Int, k: Int) -> BigUInt {
        binomial(k + d - 1, d - 1) - (k >= 2 ? binomial(k + d - 3, d - 1) : 0)
    }

    @Test func multiplicitiesAreExactIntegers() {
        // the reproduction: N(100, 10) = 42308265455885 (was printed …887)
        #expect(SphereSpectrum.exactMultiplicity(dimension: 100, degree: 10) == BigUInt(42308265455885))
        for (d, k) in [(2, 0), (2, 7), (3, 4), (4, 3), (10, 2), (100, 12), (1000, 40), (100_000, 7)] {
            #expect(SphereSpectrum.exactMultiplicity(dimension: d, degree: k) == Self.harmonicDimension(d: d, k: k), "N(\(d), \(k))")
        }
        let big = SphereSpectrum.exactMultiplicity(dimension: 100_000, degree: 200)
        #expect(big == Self.harmonicDimension(d: 100_000, k: 200))
        // log10 from lgamma agrees with the digit count of the exact integer
        let digits = String(big).count
        let log10N = SphereSpectrum.logMultiplicity(dimension: 100_000, degree: 200) / log(10.0)
        #expect(Int(log10N.rounded(.down)) + 1 == digits)
    }

    /// `sphere --dim 100000 --max-degree 200` (relu depth 2): every share finite, in [0, 1], summing
    /// to at most 1; λ_k underflows to 0 but its log is finite.
    @Test func hugeDimensionStaysFinite() {
        let s = KernelSeries(activation: activation("relu"), depth: 2, order: 200)
        let eig = SphereSpectrum.eigenvalues(s, kernel: .ntk(2), dimension: 100_000, maxDegree: 200)
        #expect(eig.allSatisfy { $0.traceShare.isFinite && $0.traceShare >= 0 && $0.errorBound.isFinite && $0.lambda.isFinite })
        #expect(eig.map(\.traceShare).reduce(0, +) <= 1 + 1e-12)
        #expect(eig[200].lambda == 0 && eig[200].log10Lambda.isFinite && eig[200].log10Lambda < -600)
        #expect(eig[200].log10Multiplicity > 600)
        // share_k = N λ_k / Θ(1) in log space agrees with the direct product where that is representable
        let e = eig[3]
        #expect(abs(e.traceShare - e.multiplicity * e.lambda / s.valueAtOne(.ntk(2))) < 1e-12 * max(e.traceShare, 1e-300))
    }

    /// relu, depth 2, d = 3: the series' slope over the upper half of k ≤ 40 was −6.68 (a truncation
    /// artefact); the exact kernel's is ≈ −3 (k^{−d}). The fit now uses resolved degrees only and, with
    /// the closed-form kernel's quadrature, gives the kernel's slope.
    @Test func decayFitUsesResolvedDegreesOnly() {
        let s = KernelSeries(activation: activation("relu"), depth: 2, order: 200)
        let series = SphereSpectrum.eigenvalues(s, kernel: .ntk(2), dimension: 3, maxDegree: 40)
        let old = SphereSpectrum.decayFit(series, degrees: 20...40)
        #expect(old.slope == nil || old.unresolved.isEmpty == false, "series-only fit: \(String(describing: old.slope))")
        let exact = KernelRecursion(activation: activation("relu"), depth: 2)
        let best = SphereSpectrum.eigenvalues(s, kernel: .ntk(2), exact: exact, dimension: 3, maxDegree: 40)
        let fit = SphereSpectrum.decayFit(best, degrees: 20...40)
        // independent: the test's own Funk–Hecke integral (Simpson in θ) of the arc-cosine NTK
        let m = 20000
        var lam = [Double](repeating: 0, count: 41), norm = 0.0
        for i in 0...m {
            let th = Double.pi * Double(i) / Double(m)
            let w = (i == 0 || i == m ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0)) * sin(th)
            let kv = ArcCosine.kernels(cos(th), depth: 2).ntk
            var p0 = 1.0, p1 = cos(th)   // Legendre (d = 3)
            lam[0] += w * kv; lam[1] += w * kv * p1
            for k in 1..<40 { let p2 = (Double(2 * k + 1) * cos(th) * p1 - Double(k) * p0) / Double(k + 1); p0 = p1; p1 = p2; lam[k + 1] += w * kv * p2 }
            norm += w
        }
        lam = lam.map { $0 / norm }
        for e in best where e.degree <= 40 && e.method == .quadrature {
            #expect(abs(e.lambda - lam[e.degree]) < 1e-9, "λ_\(e.degree): \(e.lambda) vs \(lam[e.degree])")
        }
        let pts = (20...40).filter { lam[$0] > 1e-9 }.map { (log(Double($0)), log(lam[$0])) }
        let mx = pts.map(\.0).reduce(0, +) / Double(pts.count), my = pts.map(\.1).reduce(0, +) / Double(pts.count)
        let slope = pts.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / pts.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
        let f = try! #require(fit.slope)
        #expect(abs(f - slope) < 0.05, "fit \(f) vs independent \(slope)")
        #expect(f > -3.5 && f < -2.5)
        #expect(SphereSpectrum.theoreticalRate(exact.activation, kernel: .ntk(2), dimension: 3) == "k^-3")
    }

    /// The ReLU Θ Gram (d = 3, 200 points) from the closed form: its λ_min is that of the test's own
    /// arc-cosine Gram (0.006–0.043 in the issue), not the series' truncation tail (0.118).
    @Test func exactGramForKinkedSigma() throws {
        let pts = try InputPoints.make(.uniformSphere(n: 200, dimension: 3, seed: 5))
        let s = KernelSeries(activation: activation("relu"), depth: 2, order: 200)
        let d = try DatasetSpectra.compute(s, points: pts, exact: KernelRecursion(activation: activation("relu"), depth: 2))
        #expect(d.ntk.source == "closed form" && d.ntk.entryErrorBound == 0)
        let g = pts.innerProducts()
        var m = [Double](repeating: 0, count: 200 * 200)
        for i in 0..<(200 * 200) { m[i] = ArcCosine.kernels(min(1, g[i]), depth: 2).ntk }
        for i in 0..<200 { m[i * 200 + i] = ArcCosine.kernels(1, depth: 2).ntk }
        let reference = try KernelGram.symmetricEigenvalues(m, n: 200)
        // (nearby points put ρ within 1e-4 of 1, where acos is ill-conditioned: both Grams agree to 1e-7)
        #expect(abs(d.ntk.lambdaMin - reference.min()!) < 1e-7)
        #expect(d.ntk.lambdaMin < 0.06)
        let truncated = try KernelGram.spectrum(s, kernel: .ntk(2), points: pts)
        #expect(truncated.lambdaMin > 0.08 && truncated.lambdaMinIsTruncationLimited)
        // Theorem 4.3's bound holds, with Θ(1)/c₁ as the constant
        #expect(d.theorem43Holds)
        #expect(abs(d.ntkBoundConstant - s.valueAtOne(.ntk(2)) / s.ntk[2][1]) < 1e-12)
    }

    /// Outliers count only eigenvalues that stand out of the non-zero bulk: a rank-10 Gram of 200
    /// points (S⁹) has none, a planted spike is one.
    @Test func outliersIgnoreRoundOffZeros() throws {
        let pts = try InputPoints.make(.uniformSphere(n: 200, dimension: 10, seed: 1))
        let input = try KernelGram.inputSpectrum(points: pts)
        #expect(input.numericalRank == 10)
        #expect(input.outliers == 0)
        var ev = Array(repeating: 1.0, count: 50) + Array(repeating: 1e-17, count: 150)
        ev[0] = 40
        #expect(GramSpectrum(eigenvalues: ev, trace: 89).outliers == 1)
    }

    /// The paper's Theorem 4.1 / Observation 4.2 under its initialisation (relu normalised, not
    /// centred, σ_w² + σ_b² = 1): the constant coefficient c₀ takes an Ω(1) share of the trace and
    /// shows as one outlier ≈ n·λ₀ of the Gram; with the centred σ there is no constant term.
    @Test func constantTermCreatesAnOutlier() throws {
        let ini = Initialisation(weightVariance: 0.5, biasVariance: 0.5, centre: false, normalise: true)
        let s = KernelSeries(activation: activation("relu"), depth: 3, order: 200, initialisation: ini)
        let (c0, share) = s.constantTerm(.ntk(3))
        #expect(c0 > 0 && share > 0.3)
        let pts = try InputPoints.make(.uniformSphere(n: 400, dimension: 20, seed: 2))
        let d = try DatasetSpectra.compute(s, points: pts, exact: KernelRecursion(activation: activation("relu"), depth: 3, initialisation: ini))
        #expect(d.ntk.lambdaMax >= 400 * c0)
        #expect(d.ntk.maxShare > share)
        #expect(d.ntk.outliers >= 1)
        let centred = KernelSeries(activation: activation("relu"), depth: 3, order: 200)
        #expect(centred.constantTerm(.ntk(3)).value == 0)
    }
}
