import CLinearAlgebra
import Foundation
import LimitLaws
import Synchronization

/// A cancellation flag shared between the requester and the worker; the worker checks it
/// between BLAS calls (every block of at most `SamplingRequest.flopsPerBlock` flops).
public final class CancellationToken: Sendable {
    private let flag = Atomic<Bool>(false)
    /// Number of BLAS blocks started (lets tests check that work really stops).
    private let blocks = Atomic<Int>(0)
    public init() {}
    public func cancel() { flag.store(true, ordering: .releasing) }
    public var isCancelled: Bool { flag.load(ordering: .acquiring) }
    public var blocksStarted: Int { blocks.load(ordering: .relaxed) }
    func check() throws(SamplingError) {
        if isCancelled { throw .cancelled }
        blocks.add(1, ordering: .relaxed)
    }
}

private let runLock = NSLock()

/// One BLAS user at a time per process: the OpenBLAS thread count is process-wide, and a run whose
/// thread count changes under it loses bitwise reproducibility. Sampling runs hold this for their
/// whole run; training holds it for each epoch's steps (so other runs can interleave between epochs).
public enum BLASExclusive {
    /// Runs `body` while no other sampling or training work uses BLAS, with `threads` BLAS threads.
    public static func run<R, E: Error>(threads: Int, _ body: () throws(E) -> R) throws(E) -> R {
        runLock.lock()
        defer { runLock.unlock() }
        BLASThreads.set(threads)
        return try body()
    }
}

/// Synchronous sampler: runs a `SamplingRequest` on the calling thread and reports events through
/// `emit`. Use `SamplingService` (or `SamplingJob`) to run it in the background.

public enum NetworkSampler {
    /// A run is refused before allocating when its estimated peak memory exceeds this share of MemAvailable.
    public static let memoryShare = 0.9

    /// Runs the request; throws `SamplingError.cancelled` when `token` is cancelled.
    public static func run(_ request: SamplingRequest, token: CancellationToken = CancellationToken(),
                           emit: (SamplingEvent) -> Void) throws(SamplingError) {
        try request.validate()
        let available = MemoryInfo.available()
        let (layout, estimate) = try request.memoryPlan(available: available)
        if let available, Double(estimate.bytes) > memoryShare * Double(available) {
            throw .insufficientMemory(needed: estimate.bytes, available: available,
                                      hint: "Its leanest plan (\(layout)) peaks in the \(estimate.breakdown). "
                                        + (request.precision == .float64
                                           ? "Use float32, a smaller --n or larger gammas."
                                           : "Use a smaller --n or larger gammas (narrower layers)."))
        }
        var plan = SamplingPlan(n: request.sampleCount, widths: try request.widths(), threads: request.resolvedThreads,
                                precision: request.precision, estimatedBytes: estimate.bytes, availableBytes: available,
                                kernels: request.kernels)
        plan.layout = layout
        plan.peakBreakdown = estimate.breakdown
        emit(.started(plan))
        // One run at a time per process: runs never share (and oversubscribe) the BLAS threads, and
        // the thread count of a run stays fixed, which keeps equal seeds bitwise reproducible.
        runLock.lock()
        defer { runLock.unlock() }
        try withoutActuallyEscaping(emit) { (e) throws(SamplingError) in
            switch request.precision {
            case .float32: try Pipeline<Float>(request, plan: plan, token: token, emit: e).run()
            case .float64: try Pipeline<Double>(request, plan: plan, token: token, emit: e).run()
            }
        }
    }

