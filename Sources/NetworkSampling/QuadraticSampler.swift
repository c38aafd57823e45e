import Foundation
import LimitLaws
import QuadraticScaling

/// Inputs of a quadratic-scaling sample: rows x_i ∈ ℝ^d with entries of variance 1.
public enum QuadraticInput: Sendable, Equatable {
    case gaussian
    case rademacher
    /// A data matrix (samples × features, d = features): each feature centred, each sample scaled to
    /// norm √d. n is then the file's sample count.
    case data(DataMatrix)

    public var name: String {
        switch self { case .gaussian: return "gaussian"; case .rademacher: return "rademacher"; case .data: return "data" }
    }
}

/// One sampled two-layer NTK = (1/d) X Xᵀ ⊙ (1/p) φ(XW/√d) D² φ(XW/√d)ᵀ with p = round(γ₂ d) and
/// n = round(γ₁ d p) (or the data file's sample count).
public struct QuadraticSamplingRequest: Sendable {
    public var settings: QuadraticSettings
    /// Input dimension d.
    public var d: Int
    public var seed: UInt64
    public var input: QuadraticInput
    public var precision: Precision
    /// BLAS threads; nil = `BLASThreads.defaultCount`.
    public var threads: Int?

    public init(settings: QuadraticSettings, d: Int, seed: UInt64 = 0, input: QuadraticInput = .gaussian,
                precision: Precision = .float32, threads: Int? = nil) {
        self.settings = settings; self.d = d; self.seed = seed; self.input = input
        self.precision = precision; self.threads = threads
    }

    public var dimension: Int { if case .data(let m) = input { return m.features }; return d }
    public var width: Int { max(1, Int((settings.gamma2 * Double(dimension)).rounded())) }
    public var sampleCount: Int {
        if case .data(let m) = input { return m.samples }
        return max(1, Int((settings.gamma1 * Double(dimension) * Double(width)).rounded()))
    }
    /// The ratios the sample realises (after rounding): γ₁ = n/(dp), γ₂ = p/d.
    public var realisedSettings: QuadraticSettings {
        var s = settings
        s.gamma1 = Double(sampleCount) / (Double(dimension) * Double(width))
        s.gamma2 = Double(width) / Double(dimension)
        return s
    }

    public static let maxSamples = 40_000

    /// Estimated peak memory in bytes: X, Z = WᵀX, two n×n Grams and the eigen solver's scratch.
    public var estimatedPeakBytes: Int {
        let s = precision == .float32 ? 4.0 : 8.0
        let n = Double(sampleCount), d = Double(dimension), p = Double(width)
        return Int((d * n + p * n + d * p) * s + 3 * n * n * s + d * n * 8) + 48 << 20
    }

    public func validate() throws(SamplingError) {
        do { try settings.validate() } catch { throw .invalidRequest(error.description) }
        guard dimension >= 2, dimension <= 20_000 else { throw .invalidRequest("--d must be between 2 and 20000 (got \(dimension))") }
        guard sampleCount >= 2 else { throw .invalidRequest("n = γ₁·d·p = \(sampleCount) is too small") }
        guard sampleCount <= Self.maxSamples else {
            throw .invalidRequest("n = γ₁·d·p = \(sampleCount) exceeds \(Self.maxSamples) (an n×n matrix); use a smaller --d")
        }
        if let t = threads, t < 1 { throw .invalidRequest("--threads must be at least 1 (got \(t))") }
    }
}

/// A sampled spectrum split into the bulk and the outliers the limit law does not describe.
public struct QuadraticSample: Sendable {
    public let request: QuadraticSamplingRequest
    public let n: Int, d: Int, p: Int
    /// All eigenvalues, ascending.
    public let eigenvalues: [Double]
    /// The top `outlierCount` eigenvalues: d near c₀² E[D²] γ₁ p when c₀ ≠ 0, one more when c₁ ≠ 0.
    public let outliers: [Double]
    public var bulk: [Double] { Array(eigenvalues.dropLast(outliers.count)) }
    /// c₀² E[D²] γ₁ p (0 when c₀ = 0).
    public let predictedOutlierLocation: Double
    public let seconds: Double
    /// The output weights D_1 … D_p drawn.
    public let outputWeights: [Double]

