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
            let cleaned = e.map { abs($0) <= 1e-5 * top ? 0 : max(0, $0) }
            let mean = cleaned.reduce(0, +) / Double(cleaned.count)
            input = .discrete(eigenvalues: mean > 0 ? cleaned.map { $0 / mean } : cleaned)
        }
        return NetworkModel(activation: request.model.activation, input: input,
                            gammas: w.dropFirst().map { n / Double($0) }, tau: request.model.tau)
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