    /// Test hook: runs the request in float64 and returns every kernel matrix (full, column-major n×n)
    /// as it is handed to the eigen solver.
    static func kernelMatrices(_ request: SamplingRequest, layout: StorageLayout = .fastest) throws(SamplingError) -> [SampledKernel: [Double]] {
        var req = request
        req.precision = .float64
        try req.validate()
        var plan = SamplingPlan(n: req.sampleCount, widths: try req.widths(), threads: req.resolvedThreads,
                                precision: .float64, estimatedBytes: 0, availableBytes: nil, kernels: req.kernels)
        plan.layout = layout
        var out: [SampledKernel: [Double]] = [:]
        let p = Pipeline<Double>(req, plan: plan, token: CancellationToken(), emit: { _ in })
        p.matrixSink = { kernel, m in
            let n = m.rows
            var full = [Double](repeating: 0, count: n * n)
            for j in 0..<n { for i in 0...j { full[i + j * n] = m[i, j]; full[j + i * n] = m[i, j] } }
            out[kernel] = full
        }
        runLock.lock()
        defer { runLock.unlock() }
        try p.run()
        return out
    }

    /// Convenience: runs the request and collects every spectrum (ordered as `request.kernels`).
    public static func spectra(_ request: SamplingRequest, token: CancellationToken = CancellationToken())
        throws(SamplingError) -> [SampledSpectrum] {
        var out: [SampledSpectrum] = []
        try run(request, token: token) { if case .spectrum(let s) = $0 { out.append(s) } }
        return out.sorted { $0.kernel < $1.kernel }
    }
}

/// The lean float32/float64 pipeline (see docs/empirical.md and docs/performance.md): forward pass in row
/// blocks of regenerated weights, pre-activations H_ℓ kept for the NTK, n×n Grams kept or recomputed, the
/// backward pass regenerating each weight matrix from its seed, the NTK assembled from its closed form.
final class Pipeline<T: BLASScalar> {
    let req: SamplingRequest
    let plan: SamplingPlan
    let token: CancellationToken
    let emit: (SamplingEvent) -> Void
    let n: Int
    let widths: [Int]
    let threads: Int
    let act: ActivationKernel
    let L: Int
    let wantCK: Set<Int>
    var timings = StageTimings()
    var done = 0.0
    let totalWork: Double
    var lastProgress = 0.0
    var lastStage = SamplingStage.done
    var lastLayer: Int? = -1
    let start = Date()
    /// Test hook: sees every kernel matrix (upper triangle valid) just before its eigen solve.
    var matrixSink: ((SampledKernel, Matrix<T>) -> Void)?

    // The run's matrices (see `run`).
    /// X₀, while a later stage needs it.
    var x0: Matrix<T>?
    /// H_ℓ = W_ℓ X_{ℓ−1} (ℓ = 1…L), kept for the NTK; the backward pass turns H_ℓ into S_ℓ in place.
    var pre: [Matrix<T>?]
    /// G_0 … G_{L−1}, when the layout keeps them.
    var grams: [Matrix<T>?]
    /// Σ_ℓ c_ℓ G_ℓ of Lemma 3.5's surrogate, accumulated as the Grams appear.
    var surrogateSum: Matrix<T>?
    /// The NTK accumulator (nk × nk, upper triangle).
    var ntkMatrix: Matrix<T>?

    init(_ req: SamplingRequest, plan: SamplingPlan, token: CancellationToken, emit: @escaping (SamplingEvent) -> Void) {
        self.req = req; self.plan = plan; self.token = token; self.emit = emit
        n = plan.n; widths = plan.widths; threads = plan.threads
        act = ActivationKernel(req.model.activation); L = req.depth
        wantCK = Set(req.kernels.compactMap { $0.layer })
        pre = Array(repeating: nil, count: L + 1)
        grams = Array(repeating: nil, count: L + 1)
        // Work model (flop-equivalents) for the progress fraction and the time estimate.
        let nd = Double(n), nk = Double(n * req.outputs)
        let chunks = req.ntk ? Double(plan.layout.chunks) : 1
        let recompute = req.ntk && !plan.layout.keepGrams
        var w = 0.0
        for l in 1...L {
            let weights = 30 * Double(widths[l] * widths[l - 1]) * (l == 1 ? 1 : chunks)
            w += 2 * Double(widths[l] * widths[l - 1]) * nd + weights
        }
        for l in 0...L where req.ntk || req.surrogate || wantCK.contains(l) { w += nd * nd * Double(widths[l]) }
        if req.ntk {
            for l in 2...max(2, L) where l <= L { w += 2 * Double(widths[l] * widths[l - 1]) * nk + 30 * Double(widths[l] * widths[l - 1]) * chunks }
            for l in 1...L { w += nk * nk * Double(widths[l]) + (recompute ? nd * nd * Double(widths[l - 1]) : 0) }
        }
        w += Double(req.kernels.count) * 6 * nd * nd * nd
        if req.topVectors > 0 { w += Double(req.kernels.count) * 2 * nd * nd * nd }
        totalWork = max(1, w)
    }

