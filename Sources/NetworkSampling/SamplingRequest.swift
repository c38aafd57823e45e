import Foundation
import LimitLaws

/// A kernel whose spectrum the sampler computes.
public enum SampledKernel: Sendable, Hashable, CustomStringConvertible, Comparable {
    /// The conjugate kernel X_ℓᵀX_ℓ of layer ℓ (0 = the input Gram X₀ᵀX₀).
    case ck(Int)
    /// The exact (τ-weighted) NTK J_τᵀJ_τ, assembled from its closed form.
    case ntk
    /// Lemma 3.5's surrogate τ·r₊ Id + τ_{L+1} X_LᵀX_L + Σ_{ℓ<L} τ_{ℓ+1} q_ℓ X_ℓᵀX_ℓ built from the same sampled CKs.
    case ntkSurrogate

    /// The limit law this kernel is compared with.
    public var limitKernel: KernelID {
        switch self {
        case .ck(let l): return .ck(l)
        case .ntk, .ntkSurrogate: return .ntk
        }
    }
    /// "ck", "ntk" or "ntk-surrogate" (the `kernel` column of the CSV output).
    public var name: String {
        switch self { case .ck: return "ck"; case .ntk: return "ntk"; case .ntkSurrogate: return "ntk-surrogate" }
    }
    /// The CK layer, or nil for the NTK kernels (the `layer` column; the CLI prints the depth L there).
    public var layer: Int? { if case .ck(let l) = self { return l }; return nil }
    public var description: String {
        switch self { case .ck(let l): return "ck\(l)"; case .ntk: return "ntk"; case .ntkSurrogate: return "ntk-surrogate" }
    }
    var order: Int { switch self { case .ck(let l): return l; case .ntk: return 10_000; case .ntkSurrogate: return 10_001 } }
    public static func < (a: SampledKernel, b: SampledKernel) -> Bool { a.order < b.order }
}

public enum Precision: String, Sendable, CaseIterable {
    /// Products, Grams and eigenvalues in single precision (the fast default; see docs/empirical.md for its accuracy).
    case float32
    /// Everything in double precision (the reference).
    case float64
}

/// One sampling job: a network of eq. (1) with iid N(0,1) weights, n samples and widths d_ℓ = round(n/γ_ℓ).
public struct SamplingRequest: Sendable {
    public var model: NetworkModel
    public var n: Int
    public var seed: UInt64
    public var input: InputSpec
    /// CK layers whose spectra are wanted (nil = all, 0...L).
    public var ckLayers: [Int]?
    public var ntk: Bool
    public var surrogate: Bool
    /// Number of network outputs k (Theorem 3.8): the NTK is then nk × nk (its limit law does not depend on k).
    public var outputs: Int
    public var precision: Precision
    /// BLAS (and helper-loop) threads; nil = `BLASThreads.defaultCount`.
    public var threads: Int?
    /// Target floating-point work per BLAS call, which bounds the time between cancellation checks
    /// (2.4e10 ≈ 0.2 s on two idle cores in float32, 0.4 s in float64).
    public var flopsPerBlock: Double
    /// Explicit weights (a trained network) instead of the seed's: then `seed` only draws the inputs.
    /// Their widths must equal `widths()` and their output count `outputs`.
    public var weights: NetworkWeights?
    /// How many of the largest eigenpairs of every kernel to compute as well (`xSYEVR`, range-limited;
    /// 0 = none). They arrive in `SampledSpectrum.top`.
    public var topVectors: Int = 0
    /// The reduction to tridiagonal form of the eigenvalue solves (`.automatic`: two-stage for matrices of 128 MiB or more).
    public var eigenReduction: EigenReduction = .automatic

    public init(model: NetworkModel, n: Int = 3000, seed: UInt64 = 0, input: InputSpec = .fromModel,
                ckLayers: [Int]? = nil, ntk: Bool = true, surrogate: Bool = false, outputs: Int = 1,
                precision: Precision = .float32, threads: Int? = nil, flopsPerBlock: Double = 2.4e10) {
        self.model = model; self.n = n; self.seed = seed; self.input = input
        self.ckLayers = ckLayers; self.ntk = ntk; self.surrogate = surrogate; self.outputs = outputs
        self.precision = precision; self.threads = threads; self.flopsPerBlock = flopsPerBlock
        self.weights = nil
    }

    /// A request for exactly these limit kernels: `.ck(ℓ)` selects CK layers, `.ntk` the exact NTK.
    public init(model: NetworkModel, n: Int, seed: UInt64 = 0, kernels: [KernelID], surrogate: Bool = false,
                precision: Precision = .float32, threads: Int? = nil) {
        var layers: [Int] = []
        var ntk = false
        for k in kernels {
            switch k {
            case .ck(let l): layers.append(l)
            case .ntk: ntk = true
            default: break
            }
        }
        self.init(model: model, n: n, seed: seed, ckLayers: layers, ntk: ntk, surrogate: surrogate,
                  precision: precision, threads: threads)
    }

