import Foundation
import LimitLaws
import NetworkSampling

/// One of the largest eigenpairs of a kernel, with its alignment to the labels.
public struct TopEigenpair: Sendable, Equatable {
    public let value: Double
    /// (vᵀỹ)² / |ỹ|², ỹ = y − ȳ the centred training labels: the share of the label variance on this eigenvector.
    public let labelShare: Double
    /// The share on this and every larger eigenvector together (the projection onto their span).
    public let cumulativeShare: Double
    /// The unit eigenvector (n entries, training-sample order; largest-magnitude entry positive).
    public let vector: [Double]
}

/// An eigenvalue beyond the right edge of the kernel's limit law at initialisation.
public struct Outlier: Sendable, Equatable {
    public let value: Double
    /// λ − edge.
    public let excess: Double
    /// λ / edge.
    public let ratio: Double
}

/// One kernel at one snapshot.
public struct KernelSnapshot: Sendable {
    public let kernel: SampledKernel
    /// Every eigenvalue, ascending (the sampler's `xSYTRD` + `xSTERF` path, as `ntkscope sample`).
    public let eigenvalues: [Double]
    /// The largest `topK` eigenpairs (`xSYEVR`, range-limited), largest first.
    public let top: [TopEigenpair]
    /// Right edge of the limit law at initialisation (the support's upper end, or its largest atom);
    /// nil when there is no usable law (see `InitialLaws.warnings`).
    public let edge: Double?
    /// Eigenvalues above `edge`, largest first.
    public let outliers: [Outlier]
    /// KS and W1 distances from the initial limit law (`TrainingSettings.compare`).
    public let comparison: SampleComparison?
}

/// Everything measured at one epoch boundary.
public struct TrainingSnapshot: Sendable {
    /// Epochs completed (0 = the network at initialisation).
    public let epoch: Int
    /// Mean squared error over all training samples, (1/n) Σ (f − y)².
    public let trainMSE: Double
    /// Test R² (teacher tasks) or accuracy (classification); NaN without test samples.
    public let testMetric: Double
    public let kernels: [KernelSnapshot]
    /// Wall-clock seconds spent on this snapshot (kernels, eigenvalues, eigenvectors, laws).
    public let seconds: Double
}

/// The limit laws at initialisation (Fan & Wang Theorems 3.4 and 3.7) of the trained network's shape:
/// the realised γ_ℓ = n/d_ℓ, the activation, and the input law (Marcenko–Pastur(n/d₀) for sphere and
/// Gaussian inputs, the empirical X₀ᵀX₀ spectrum for a data file).
public struct InitialLaws: Sendable {
    public let model: NetworkModel
    public let spectra: ModelSpectra
    /// Right edge per kernel (nil: no law, or a law the solver did not get right — see `warnings`).
    public let edges: [SampledKernel: Double]
    /// Laws that failed their self-check, have failed points or miss mass: they give no edge, and
    /// their distances are not to be trusted.
    public let warnings: [String]
    /// Approximations the solver made, with their proven bounds (the law's own notes).
    public let notes: [String]
}

/// Takes snapshots: the sampler's kernels of the current weights (same code as `ntkscope sample`), the
/// top eigenpairs, label shares, outliers beyond the initial laws' edges.
final class SnapshotTaker {
    let settings: TrainingSettings
    let data: TrainingData
    let model: NetworkModel
    private let centred: [Double]
    private let labelNorm2: Double
    private(set) var laws: InitialLaws?
    private(set) var timings = StageTimings()
    private(set) var lawSeconds = 0.0

    init(settings: TrainingSettings, data: TrainingData) {
        self.settings = settings
        self.data = data
        let n = Double(data.n)
        model = NetworkModel(activation: settings.activation, input: .marcenkoPastur(gamma0: n / Double(data.inputDim)),
                             gammas: settings.widths.map { n / Double($0) })
        let mean = data.trainLabels.reduce(0, +) / n
        centred = data.trainLabels.map { $0 - mean }
        labelNorm2 = centred.reduce(0) { $0 + $1 * $1 }
    }

    /// The sampler request of a snapshot: the training inputs, these weights, every CK layer (layer 0,
    /// the input Gram, only at epoch 0: it does not change) and the NTK.
    func request(weights: NetworkWeights?, epoch: Int) -> SamplingRequest {
        let L = settings.depth
        var req = SamplingRequest(model: model, n: data.n, seed: data.inputSeed, input: data.inputSpec,
                                  ckLayers: epoch == 0 ? Array(0...L) : Array(1...L), ntk: true,
                                  precision: settings.precision, threads: settings.resolvedThreads)
        req.weights = weights
        req.topVectors = settings.topK
        return req
    }

