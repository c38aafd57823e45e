import LimitLaws
import NetworkSampling

/// The explorer's empirical check backed by NetworkSampling: samples one network of eq. (1) with
/// n = `sampleSize`, streams every kernel's eigenvalues with KS and W1 against the limit law of the
/// realised widths (d_ℓ = round(n/γ_ℓ)), and reports progress by stage.
public struct SampledNetworkCheck: EmpiricalCheck {
    public let seed: UInt64

    public init(seed: UInt64 = 0) { self.seed = seed }

    public func run(model: NetworkModel, sampleSize: Int, kernels: [KernelID], limits: ModelSpectra,
                    report: @escaping @Sendable (EmpiricalEvent) -> Void) async throws {
        let request = SamplingRequest(model: model, n: sampleSize, seed: seed, kernels: kernels)
        do {
            try request.validate()
        } catch {
            report(.failed(error.description))
            return
        }
        // The limit laws of the realised widths, with an accurate CDF for KS/W1; warm-started from
        // the laws on screen. Inputs without a closed-form law wait for the sampled input Gram.
        let needsInput = LimitComparison.needsInputSpectrum(request)
        var laws: ModelSpectra? = nil
        if !needsInput, let realised = try? LimitComparison.limitModel(for: request, inputGramEigenvalues: nil) {
            laws = LimitLawEngine().solve(realised, options: SolveOptions(kernels: kernels), previous: limits.cache)
        }
        var pending = [SampledSpectrum]()
        let job = SamplingJob(request)
        do {
            try await job.run { event in
                switch event {
                case .started:
                    report(.progress(EmpiricalProgress(fraction: 0, stage: "sampling n = \(sampleSize)")))
                case .progress(let p):
                    let layer = p.layer.map { " layer \($0)" } ?? ""
                    report(.progress(EmpiricalProgress(fraction: p.fraction, stage: "\(p.stage.rawValue)\(layer)")))
                case .spectrum(let s):
                    guard s.kernel != .ntkSurrogate else { return }
                    if laws == nil, needsInput, s.kernel == .ck(0),
                       let realised = try? LimitComparison.limitModel(for: request, inputGramEigenvalues: s.eigenvalues) {
                        laws = LimitLawEngine().solve(realised, options: SolveOptions(kernels: kernels))
                    }
                    guard let laws else { pending.append(s); return }
                    for p in pending + [s] {
                        if let c = LimitComparison.compare(p, limits: laws) {
                            report(.kernel(EmpiricalKernelResult(kernel: p.kernel.limitKernel, eigenvalues: p.eigenvalues, ks: c.ks, w1: c.w1)))
                        }
                    }
                    pending = []
                case .finished:
                    report(.finished)
                }
            }
        } catch SamplingError.cancelled {
            throw CancellationError()
        } catch let error as SamplingError {
            report(.failed(error.description))
        }
    }
}