    public var depth: Int { model.depth }
    /// τ_1 … τ_{L+1} (all 1 unless the model sets them).
    public var tau: [Double] { model.tau ?? Array(repeating: 1, count: model.depth + 1) }
    public var resolvedThreads: Int { max(1, threads ?? BLASThreads.defaultCount) }

    /// The kernels this request produces, in the order they are streamed.
    public var kernels: [SampledKernel] {
        var k = (ckLayers ?? Array(0...depth)).sorted().map { SampledKernel.ck($0) }
        if surrogate { k.append(.ntkSurrogate) }
        if ntk { k.append(.ntk) }
        return k
    }

    /// The concrete input design for this n.
    public func resolvedInput() throws(SamplingError) -> InputSpec {
        switch input {
        case .fromModel:
            switch model.input {
            case .marcenkoPastur(let g0):
                guard g0 > 0, g0.isFinite else { throw .invalidRequest("gamma0 must be > 0 (got \(g0))") }
                return .gaussian(d0: max(1, Int((Double(n) / g0).rounded())))
            case .orthonormal: return .orthonormal(d0: nil)
            case .discrete(let e): return .spectrum(e.quantiles(n))
            }
        default: return input
        }
    }

    /// Sample count: the data file's rows for `.data`, else `n`.
    public var sampleCount: Int { if case .data(let d) = input { return d.samples }; return n }

    /// d₀, d₁, …, d_L.
    public func widths() throws(SamplingError) -> [Int] {
        let n = sampleCount
        let d0: Int
        switch try resolvedInput() {
        case .gaussian(let d), .sphere(let d), .powerLaw(let d, _): d0 = d
        case .orthonormal(let d): d0 = d ?? n
        case .spectrum: d0 = n
        case .data(let m): d0 = m.features
        case .fromModel: d0 = n
        }
        return [d0] + model.gammas.map { max(1, Int((Double(n) / $0).rounded())) }
    }

    /// Checks everything that can be checked before any allocation.
    public func validate() throws(SamplingError) {
        do { try model.validate() } catch { throw .invalidRequest(error.description) }
        let n = sampleCount
        guard n >= 2 else { throw .invalidRequest("--n must be at least 2 (got \(n))") }
        guard n <= 200_000 else { throw .invalidRequest("--n \(n) is too large (an n×n matrix would not fit)") }
        if let t = threads, t < 1 { throw .invalidRequest("--threads must be at least 1 (got \(t))") }
        guard outputs >= 1, outputs <= 64 else { throw .invalidRequest("--outputs must be between 1 and 64 (got \(outputs))") }
        if let ls = ckLayers {
            for l in ls where l < 0 || l > depth {
                throw .invalidRequest("--layer \(l): must be between 0 and the depth \(depth)")
            }
        }
        if (ntk || surrogate) == false && (ckLayers?.isEmpty ?? false) {
            throw .invalidRequest("nothing to compute: no CK layer and no NTK requested")
        }
        let w = try widths()
        for (i, d) in w.enumerated() where d > 200_000 {
            throw .invalidRequest("width d_\(i) = \(d) is too large (n/γ with a tiny γ?)")
        }
        guard topVectors >= 0, topVectors <= 10_000 else {
            throw .invalidRequest("number of top eigenvectors must be between 0 and 10000 (got \(topVectors))")
        }
        if let weights {
            guard weights.isConsistent, weights.widths == w, weights.outputs == outputs else {
                throw .invalidRequest("explicit weights of widths \(weights.widths) and \(weights.outputs) output(s) do not fit "
                                      + "the request (widths \(w), \(outputs) output(s))")
            }
        }
        switch try resolvedInput() {
        case .orthonormal(let d):
            if let d, d < n { throw .invalidRequest("orthonormal inputs need d0 ≥ n (got d0 = \(d), n = \(n))") }
        case .powerLaw(_, let a):
            guard a >= 0, a.isFinite else { throw .invalidRequest("power-law exponent must be ≥ 0 (got \(a))") }
        case .spectrum(let e):
            guard !e.isEmpty, e.allSatisfy({ $0 >= 0 && $0.isFinite }), e.contains(where: { $0 > 0 }) else {
                throw .invalidRequest("input spectrum must be non-empty, finite, ≥ 0 and not all 0")
            }
        default: break
        }
    }
}

/// Stages reported in progress events and timings.
public enum SamplingStage: String, Sendable, CaseIterable {
    case input, forward, grams, ntk, eigenvalues, done
}

public struct SamplingProgress: Sendable, Equatable {
    public var stage: SamplingStage
    /// The layer being worked on, when the stage has one.
    public var layer: Int?
    /// Overall fraction of the estimated work done, 0…1.
    public var fraction: Double
    /// Estimated time to completion, in seconds, from the rate so far (nil until 1 % is done).
    public var secondsRemaining: Double? = nil

    /// "45 s", "12 min", "1 h 05 min".
    public static func formatDuration(_ seconds: Double) -> String {
        let s = max(0, Int(seconds.rounded()))
        if s < 90 { return "\(s) s" }
        if s < 5400 { return "\((s + 30) / 60) min" }
        let m = (s + 30) / 60
        return String(format: "%d h %02d min", m / 60, m % 60)
    }
}