    // MARK: helpers

    func progress(_ stage: SamplingStage, layer: Int?, work: Double) {
        done += work
        let now = Date().timeIntervalSince(start)
        // At most ~20 events per second, plus one at every change of stage or layer.
        if now - lastProgress >= 0.05 || stage != lastStage || layer != lastLayer {
            lastProgress = now; lastStage = stage; lastLayer = layer
            let f = min(1, done / totalWork)
            let remaining: Double? = f >= 0.01 && stage != .done ? now * (1 - f) / f : (stage == .done ? 0 : nil)
            emit(.progress(SamplingProgress(stage: stage, layer: layer, fraction: f, secondsRemaining: remaining)))
        }
    }

    func timed<R>(_ keyPath: WritableKeyPath<StageTimings, Double>, _ body: () throws(SamplingError) -> R) throws(SamplingError) -> R {
        let t0 = Date()
        defer { timings[keyPath: keyPath] += Date().timeIntervalSince(t0) }
        return try body()
    }

    /// Fills `wt` (k × b, column j = row r0+j of W_ℓ) from the per-row streams.
    func generateWeightRows(layer: Int, r0: Int, b: Int, k: Int, into wt: UnsafeMutablePointer<T>) {
        if let weights = req.weights {
            weights.copyRows(layer: layer, r0: r0, b: b, into: wt)
            return
        }
        let seed = req.seed
        parallelChunks(b, threads: b * k >= 1 << 16 ? threads : 1) { range in
            for j in range {
                var g = RandomStreams.generator(seed: seed, purpose: .weightRow, index: UInt64(layer) << 32 | UInt64(r0 + j))
                T.fillNormal(&g, UnsafeMutableBufferPointer(start: wt + j * k, count: k), scale: 1)
            }
        }
    }

    /// G (upper) = α XᵀX for X (k×m, leading dimension `lda`), blocked over the inner dimension.
    func gram(_ x: UnsafePointer<T>, rows k: Int, cols m: Int, lda: Int, into g: Matrix<T>, alpha: T = 1,
              stage: SamplingStage, layer: Int) throws(SamplingError) {
        precondition(g.rows == m && g.cols == m)
        let chunk = req.gramChunkRows(m: m, k: k)
        var r0 = 0
        while r0 < k {
            try token.check()
            let c = min(chunk, k - r0)
            T.syrkTrans(n: m, k: c, alpha: alpha, a: x + r0, lda: lda, beta: r0 == 0 ? 0 : 1, c: g.data, ldc: m)
            r0 += c
            progress(stage, layer: layer, work: Double(m) * Double(m) * Double(c))
        }
    }

    func gram(_ x: Matrix<T>, into g: Matrix<T>, stage: SamplingStage, layer: Int) throws(SamplingError) {
        try gram(x.data, rows: x.rows, cols: x.cols, lda: x.rows, into: g, stage: stage, layer: layer)
    }

