import LimitLaws
import NetworkSampling

// The seam between the explorer and NetworkSampling (wired by the lead).
//
// The explorer only needs, per kernel: the sampled eigenvalues (it bins them itself on each
// panel's pixel grid, so zoom and panel size never need a new sample), the KS and W1 distances to
// the limit law, and a progress fraction with a stage text. A provider conforms to `EmpiricalCheck`
// and reports `EmpiricalEvent`s; the shell folds them into an `EmpiricalSnapshot` that the layout draws.

/// The sampled spectrum of one kernel and its distances to the limit law.
public struct EmpiricalKernelResult: Sendable {
    public var kernel: KernelID
    public var eigenvalues: [Double]
    /// Kolmogorov–Smirnov distance to the limit law.
    public var ks: Double
    /// Wasserstein-1 distance to the limit law.
    public var w1: Double
    /// Where the KS supremum is attained (nil when unknown).
    public var ksLocation: Double?
    /// For the NTK: the same distances for Lemma 3.5's surrogate, built from the same sampled CKs
    /// (it matches the law without the exact NTK's finite-width corrections).
    public var surrogateKS: Double?
    public var surrogateW1: Double?
    public init(kernel: KernelID, eigenvalues: [Double], ks: Double, w1: Double, ksLocation: Double? = nil,
                surrogateKS: Double? = nil, surrogateW1: Double? = nil) {
        self.kernel = kernel; self.eigenvalues = eigenvalues; self.ks = ks; self.w1 = w1; self.ksLocation = ksLocation
        self.surrogateKS = surrogateKS; self.surrogateW1 = surrogateW1
    }
}

/// Progress of a running check: fraction in 0...1 and what it is doing ("sampling layer 3").
public struct EmpiricalProgress: Sendable, Hashable {
    public var fraction: Double
    public var stage: String
    public init(fraction: Double, stage: String) { self.fraction = fraction; self.stage = stage }
}

/// What a provider reports, from any thread, in any order; results may arrive layer by layer.
public enum EmpiricalEvent: Sendable {
    case progress(EmpiricalProgress)
    case kernel(EmpiricalKernelResult)
    case finished
    case failed(String)
}

/// A background empirical check. `run` samples one network of width `sampleSize` (n) for `model`,
/// computes every requested kernel's eigenvalues and their KS/W1 against `limits`, and reports
/// as it goes. It must return promptly (throwing CancellationError or just returning) once the
/// surrounding task is cancelled: the explorer cancels it whenever a parameter changes.
/// With `data`, the network is sampled on that (preprocessed) data matrix: n = its samples, and the
/// limit laws are those of its Gram spectrum.
public protocol EmpiricalCheck: Sendable {
    func run(model: NetworkModel, sampleSize: Int, data: DataMatrix?, kernels: [KernelID], limits: ModelSpectra,
             report: @escaping @Sendable (EmpiricalEvent) -> Void) async throws
}

/// The empirical overlay as drawn: results so far plus the running progress (nil when idle).
public struct EmpiricalSnapshot: Sendable {
    public var results: [KernelID: EmpiricalKernelResult] = [:]
    public var progress: EmpiricalProgress?
    public var sampleSize: Int = 0
    public var error: String?
    public init(results: [KernelID: EmpiricalKernelResult] = [:], progress: EmpiricalProgress? = nil,
                sampleSize: Int = 0, error: String? = nil) {
        self.results = results; self.progress = progress; self.sampleSize = sampleSize; self.error = error
    }

    /// Folds one event into the snapshot.
    public mutating func apply(_ event: EmpiricalEvent) {
        switch event {
        case .progress(let p): progress = p
        case .kernel(let r): results[r.kernel] = r
        case .finished: progress = nil
        case .failed(let message): progress = nil; error = message
        }
    }
}