/// The spectrum of one sampled kernel (eigenvalues ascending).
public struct SampledSpectrum: Sendable {
    public let kernel: SampledKernel
    public let eigenvalues: [Double]
    public let precision: Precision
    /// The largest eigenpairs, when the request asked for them (`topVectors`).
    public var top: TopEigenpairs? = nil
    /// The eigenvalues checked against two invariants of the matrix they come from (nil when not checked).
    public var invariants: SpectrumInvariants? = nil

    public init(kernel: SampledKernel, eigenvalues: [Double], precision: Precision, top: TopEigenpairs? = nil,
                invariants: SpectrumInvariants? = nil) {
        self.kernel = kernel; self.eigenvalues = eigenvalues; self.precision = precision; self.top = top
        self.invariants = invariants
    }
}

/// The eigenvalues λ of a sampled kernel K against two invariants of K itself, both summed in double
/// precision from K's stored entries before the eigen solve: Σλ = tr K and Σλ² = ‖K‖_F². They bound
/// what the eigen solver's rounding did in aggregate (in float32, u = 6·10⁻⁸), independently of the
/// solver; they do not see the rounding of the products that formed K (docs/empirical.md, *Precision*).
public struct SpectrumInvariants: Sendable, Equatable {
    /// |Σλ − tr K| / (n · max|λ|): the mean eigenvalue shift, in units of the largest eigenvalue.
    public var traceResidual: Double
    /// |√(Σλ²) − ‖K‖_F| / ‖K‖_F.
    public var frobeniusResidual: Double

    public init(traceResidual: Double, frobeniusResidual: Double) {
        self.traceResidual = traceResidual; self.frobeniusResidual = frobeniusResidual
    }

    /// The residuals of `eigenvalues` against the trace and the squared Frobenius norm of their matrix.
    public init(eigenvalues: [Double], trace: Double, frobeniusSquared: Double) {
        let n = Double(max(1, eigenvalues.count))
        let top = eigenvalues.map(abs).max() ?? 0
        let sum = eigenvalues.reduce(0, +), squares = eigenvalues.reduce(0) { $0 + $1 * $1 }
        let frob = frobeniusSquared.squareRoot()
        traceResidual = top > 0 ? abs(sum - trace) / (n * top) : abs(sum - trace)
        frobeniusResidual = frob > 0 ? abs(squares.squareRoot() - frob) / frob : squares.squareRoot()
    }

    /// The worst of each residual over `spectra` (nil when none was checked).
    public static func worst(_ spectra: [SampledSpectrum]) -> SpectrumInvariants? {
        let checked = spectra.compactMap(\.invariants)
        guard !checked.isEmpty else { return nil }
        return SpectrumInvariants(traceResidual: checked.map(\.traceResidual).max()!,
                                  frobeniusResidual: checked.map(\.frobeniusResidual).max()!)
    }

    /// One line for the user: "eigenvalues (float32) checked against tr K and ‖K‖_F: …".
    public static func statement(_ spectra: [SampledSpectrum], precision: Precision) -> String? {
        guard let w = worst(spectra) else { return nil }
        return String(format: "eigenvalues (%@) against tr K and ||K||_F of their own matrices: mean shift <= %.1e of lambda_max, "
                      + "||lambda||_2 within %.1e of ||K||_F (worst of %d kernels)",
                      precision.rawValue, w.traceResidual, w.frobeniusResidual, spectra.filter { $0.invariants != nil }.count)
            + (precision == .float32 ? "; the products' float32 rounding adds about 1e-6 to 1e-5 of lambda_max (measured against float64 at n = 1000)" : "")
    }
}

public struct StageTimings: Sendable, Equatable {
    public var input = 0.0, forward = 0.0, grams = 0.0, ntk = 0.0, eigenvalues = 0.0, total = 0.0
    /// The top-k eigenpairs (`xSYEVR`), when asked for; not part of `eigenvalues`.
    public var eigenvectors = 0.0
    public init() {}
}

public struct SamplingPlan: Sendable {
    public let n: Int
    public let widths: [Int]
    public let threads: Int
    public let precision: Precision
    public let estimatedBytes: Int
    public let availableBytes: Int?
    public let kernels: [SampledKernel]
    /// How the run holds its intermediate matrices (the fastest layout that fits; `SamplingRequest.memoryPlan`).
    public var layout: StorageLayout = .fastest
    /// Where the estimated peak occurs and what is resident then (`MemoryEstimate.breakdown`).
    public var peakBreakdown: String = ""
}

public struct SamplingSummary: Sendable {
    public let plan: SamplingPlan
    public let timings: StageTimings
    /// Peak resident set size of the process (VmHWM) when the run finished.
    public let peakResidentBytes: Int?
}

public enum SamplingEvent: Sendable {
    case started(SamplingPlan)
    case progress(SamplingProgress)
    case spectrum(SampledSpectrum)
    case finished(SamplingSummary)
}
