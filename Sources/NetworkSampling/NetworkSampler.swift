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
        let estimate = try request.estimatedPeakBytes()
        let available = MemoryInfo.available()
        if let available, Double(estimate) > memoryShare * Double(available) {
            throw .insufficientMemory(needed: estimate, available: available,
                                      hint: request.precision == .float64
                                        ? "Use float32, a smaller --n or larger gammas."
                                        : "Use a smaller --n or larger gammas (narrower layers).")
        }
        let plan = SamplingPlan(n: request.sampleCount, widths: try request.widths(), threads: request.resolvedThreads,
                                precision: request.precision, estimatedBytes: estimate, availableBytes: available,
                                kernels: request.kernels)
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
    static func kernelMatrices(_ request: SamplingRequest) throws(SamplingError) -> [SampledKernel: [Double]] {
        var req = request
        req.precision = .float64
        try req.validate()
        let plan = SamplingPlan(n: req.sampleCount, widths: try req.widths(), threads: req.resolvedThreads,
                                precision: .float64, estimatedBytes: 0, availableBytes: nil, kernels: req.kernels)
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

/// The lean float32/float64 pipeline (see docs/empirical.md):
/// forward pass in row blocks of regenerated weights, σ′ kept, n×n Grams kept, backward pass
/// regenerating each weight matrix from its seed, NTK assembled from its closed form.
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
    var timings = StageTimings()
    var done = 0.0
    let totalWork: Double
    var lastProgress = 0.0
    var lastStage = SamplingStage.done
    var lastLayer: Int? = -1
    let start = Date()
    /// Test hook: sees every kernel matrix (upper triangle valid) just before its eigen solve.
    var matrixSink: ((SampledKernel, Matrix<T>) -> Void)?

    init(_ req: SamplingRequest, plan: SamplingPlan, token: CancellationToken, emit: @escaping (SamplingEvent) -> Void) {
        self.req = req; self.plan = plan; self.token = token; self.emit = emit
        n = plan.n; widths = plan.widths; threads = plan.threads
        act = ActivationKernel(req.model.activation); L = req.depth
        // Work model (flop-equivalents) for the progress fraction.
        let nd = Double(n)
        var w = 0.0
        let wantCK = Set(req.kernels.compactMap { $0.layer })
        let keep = req.ntk || req.surrogate
        for l in 1...L { w += 2 * Double(widths[l] * widths[l - 1]) * nd + 30 * Double(widths[l] * widths[l - 1]) }
        for l in 0...L where keep || wantCK.contains(l) { w += nd * nd * Double(widths[l]) }
        if req.ntk {
            for l in 2...max(2, L) where l <= L { w += 2 * Double(widths[l] * widths[l - 1]) * nd + 30 * Double(widths[l] * widths[l - 1]) }
            for l in 1...L { w += nd * nd * Double(widths[l]) }
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
            emit(.progress(SamplingProgress(stage: stage, layer: layer, fraction: min(1, done / totalWork))))
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

    func rowBlock(k: Int) -> Int { max(64, min(16384, Int(req.flopsPerBlock / (2 * Double(k) * Double(n))))) }

    /// G (upper) = α XᵀX for X (k×m), blocked over the inner dimension.
    func gram(_ x: Matrix<T>, into g: Matrix<T>, alpha: T = 1, stage: SamplingStage, layer: Int) throws(SamplingError) {
        let k = x.rows, m = x.cols
        precondition(g.rows == m && g.cols == m)
        let chunk = max(32, min(k, Int(req.flopsPerBlock / (Double(m) * Double(m)))))
        var r0 = 0
        while r0 < k {
            try token.check()
            let c = min(chunk, k - r0)
            T.syrkTrans(n: m, k: c, alpha: alpha, a: x.data + r0, lda: k, beta: r0 == 0 ? 0 : 1, c: g.data, ldc: m)
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
            let rows = m.rows
            parallelChunks(rows, threads: threads) { cols in
                for j in cols { for i in 0...j { copy.data[i + j * rows] = m.data[i + j * rows] } }
            }
            try token.check()
            top = try timed(\.eigenvectors) { () throws(SamplingError) -> TopEigenpairs in
                do { return try SymmetricEigen.top(copy, k: req.topVectors) } catch { throw .numerical("top eigenvectors of \(kernel): \(error)") }
            }
            progress(.eigenvalues, layer: kernel.layer, work: 2 * size * size * size)
        }
        let values = try timed(\.eigenvalues) { () throws(SamplingError) -> [Double] in
            try InterruptibleEigen.eigenvalues(m, check: { () throws(SamplingError) in try token.check() },
                                               progress: { f in
                                                   progress(.eigenvalues, layer: kernel.layer, work: (f - reported) * work)
                                                   reported = f
                                               })
        }
        progress(.eigenvalues, layer: kernel.layer, work: (1 - reported) * work)
        emit(.spectrum(SampledSpectrum(kernel: kernel, eigenvalues: values, precision: req.precision, top: top)))
    }

    func copyUpper(_ src: Matrix<T>, into dst: Matrix<T>, scale: T = 1) {
        let n = self.n
        parallelChunks(n, threads: threads) { cols in
            for j in cols { for i in 0...j { dst.data[i + j * n] = scale * src.data[i + j * n] } }
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

    // MARK: the run

    func run() throws(SamplingError) {
        let t0 = Date()
        BLASThreads.set(threads)
        let wantCK = Set(req.kernels.compactMap { $0.layer })
        let keepGrams = req.ntk || req.surrogate
        var grams: [Matrix<T>?] = Array(repeating: nil, count: L + 1)
        var derivs: [Matrix<T>?] = Array(repeating: nil, count: L + 1)
        let scratch = Matrix<T>(rows: n, cols: n)

        try token.check()
        var xPrev = try timed(\.input) { () throws(SamplingError) -> Matrix<T> in try makeInput() }
        progress(.input, layer: 0, work: 0)

        // Layer 0 Gram.
        if keepGrams || wantCK.contains(0) {
            let g = Matrix<T>(rows: n, cols: n)
            try timed(\.grams) { () throws(SamplingError) in try gram(xPrev, into: g, stage: .grams, layer: 0) }
            if wantCK.contains(0) {
                copyUpper(g, into: scratch)
                try eigenvalues(scratch, kernel: .ck(0))
            }
            if keepGrams { grams[0] = g }
        }

        // Forward pass.
        for l in 1...L {
            let dl = widths[l], dp = widths[l - 1]
            let h = Matrix<T>(rows: dl, cols: n)
            try timed(\.forward) { () throws(SamplingError) in
                let b = min(dl, rowBlock(k: dp))
                let wt = Matrix<T>(rows: dp, cols: b)
                var r0 = 0
                while r0 < dl {
                    try token.check()
                    let bb = min(b, dl - r0)
                    generateWeightRows(layer: l, r0: r0, b: bb, k: dp, into: wt.data)
                    T.gemm(transA: true, transB: false, m: bb, n: n, k: dp, alpha: 1, a: wt.data, lda: dp,
                           b: xPrev.data, ldb: dp, beta: 0, c: h.data + r0, ldc: dl)
                    r0 += bb
                    progress(.forward, layer: l, work: (2 * Double(n) + 30) * Double(bb) * Double(dp))
                }
                try token.check()
                let d: Matrix<T>? = req.ntk ? Matrix<T>(rows: dl, cols: n) : nil
                let xs = 1 / Double(dl).squareRoot()
                let act = self.act
                parallelChunks(dl * n, threads: threads) { r in
                    act.apply(h.data, deriv: d?.data, range: r, xScale: xs, dScale: xs)
                }
                derivs[l] = d
            }
            xPrev = h   // X_ℓ (the previous X is released here)
            if keepGrams || wantCK.contains(l) {
                let g = Matrix<T>(rows: n, cols: n)
                try timed(\.grams) { () throws(SamplingError) in try gram(h, into: g, stage: .grams, layer: l) }
                if wantCK.contains(l) {
                    copyUpper(g, into: scratch)
                    try eigenvalues(scratch, kernel: .ck(l))
                }
                if keepGrams { grams[l] = g }
            }
        }
        _ = xPrev

        let tau = req.tau
        // Lemma 3.5 surrogate.
        if req.surrogate {
            let b2 = req.model.activation.b * req.model.activation.b, a = req.model.activation.a
            // r_ℓ = a^{L−ℓ}, q_ℓ = (b²)^{L−ℓ} for ℓ = 0…L−1, weighted by τ_{ℓ+1} (tau[ℓ]).
            var rPlus = 0.0
            for l in 0..<L { rPlus += tau[l] * (pow(a, Double(L - l)) - pow(b2, Double(L - l))) }
            copyUpper(grams[L]!, into: scratch, scale: T(tau[L]))
            for l in 0..<L {
                let c = T(tau[l] * pow(b2, Double(L - l)))
                let g = grams[l]!
                let n = self.n
                parallelChunks(n, threads: threads) { cols in
                    for j in cols { for i in 0...j { scratch.data[i + j * n] += c * g.data[i + j * n] } }
                }
            }
            for i in 0..<n { scratch.data[i + i * n] += T(rPlus) }
            try eigenvalues(scratch, kernel: .ntkSurrogate)
        }

        if req.ntk {
            // k outputs (Theorem 3.8, eq. 17): the NTK is nk × nk, sample α of output j at index α + j·n.
            let outs = req.outputs, nk = n * outs
            let k = Matrix<T>(rows: nk, cols: nk, zeroed: outs > 1)
            let tmp = outs == 1 ? scratch : Matrix<T>(rows: nk, cols: nk)
            try timed(\.ntk) { () throws(SamplingError) in
                // K = τ_{L+1} I_k ⊗ X_LᵀX_L
                let gL = grams[L]!
                for j in 0..<outs {
                    let off = j * n * nk + j * n
                    let cL = T(tau[L])
                    parallelChunks(n, threads: threads) { cols in
                        for b in cols { for a in 0...b { k.data[off + a + b * nk] = cL * gL.data[a + b * n] } }
                    }
                }
                grams[L] = nil
                // S_L = [diag(w⁽¹⁾) σ′(H_L)/√d_L | … | diag(w⁽ᵏ⁾) σ′(H_L)/√d_L]  (d_L × nk)
                let dL = widths[L]
                let dLast = derivs[L]!
                derivs[L] = nil
                var s = outs == 1 ? dLast : Matrix<T>(rows: dL, cols: nk)
                let w = UnsafeMutableBufferPointer<T>.allocate(capacity: dL)
                defer { w.deallocate() }
                for j in 0..<outs {
                    if let weights = req.weights {
                        weights.copyOutput(j, into: w.baseAddress!)
                    } else {
                        var g = RandomStreams.generator(seed: req.seed, purpose: .outputWeights, index: UInt64(j))
                        T.fillNormal(&g, w, scale: 1)
                    }
                    let sj = s
                    parallelChunks(n, threads: threads) { cols in
                        for a in cols {
                            let src = dLast.data + a * dL, dst = sj.data + (a + j * n) * dL
                            for i in 0..<dL { dst[i] = src[i] * w[i] }
                        }
                    }
                }
                for l in stride(from: L, through: 1, by: -1) {
                    // K += τ_ℓ (S_ℓᵀS_ℓ) ⊙ (1_k 1_kᵀ ⊗ X_{ℓ−1}ᵀX_{ℓ−1})
                    try gram(s, into: tmp, stage: .ntk, layer: l)
                    let gp = grams[l - 1]!
                    let c = T(tau[l - 1])
                    let n = self.n
                    parallelChunks(nk, threads: threads) { cols in
                        for j in cols {
                            // G is valid in its upper triangle only: read G[min(a,b), max(a,b)].
                            let bj = j % n
                            for i in 0...j {
                                let ai = i % n
                                let gv = ai <= bj ? gp.data[ai + bj * n] : gp.data[bj + ai * n]
                                k.data[i + j * nk] += c * tmp.data[i + j * nk] * gv
                            }
                        }
                    }
                    grams[l - 1] = nil
                    if l == 1 { break }
                    // S_{ℓ−1} = (W_ℓᵀ S_ℓ) ⊙ σ′(H_{ℓ−1})/√d_{ℓ−1}, regenerating W_ℓ row block by row block.
                    let dl = widths[l], dp = widths[l - 1]
                    let p = Matrix<T>(rows: dp, cols: nk)
                    let b = min(dl, rowBlock(k: dp))
                    let wt = Matrix<T>(rows: dp, cols: b)
                    var r0 = 0
                    while r0 < dl {
                        try token.check()
                        let bb = min(b, dl - r0)
                        generateWeightRows(layer: l, r0: r0, b: bb, k: dp, into: wt.data)
                        T.gemm(transA: false, transB: false, m: dp, n: nk, k: bb, alpha: 1, a: wt.data, lda: dp,
                               b: s.data + r0, ldb: dl, beta: r0 == 0 ? 0 : 1, c: p.data, ldc: dp)
                        r0 += bb
                        progress(.ntk, layer: l, work: (2 * Double(nk) + 30) * Double(bb) * Double(dp))
                    }
                    let dprev = derivs[l - 1]!
                    derivs[l - 1] = nil
                    let total = dp * n
                    parallelChunks(dp * nk, threads: threads) { r in for i in r { p.data[i] *= dprev.data[i % total] } }
                    s = p
                }
            }
            grams = []
            try eigenvalues(k, kernel: .ntk)
        }
        timings.total = Date().timeIntervalSince(t0)
        progress(.done, layer: nil, work: 0)
        emit(.finished(SamplingSummary(plan: plan, timings: timings, peakResidentBytes: MemoryInfo.peakResident())))
    }
}