    func take(epoch: Int, weights: NetworkWeights, token: CancellationToken,
              progress: (Double) -> Void, onLaws: (InitialLaws) -> Void) throws(TrainingError) -> [KernelSnapshot] {
        let req = request(weights: weights, epoch: epoch)
        var spectra: [SampledSpectrum] = []
        do {
            try NetworkSampler.run(req, token: token) { event in
                switch event {
                case .spectrum(let s): spectra.append(s)
                case .progress(let p): progress(p.fraction)
                case .finished(let s):
                    timings.input += s.timings.input; timings.forward += s.timings.forward
                    timings.grams += s.timings.grams; timings.ntk += s.timings.ntk
                    timings.eigenvalues += s.timings.eigenvalues; timings.eigenvectors += s.timings.eigenvectors
                    timings.total += s.timings.total
                default: break
                }
            }
        } catch {
            throw error == .cancelled ? .cancelled : .sampling(error)
        }
        spectra.sort { $0.kernel < $1.kernel }
        if laws == nil {
            let t0 = Date()
            laws = try solveLaws(req, spectra: spectra)
            lawSeconds += Date().timeIntervalSince(t0)
            onLaws(laws!)
        }
        return spectra.map { summarise($0) }
    }

    private func solveLaws(_ req: SamplingRequest, spectra: [SampledSpectrum]) throws(TrainingError) -> InitialLaws {
        let ck0 = spectra.first { $0.kernel == .ck(0) }?.eigenvalues
        let limitModel: NetworkModel
        do { limitModel = try LimitComparison.limitModel(for: req, inputGramEigenvalues: ck0) } catch { throw .sampling(error) }
        var options = SolveOptions()
        let L = settings.depth
        options.kernels = (0...L).map { KernelID.ck($0) } + [.ntk]
        let solved = LimitLawEngine().solve(limitModel, options: options)
        var edges: [SampledKernel: Double] = [:]
        var warnings: [String] = [], notes: [String] = []
        for k in (0...L).map({ SampledKernel.ck($0) }) + [.ntk] {
            guard let law = solved.spectrum(k.limitKernel) else { warnings.append("\(k): no limit law"); continue }
            for notice in law.notices where notice.severity == .note { notes.append("\(k) law: \(notice.text)") }
            let bad = law.notices.filter { $0.severity == .warning }.map(\.text)
                + (law.massDeficit > 1e-3 ? [String(format: "mass deficit %.2g", law.massDeficit)] : [])
            if !bad.isEmpty {
                warnings.append("\(k) law: \(bad.joined(separator: "; ")); no edge and no outliers for this kernel")
                continue
            }
            let top = max(law.support.last?.upperBound ?? -.infinity, law.atoms.map(\.location).max() ?? -.infinity)
            if top.isFinite { edges[k] = top }
        }
        return InitialLaws(model: limitModel, spectra: solved, edges: edges, warnings: warnings, notes: notes)
    }

    func summarise(_ s: SampledSpectrum) -> KernelSnapshot {
        var top: [TopEigenpair] = []
        var cumulative = 0.0
        for (value, vector) in zip(s.top?.values ?? [], s.top?.vectors ?? []) {
            var dot = 0.0
            for i in 0..<min(vector.count, centred.count) { dot += vector[i] * centred[i] }
            let share = labelNorm2 > 0 ? dot * dot / labelNorm2 : .nan
            cumulative += share
            top.append(TopEigenpair(value: value, labelShare: share, cumulativeShare: cumulative, vector: vector))
        }
        let edge = laws?.edges[s.kernel]
        var outliers: [Outlier] = []
        if let edge {
            for v in s.eigenvalues.reversed() where v > edge {
                outliers.append(Outlier(value: v, excess: v - edge, ratio: edge > 0 ? v / edge : .infinity))
            }
        }
        var comparison: SampleComparison?
        if settings.compare, let laws, laws.edges[s.kernel] != nil {
            comparison = LimitComparison.compare(s, limits: laws.spectra)
        }
        return KernelSnapshot(kernel: s.kernel, eigenvalues: s.eigenvalues, top: top, edge: edge, outliers: outliers,
                              comparison: comparison)
    }
}