    /// The settings whose limit law this sample is compared with: the realised ratios, and the
    /// empirical law of the D drawn when that is cheap to solve — ν with at most 8 atoms, or c₁ = 0
    /// (H is then the atoms a²D_j²). For p = 40 a two-point ν's frequencies fluctuate by ±8%, and a
    /// continuous ν's empirical law is 1/√p away from it: both move the law more than the finite-d
    /// effect being measured, and the limit is the same. D² matters only, so D = ±1 gives the
    /// population law itself. Otherwise (c₁ ≠ 0, ν continuous or with many atoms) the population ν.
    public var lawSettings: QuadraticSettings {
        var s = request.realisedSettings
        let atoms = s.outputLaw.squareAtoms
        let few = atoms.map { $0.count > 1 && $0.count <= 8 } ?? false
        if few || (s.activation.c1 == 0 && s.outputLaw.constantSquare == nil) {
            s.outputLaw = .discrete(values: outputWeights, label: "the \(outputWeights.count) weights drawn from \(s.outputLaw)")
        }
        return s
    }
}

public enum QuadraticSampler {
    /// Samples the NTK and its eigenvalues on the calling thread. `progress` gets 0…1; cancelling
    /// `token` stops the run between BLAS calls and eigen-solver panels (`SamplingError.cancelled`).
    public static func run(_ request: QuadraticSamplingRequest, token: CancellationToken = CancellationToken(),
                           progress: (Double) -> Void = { _ in }) throws(SamplingError) -> QuadraticSample {
        try request.validate()
        let estimate = request.estimatedPeakBytes
        if let available = MemoryInfo.available(), Double(estimate) > 0.9 * Double(available) {
            throw .insufficientMemory(needed: estimate, available: available, hint: "Use a smaller --d.")
        }
        let t0 = Date()
        BLASThreads.set(request.threads ?? BLASThreads.defaultCount)
        let values: [Double]
        let weights = outputWeights(request)
        switch request.precision {
        case .float32: values = try eigenvalues(Float.self, request, weights: weights, token: token, progress: progress)
        case .float64: values = try eigenvalues(Double.self, request, weights: weights, token: token, progress: progress)
        }
        let s = request.realisedSettings
        let a = s.activation
        let count = min(values.count - 1, (a.c0 != 0 ? request.dimension : 0) + (a.c1 != 0 ? 1 : 0))
        let location = a.c0 * a.c0 * s.outputLaw.evenMoment(1) * s.gamma1 * Double(request.width)
        return QuadraticSample(request: request, n: request.sampleCount, d: request.dimension, p: request.width,
                               eigenvalues: values, outliers: Array(values.suffix(count)),
                               predictedOutlierLocation: location, seconds: Date().timeIntervalSince(t0),
                               outputWeights: weights)
    }

    /// D_1 … D_p from ν (their own seeded stream).
    static func outputWeights(_ r: QuadraticSamplingRequest) -> [Double] {
        var g = RandomStreams.generator(seed: r.seed, purpose: .outputWeights, index: 0)
        return (0..<r.width).map { _ in r.settings.outputLaw.sample(g.nextUniform()) }
    }