    /// G_ℓ (upper) = X_ℓᵀX_ℓ from the stored pre-activations H_ℓ (d × n), X_ℓ = σ(H_ℓ)/√d formed a block of
    /// rows at a time (the same rows per SYRK call as `gram` on a stored X_ℓ).
    func gramFromPreactivations(_ h: Matrix<T>, into g: Matrix<T>, stage: SamplingStage, layer: Int) throws(SamplingError) {
        let d = h.rows, m = h.cols
        let chunk = req.gramChunkRows(m: m, k: d)
        let rows = Matrix<T>(rows: min(chunk, d), cols: m)
        let xs = 1 / Double(d).squareRoot(), act = self.act
        var r0 = 0
        while r0 < d {
            try token.check()
            let c = min(chunk, d - r0)
            parallelChunks(m, threads: c * m >= 1 << 16 ? threads : 1) { cols in
                for a in cols { act.values(h.data + r0 + a * d, into: rows.data + a * c, count: c, xScale: xs) }
            }
            T.syrkTrans(n: m, k: c, alpha: 1, a: rows.data, lda: c, beta: r0 == 0 ? 0 : 1, c: g.data, ldc: m)
            r0 += c
            progress(stage, layer: layer, work: Double(m) * Double(m) * Double(c))
        }
    }

    func eigenvalues(_ m: Matrix<T>, kernel: SampledKernel) throws(SamplingError) {
        try token.check()
        matrixSink?(kernel, m)
        let size = Double(m.rows)
        let work = 6 * size * size * size
        var reported = 0.0
        var top: TopEigenpairs?
        if req.topVectors > 0 {
            let copy = Matrix<T>(rows: m.rows, cols: m.cols)
            copyUpper(m, into: copy)
            try token.check()
            top = try timed(\.eigenvectors) { () throws(SamplingError) -> TopEigenpairs in
                do { return try SymmetricEigen.top(copy, k: req.topVectors) } catch { throw .numerical("top eigenvectors of \(kernel): \(error)") }
            }
            progress(.eigenvalues, layer: kernel.layer, work: 2 * size * size * size)
        }
        let (trace, frobeniusSquared) = upperTraceAndFrobenius(m)
        let values = try timed(\.eigenvalues) { () throws(SamplingError) -> [Double] in
            try InterruptibleEigen.eigenvalues(m, reduction: req.eigenReduction, check: { () throws(SamplingError) in try token.check() },
                                               progress: { f in
                                                   progress(.eigenvalues, layer: kernel.layer, work: (f - reported) * work)
                                                   reported = f
                                               })
        }
        progress(.eigenvalues, layer: kernel.layer, work: (1 - reported) * work)
        emit(.spectrum(SampledSpectrum(kernel: kernel, eigenvalues: values, precision: req.precision, top: top,
                                       invariants: SpectrumInvariants(eigenvalues: values, trace: trace, frobeniusSquared: frobeniusSquared))))
    }

    /// tr K and ‖K‖_F² of the symmetric matrix stored in the upper triangle of `m`, summed in double precision.
    func upperTraceAndFrobenius(_ m: Matrix<T>) -> (Double, Double) {
        let n = m.rows
        var trace = 0.0, diagonal = 0.0, offDiagonal = 0.0
        for j in 0..<n {
            let col = m.data + j * n
            var column = 0.0
            for i in 0..<j { let v = Double(col[i]); column += v * v }
            offDiagonal += column
            let d = Double(col[j])
            trace += d; diagonal += d * d
        }
        return (trace, diagonal + 2 * offDiagonal)
    }

    /// dst (upper) = scale · src (upper), or dst += scale · src with `add`.
    func copyUpper(_ src: Matrix<T>, into dst: Matrix<T>, scale: T = 1, add: Bool = false) {
        let m = src.rows
        parallelChunks(m, threads: threads) { cols in
            for j in cols {
                let s = src.data + j * m, d = dst.data + j * m
                if add { for i in 0...j { d[i] += scale * s[i] } } else { for i in 0...j { d[i] = scale * s[i] } }
            }
        }
    }

    // MARK: inputs

