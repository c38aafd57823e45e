import LimitLaws
import NetworkSampling

/// The explorer's empirical check backed by NetworkSampling: samples one network of eq. (1) with
/// n = `sampleSize`, streams every kernel's eigenvalues with KS and W1 against the limit law of the
/// realised widths (d_ℓ = round(n/γ_ℓ)), and reports progress by stage.
public struct SampledNetworkCheck: EmpiricalCheck {
    public let seed: UInt64

    public init(seed: UInt64 = 0) { self.seed = seed }

    public func run(model: NetworkModel, sampleSize: Int, data: DataMatrix?, kernels: [KernelID], limits: ModelSpectra,
                    report: @escaping @Sendable (EmpiricalEvent) -> Void) async throws {
        // with the NTK, Lemma 3.5's surrogate too (from the same sampled CKs): it says how much of the
        // exact NTK's distance is finite-width correction
        var request = SamplingRequest(model: model, n: sampleSize, seed: seed, kernels: kernels, surrogate: kernels.contains(.ntk))
        if let data {
            request.input = .data(data)
            request.n = data.samples
            request.ckLayers = Array(Set((request.ckLayers ?? []) + [0])).sorted()   // the realised input law needs X₀ᵀX₀
        }
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
        var surrogate: SampleComparison?
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
                    if laws == nil, needsInput, s.kernel == .ck(0),
                       let realised = try? LimitComparison.limitModel(for: request, inputGramEigenvalues: s.eigenvalues) {
                        laws = LimitLawEngine().solve(realised, options: SolveOptions(kernels: kernels))
                    }
                    guard let laws else { pending.append(s); return }
                    for p in pending + [s] {
                        guard let c = LimitComparison.compare(p, limits: laws) else { continue }
                        if p.kernel == .ntkSurrogate { surrogate = c; continue }
                        let sur = p.kernel == .ntk ? surrogate : nil
                        report(.kernel(EmpiricalKernelResult(kernel: p.kernel.limitKernel, eigenvalues: p.eigenvalues, ks: c.ks, w1: c.w1,
                                                             ksLocation: c.ksLocation, surrogateKS: sur?.ks, surrogateW1: sur?.w1)))
                    }
                    pending = []
                case .finished:
                    report(.finished)
                }
            }
        } catch SamplingError.insufficientMemory(let need, let available, _) {
            report(.failed(Self.memoryRefusal(request, need: need, available: available)))
        } catch SamplingError.cancelled {
            throw CancellationError()
        } catch let error as SamplingError {
            report(.failed(error.description))
        }
    }

    /// The refusal in the explorer's words: the estimate, the rule, and the key that lowers n (with
    /// what n/2 would need).
    static func memoryRefusal(_ request: SamplingRequest, need: Int, available: Int) -> String {
        var half = request
        half.n = max(ExplorerReducer.sampleSizes.lowerBound, request.n / 2)
        let halfNeed = (try? half.estimatedPeakBytes()).map { " (n = \(half.n) needs about \(MemoryInfo.format($0)))" } ?? ""
        return "check refused: n = \(request.n) needs about \(MemoryInfo.format(need)), over \(Int(NetworkSampler.memoryShare * 100))% of the "
            + "\(MemoryInfo.format(available)) available; press n to halve n\(halfNeed)"
    }
}
