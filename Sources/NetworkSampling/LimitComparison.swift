import Foundation
import LimitLaws

/// Pairs sampled spectra with the engine's limit laws.
public enum LimitComparison {
    /// The model whose limit laws describe this sample: the request's activation and τ, the realised
    /// aspect ratios γ_ℓ = n/d_ℓ (after rounding the widths), and the input law the inputs were drawn
    /// from — for inputs without a closed-form law (power-law covariance, spectra, data files) the
    /// empirical spectrum of the sampled X₀ᵀX₀, as the paper does for CIFAR-10.
    public static func limitModel(for request: SamplingRequest, inputGramEigenvalues: [Double]?) throws(SamplingError) -> NetworkModel {
        let w = try request.widths()
        let n = Double(request.sampleCount)
        var input: InputLaw
        switch try request.resolvedInput() {
        case .gaussian(let d0), .sphere(let d0): input = .marcenkoPastur(gamma0: n / Double(d0))
        case .orthonormal: input = .orthonormal
        default:
            guard let e = inputGramEigenvalues else {
                throw .invalidRequest("the input law of this design is the sampled X₀ᵀX₀ spectrum: compute CK layer 0 too")
            }
            // Rounding noise around exact zeros (rank-deficient X₀, e.g. after centring or PC removal)
            // is set to 0, so the law gets a clean atom there.
            let top = e.map(abs).max() ?? 0
            let zeroed = e.map { abs($0) <= 1e-5 * top ? 0 : max(0, $0) }
            // Equal eigenvalues of the input come out of the solver a few ulps apart (0, 1, 1, 2 as
            // 1 − 4·10⁻¹⁶, 1, 1 + 2·10⁻¹⁶, …): each run closer than the precision's resolution is
            // one atom at its mean, as in the law the inputs were drawn from. (Kept apart they made
            // the law's atoms near-duplicates: KS 0.33 where the sample is the law exactly.)
            let cleaned = Self.mergingRuns(zeroed, within: SpectrumStatistics.atomTolerance(zeroed, precision: request.precision))
            let mean = cleaned.reduce(0, +) / Double(cleaned.count)
            input = .discrete(eigenvalues: mean > 0 ? cleaned.map { $0 / mean } : cleaned)
        }
        return NetworkModel(activation: request.model.activation, input: input,
                            gammas: w.dropFirst().map { n / Double($0) }, tau: request.model.tau)
    }

    /// The values sorted, each run whose neighbours are within `tolerance` replaced by its mean
    /// (so the mean of all is kept).
    static func mergingRuns(_ values: [Double], within tolerance: Double) -> [Double] {
        let sorted = values.sorted()
        var out: [Double] = []
        out.reserveCapacity(sorted.count)
        var i = 0
        while i < sorted.count {
            var j = i + 1
            while j < sorted.count && sorted[j] - sorted[j - 1] <= tolerance { j += 1 }
            let run = sorted[i..<j]
            let mean = run.first == run.last ? run.first! : run.reduce(0, +) / Double(run.count)   // sorted: equal ends, all equal
            out += Array(repeating: mean, count: j - i)
            i = j
        }
        return out
    }

    /// Whether `limitModel` needs the sampled input Gram spectrum.
    public static func needsInputSpectrum(_ request: SamplingRequest) -> Bool {
        switch try? request.resolvedInput() {
        case .gaussian?, .sphere?, .orthonormal?: return false
        default: return true
        }
    }

    /// KS, W1 and outliers of one sampled spectrum against its law in `limits` (nil when the law is missing).
    public static func compare(_ spectrum: SampledSpectrum, limits: ModelSpectra) -> SampleComparison? {
        guard let law = limits.spectrum(spectrum.kernel.limitKernel) else { return nil }
        return SpectrumStatistics.compare(spectrum.eigenvalues, with: law, precision: spectrum.precision)
    }

    /// KS, W1 and outliers of every sampled spectrum against its limit law (the surrogate is
    /// compared with the NTK law). Kernels without a law in `limits` are skipped.
    public static func compare(_ spectra: [SampledSpectrum], limits: ModelSpectra)
        -> [(kernel: SampledKernel, comparison: SampleComparison)] {
        spectra.compactMap { s in
            guard let law = limits.spectrum(s.kernel.limitKernel) else { return nil }
            return (s.kernel, SpectrumStatistics.compare(s.eigenvalues, with: law, precision: s.precision))
        }
    }
}