    func makeInput() throws(SamplingError) -> Matrix<T> {
        let spec = try req.resolvedInput()
        let d0 = widths[0]
        let x = Matrix<T>(rows: d0, cols: n)
        let seed = req.seed
        switch spec {
        case .gaussian, .powerLaw:
            var sd: [Double] = []
            if case .powerLaw(_, let a) = spec {
                let raw = (1...d0).map { pow(Double($0), -a) }
                let s = raw.reduce(0, +)
                sd = raw.map { ($0 / s).squareRoot() }
            }
            let scale = 1 / Double(d0).squareRoot()
            parallelChunks(n, threads: threads) { cols in
                for a in cols {
                    var g = RandomStreams.generator(seed: seed, purpose: .inputColumn, index: UInt64(a))
                    let col = x.data + a * d0
                    T.fillNormal(&g, UnsafeMutableBufferPointer(start: col, count: d0), scale: sd.isEmpty ? scale : 1)
                    if !sd.isEmpty { for k in 0..<d0 { col[k] = T(Double(col[k]) * sd[k]) } }
                }
            }
        case .sphere:
            let m = InputDesign.columns(.sphere, seed: seed, count: n, d0: d0, threads: threads)
            for k in 0..<(d0 * n) { x.data[k] = T(m.values[k]) }
        case .orthonormal:
            let q = try Self.haarColumns(rows: d0, cols: n, seed: seed)
            for k in 0..<(d0 * n) { x.data[k] = T(q[k]) }
        case .spectrum(let eigs):
            // X₀ = Λ^{1/2} Qᵀ: row i of X₀ is √λ_i times column i of Q.
            let lam = Self.quantileResample(eigs, n)
            let q = try Self.haarColumns(rows: n, cols: n, seed: seed)
            for i in 0..<n { let r = lam[i].squareRoot(); for a in 0..<n { x.data[i + a * n] = T(r * q[a + i * n]) } }
        case .data(let m):
            for k in 0..<(d0 * n) { x.data[k] = T(m.values[k]) }
        case .fromModel: break
        }
        return x
    }

    /// Q factor (rows × cols, rows ≥ cols) of a Gaussian matrix: Haar-distributed orthonormal columns.
    static func haarColumns(rows: Int, cols: Int, seed: UInt64) throws(SamplingError) -> [Double] {
        var a = [Double](repeating: 0, count: rows * cols)
        var tau = [Double](repeating: 0, count: cols)
        a.withUnsafeMutableBufferPointer { ap in
            for j in 0..<cols {
                var g = RandomStreams.generator(seed: seed, purpose: .inputRotation, index: UInt64(j))
                g.fillNormal(UnsafeMutableBufferPointer(rebasing: ap[(j * rows)..<((j + 1) * rows)]))
            }
        }
        var diag = [Double](repeating: 1, count: cols)
        let info = a.withUnsafeMutableBufferPointer { ap in
            tau.withUnsafeMutableBufferPointer { tp -> Int32 in
                let i1 = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, Int32(rows), Int32(cols), ap.baseAddress, Int32(rows), tp.baseAddress)
                if i1 != 0 { return i1 }
                for j in 0..<cols { diag[j] = ap[j + j * rows] < 0 ? -1 : 1 }
                return LAPACKE_dorgqr(LAPACK_COL_MAJOR, Int32(rows), Int32(cols), Int32(cols), ap.baseAddress, Int32(rows), tp.baseAddress)
            }
        }
        guard info == 0 else { throw .numerical("QR of the input design failed (info \(info))") }
        // Sign fix (Mezzadri 2007) makes Q exactly Haar.
        for j in 0..<cols where diag[j] < 0 { for i in 0..<rows { a[i + j * rows] = -a[i + j * rows] } }
        return a
    }

    /// n quantiles of the given values (midpoint rule), rescaled to mean 1.
    static func quantileResample(_ values: [Double], _ n: Int) -> [Double] {
        let s = values.sorted()
        var out = (0..<n).map { i -> Double in
            let p = (Double(i) + 0.5) / Double(n) * Double(s.count) - 0.5
            let lo = max(0, min(s.count - 1, Int(p.rounded(.down))))
            let hi = min(s.count - 1, lo + 1)
            let t = max(0, min(1, p - Double(lo)))
            return s[lo] * (1 - t) + s[hi] * t
        }
        let mean = out.reduce(0, +) / Double(n)
        if mean > 0 { out = out.map { $0 / mean } }
        return out
    }
}