    static func eigenvalues<T: BLASScalar>(_: T.Type, _ r: QuadraticSamplingRequest, weights dValues: [Double], token: CancellationToken,
                                           progress: (Double) -> Void) throws(SamplingError) -> [Double] {
        let n = r.sampleCount, d = r.dimension, p = r.width
        let threads = r.threads ?? BLASThreads.defaultCount
        let phi = r.settings.activation
        try token.check()
        // X: d × n, one sample per column.
        let x = Matrix<T>(rows: d, cols: n)
        switch r.input {
        case .gaussian:
            parallelChunks(n, threads: threads) { cols in
                for i in cols {
                    var g = RandomStreams.generator(seed: r.seed, purpose: .inputColumn, index: UInt64(i))
                    T.fillNormal(&g, UnsafeMutableBufferPointer(start: x.column(i), count: d), scale: 1)
                }
            }
        case .rademacher:
            parallelChunks(n, threads: threads) { cols in
                for i in cols {
                    var g = RandomStreams.generator(seed: r.seed, purpose: .inputColumn, index: UInt64(i))
                    let col = x.column(i)
                    var bits: UInt64 = 0
                    for k in 0..<d {
                        if k % 64 == 0 { bits = g.next() }
                        col[k] = (bits >> UInt64(k % 64)) & 1 == 0 ? 1 : -1
                    }
                }
            }
        case .data(let m):
            // Centre each feature, then scale each sample to norm √d.
            var means = [Double](repeating: 0, count: d)
            for i in 0..<n { for k in 0..<d { means[k] += m.values[i * d + k] } }
            for k in 0..<d { means[k] /= Double(n) }
            for i in 0..<n {
                var norm = 0.0
                for k in 0..<d { let v = m.values[i * d + k] - means[k]; norm += v * v }
                let scale = norm > 0 ? (Double(d) / norm).squareRoot() : 0
                for k in 0..<d { x[k, i] = T((m.values[i * d + k] - means[k]) * scale) }
            }
        }
        // W: d × p iid N(0, 1), one column per hidden unit; D from ν.
        let w = Matrix<T>(rows: d, cols: p)
        for j in 0..<p {
            var g = RandomStreams.generator(seed: r.seed, purpose: .weightRow, index: UInt64(j))
            T.fillNormal(&g, UnsafeMutableBufferPointer(start: w.column(j), count: d), scale: 1)
        }
        progress(0.05)
        try token.check()
        // V = D φ(Wᵀ X / √d): p × n.
        let v = Matrix<T>(rows: p, cols: n)
        T.gemm(transA: true, transB: false, m: p, n: n, k: d, alpha: T(1 / Double(d).squareRoot()), a: w.data, lda: d,
               b: x.data, ldb: d, beta: 0, c: v.data, ldc: p)
        parallelChunks(n, threads: threads) { cols in
            for i in cols {
                let col = v.column(i)
                for j in 0..<p { col[j] = T(dValues[j] * phi.phi(Double(col[j]))) }
            }
        }
        progress(0.15)
        try token.check()
        // NTK = (XᵀX/d) ⊙ (VᵀV/p), upper triangles.
        let k = Matrix<T>(rows: n, cols: n)
        let g2 = Matrix<T>(rows: n, cols: n)
        T.syrkTrans(n: n, k: d, alpha: T(1 / Double(d)), a: x.data, lda: d, beta: 0, c: k.data, ldc: n)
        try token.check()
        T.syrkTrans(n: n, k: p, alpha: T(1 / Double(p)), a: v.data, lda: p, beta: 0, c: g2.data, ldc: n)
        parallelChunks(n, threads: threads) { cols in
            for j in cols { for i in 0...j { k.data[i + j * n] *= g2.data[i + j * n] } }
        }
        progress(0.3)
        return try InterruptibleEigen.eigenvalues(k, check: { () throws(SamplingError) in try token.check() },
                                                  progress: { f in progress(0.3 + 0.7 * f) })
    }

    /// KS, W1 and outliers of the sample's bulk against the limit law (solved for `sample.lawSettings`).
    public static func compare(_ sample: QuadraticSample, with law: QuadraticSpectra) -> SampleComparison {
        SpectrumStatistics.compare(sample.bulk, with: law.ntk, precision: sample.request.precision)
    }
}

extension QuadraticNTKLaw: LimitDistribution {}

/// A quadratic-scaling sample run in the background on its own thread (BLAS calls never block the
/// Swift concurrency pool); cancelling the task or calling `cancel()` stops it between BLAS calls.
public final class QuadraticSamplingJob: Sendable {
    public let request: QuadraticSamplingRequest
    public let token = CancellationToken()
    private let task: Task<Result<QuadraticSample, SamplingError>, Never>

    /// - Parameter progress: called from the worker thread with 0…1.
    public init(_ request: QuadraticSamplingRequest, progress: @escaping @Sendable (Double) -> Void = { _ in }) {
        self.request = request
        let token = self.token
        task = Task.detached(priority: .utility) {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (done: CheckedContinuation<Result<QuadraticSample, SamplingError>, Never>) in
                    let thread = Thread {
                        do throws(SamplingError) {
                            done.resume(returning: .success(try QuadraticSampler.run(request, token: token, progress: progress)))
                        } catch {
                            done.resume(returning: .failure(error))
                        }
                    }
                    thread.stackSize = 8 << 20
                    thread.name = "ntkscope.quadratic-sampling"
                    thread.start()
                }
            } onCancel: { token.cancel() }
        }
    }

    public func cancel() { token.cancel(); task.cancel() }

    /// The sample, or the run's error (`SamplingError.cancelled` when cancelled).
    public func result() async throws(SamplingError) -> QuadraticSample {
        switch await task.value {
        case .success(let s): return s
        case .failure(let e): throw e
        }
    }
}
