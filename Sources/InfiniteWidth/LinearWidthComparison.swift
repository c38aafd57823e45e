import Foundation
import LimitLaws

/// One kernel side by side: the infinite-width Gram spectrum on the actual inputs, the
/// linear-width limit law (finite γ_ℓ) and, optionally, a sampled network's spectrum.
public struct SpectrumComparison: Sendable {
    public let kernel: InfiniteKernel
    public let infinite: GramSpectrum
    public let law: LimitSpectrum?
    public let sampled: [Double]?
    /// sup_x |F_infinite(x) − F_law(x)| (Kolmogorov distance of the empirical spectrum to the law).
    public let ksInfiniteVsLaw: Double?
    public let ksSampledVsLaw: Double?
    public let ksSampledVsInfinite: Double?
}

/// One row of the γ → 0 check.
public struct GammaLimitRow: Sendable, Hashable {
    public let gamma: Double
    /// Kolmogorov distance between the infinite-width Gram spectrum and the linear-width law.
    public let ks: Double
    public let lawMean: Double
    public let lawSecondMoment: Double
    public let gramMean: Double
    public let gramSecondMoment: Double
}

public enum LinearWidthComparison {
    /// Kolmogorov distance sup_x |F_n(x) − F(x)| between the empirical law of `eigenvalues` and a
    /// limit law, checked on both sides of every jump of F_n.
    public static func ksDistance(_ eigenvalues: [Double], _ law: LimitSpectrum) -> Double {
        let e = eigenvalues.sorted()
        let n = Double(e.count)
        var d = 0.0
        var i = 0
        while i < e.count {
            var j = i
            while j + 1 < e.count && e[j + 1] == e[i] { j += 1 }
            let f = law.cdf(e[i])
            let below = law.cdf(e[i] - 1e-12 * max(1, abs(e[i])))
            d = max(d, abs(Double(i) / n - below), abs(Double(j + 1) / n - f))
            i = j + 1
        }
        return d
    }

    /// Kolmogorov distance between two empirical spectra.
    public static func ksDistance(_ a: [Double], _ b: [Double]) -> Double {
        let x = a.sorted(), y = b.sorted()
        var i = 0, j = 0, d = 0.0
        while i < x.count && j < y.count {
            let v = min(x[i], y[j])
            while i < x.count && x[i] <= v { i += 1 }
            while j < y.count && y[j] <= v { j += 1 }
            d = max(d, abs(Double(i) / Double(x.count) - Double(j) / Double(y.count)))
        }
        return d
    }

    /// The linear-width model with the same σ, depth and τ, whose input law is the actual input
    /// Gram spectrum (a discrete law), with the given γ_ℓ.
    public static func linearWidthModel(_ model: NetworkModel, inputSpectrum: GramSpectrum) -> NetworkModel {
        NetworkModel(activation: model.activation, input: .discrete(eigenvalues: inputSpectrum.eigenvalues.map { max(0, $0) }),
                     gammas: model.gammas, tau: model.tau)
    }

    /// Side by side for K_L and Θ_L: infinite-width Gram spectra on `points`, the linear-width laws of
    /// `model` (its γ's; input law = the points' Gram spectrum), and the sampled network's spectra if
    /// given (`sampledCK`, `sampledNTK`, e.g. from NetworkSampling at the matching widths).
    public static func sideBySide(model: NetworkModel, points: InputPoints, order: Int = KernelSeries.defaultOrder,
                                  sampledCK: [Double]? = nil, sampledNTK: [Double]? = nil,
                                  engine: LimitLawEngine = .init()) throws -> [SpectrumComparison] {
        let series = KernelSeries(activation: model.activation, depth: model.depth, order: order, tau: model.tau)
        let g = points.innerProducts()
        let input = try KernelGram.inputSpectrum(points: points, innerProducts: g)
        let lw = linearWidthModel(model, inputSpectrum: input)
        let laws = engine.solve(lw, options: SolveOptions(kernels: [.ck(model.depth), .ntk]))
        var out: [SpectrumComparison] = []
        for (kernel, id, sampled) in [(InfiniteKernel.ck(model.depth), KernelID.ck(model.depth), sampledCK),
                                      (.ntk(model.depth), .ntk, sampledNTK)] {
            let inf = try KernelGram.spectrum(series, kernel: kernel, points: points, innerProducts: g)
            let law = laws.spectrum(id)
            out.append(SpectrumComparison(
                kernel: kernel, infinite: inf, law: law, sampled: sampled,
                ksInfiniteVsLaw: law.map { ksDistance(inf.eigenvalues, $0) },
                ksSampledVsLaw: sampled.flatMap { s in law.map { ksDistance(s, $0) } },
                ksSampledVsInfinite: sampled.map { ksDistance($0, inf.eigenvalues) }))
        }
        return out
    }

    /// The γ → 0 check. For unit-norm, nearly orthogonal inputs (n points uniform on S^{d−1}, d ≍ n),
    /// the linear-width law of a kernel with every γ_ℓ = γ must approach the spectral distribution of
    /// the infinite-width Gram on the same points as γ → 0: both tend to that of
    /// (1 − b_σ^{2ℓ}) Id + b_σ^{2ℓ} XᵀX for K_ℓ (and the matching combination for Θ_L), up to O(1/d)
    /// from the higher-order terms of the series. Returns, per γ, the Kolmogorov distance and the
    /// first two moments of both. `inputLaw` nil uses the points' own Gram spectrum (a discrete law
    /// with n atoms: exact inputs, but slow to solve and spiky at small γ); `.marcenkoPastur(n/d)`
    /// is the smooth n → ∞ limit of that spectrum.
    public static func gammaLimit(activation: Activation, depth: Int, kernel: InfiniteKernel, points: InputPoints,
                                  gammas: [Double], inputLaw: InputLaw? = nil, order: Int = 100,
                                  engine: LimitLawEngine = .init()) throws -> [GammaLimitRow] {
        let series = KernelSeries(activation: activation, depth: depth, order: order)
        let g = points.innerProducts()
        let input = try KernelGram.inputSpectrum(points: points, innerProducts: g)
        let inf = try KernelGram.spectrum(series, kernel: kernel, points: points, innerProducts: g)
        let id: KernelID
        switch kernel {
        case .ck(let l): id = .ck(l)
        case .ntk(let l):
            precondition(l == depth, "the engine's NTK is that of the full depth")
            id = .ntk
        }
        var rows: [GammaLimitRow] = []
        for gamma in gammas {
            let law0 = inputLaw ?? .discrete(eigenvalues: input.eigenvalues.map { max(0, $0) })
            let model = NetworkModel(activation: activation, input: law0,
                                     gammas: Array(repeating: gamma, count: depth))
            let laws = engine.solve(model, options: SolveOptions(kernels: [id]))
            guard let law = laws.spectrum(id) else { continue }
            rows.append(GammaLimitRow(gamma: gamma, ks: ksDistance(inf.eigenvalues, law), lawMean: law.mean,
                                      lawSecondMoment: law.secondMoment, gramMean: inf.mean,
                                      gramSecondMoment: inf.secondMoment))
        }
        return rows
    }
}
