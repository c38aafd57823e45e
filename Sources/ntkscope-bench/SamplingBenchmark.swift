import CLinearAlgebra
import Foundation
import LimitLaws
import NetworkSampling

/// The sampling benchmark (`make bench`): the paper's Figure 1 network — n = 3000, d0 = 1000, L = 5,
/// d_l = 6000, sigma ∝ arctan — all CK layers and the NTK, in float32, with per-stage times, the total and
/// the peak resident memory, against the NumPy reference script (bench/figure1_numpy.py, float64, the same
/// job written the straightforward way) run in the same benchmark: ntkscope, NumPy, ntkscope again; the
/// ratio uses the faster ntkscope run. Then the eigenvalue step alone (ntkscope's one- and two-stage
/// reductions and LAPACK's two-stage driver), the agreement with the limit laws and the float32 path's
/// precision against float64.
///
/// Environment: NTKSCOPE_BENCH_N overrides n (widths scale with it); NTKSCOPE_BENCH_PRECISION_N sets the
/// size of the precision check (default 1000, 0 skips it); NTKSCOPE_BENCH_NUMPY=0 skips the NumPy run and
/// NTKSCOPE_BENCH_NUMPY_DTYPE=float32 runs it in single precision; NTKSCOPE_BENCH_REPEAT sets the number of
/// ntkscope runs (default 2); OPENBLAS_NUM_THREADS limits BLAS threads.
func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
}

/// One timed ntkscope run of the Figure-1 request: its summary, spectra, CPU seconds and the load average
/// before and after.
struct SamplingRun {
    var summary: SamplingSummary
    var spectra: [SampledSpectrum]
    var cpu: Double
    var load: (String, String)
}

func timedSamplingRun(_ req: SamplingRequest, verbosePlan: Bool) throws -> SamplingRun {
    // Reset the process's peak-RSS counter so the figure is this run's own (Linux ≥ 4.0).
    try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    let before = loadAverage()
    let cpu0 = cpuSeconds()
    var summary: SamplingSummary?
    var spectra: [SampledSpectrum] = []
    try NetworkSampler.run(req) { event in
        switch event {
        case .started(let p) where verbosePlan:
            print("widths \(p.widths), threads \(p.threads), layout: \(p.layout), estimated peak \(MemoryInfo.format(p.estimatedBytes))")
        case .spectrum(let s): spectra.append(s)
        case .finished(let s): summary = s
        default: break
        }
    }
    return SamplingRun(summary: summary!, spectra: spectra, cpu: cpuSeconds() - cpu0, load: (before, loadAverage()))
}

/// The NumPy reference's stage times (seconds) and peak resident bytes, or nil when it cannot run.
struct NumPyRun {
    var times: [String: Double]
    var peak: Int
    var version: String
    var dtype: String
    var load: (String, String)
}

func runNumPyReference(n: Int, dtype: String) -> NumPyRun? {
    // bench/figure1_numpy.py relative to the working directory (make runs from the repository root), else
    // relative to this source file's repository.
    let candidates = ["bench/figure1_numpy.py",
                      URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                        .deletingLastPathComponent().appendingPathComponent("bench/figure1_numpy.py").path]
    guard let script = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
        print("NumPy reference: bench/figure1_numpy.py not found"); return nil
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script, "--n", "\(n)", "--dtype", dtype]
    let pipe = Pipe()
    process.standardOutput = pipe
    let before = loadAverage()
    do { try process.run() } catch { print("NumPy reference: \(error)"); return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0,
          let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
          let times = json["times"] as? [String: Double], let peak = json["peak_bytes"] as? Int else {
        print("NumPy reference failed (exit \(process.terminationStatus); is numpy installed?)"); return nil
    }
    return NumPyRun(times: times, peak: peak, version: json["numpy"] as? String ?? "?", dtype: dtype, load: (before, loadAverage()))
}

func runSamplingBenchmark() {
    let env = ProcessInfo.processInfo.environment
    let n = env["NTKSCOPE_BENCH_N"].flatMap { Int($0) } ?? 3000
    let checkN = env["NTKSCOPE_BENCH_PRECISION_N"].flatMap { Int($0) } ?? 1000
    let repeats = max(1, env["NTKSCOPE_BENCH_REPEAT"].flatMap { Int($0) } ?? 2)
    let numpyDtype = env["NTKSCOPE_BENCH_NUMPY_DTYPE"] ?? "float64"
    print("== sampling: Figure 1 network (n = \(n), gamma0 = 3, L = 5, gamma_l = 0.5, arctan), float32 ==")
    let req = SamplingRequest(model: .figure1, n: n, seed: 1, precision: .float32)
    var runs: [SamplingRun] = []
    var numpy: NumPyRun?
    do {
        for r in 0..<repeats {
            runs.append(try timedSamplingRun(req, verbosePlan: r == 0))
            if r == 0 && env["NTKSCOPE_BENCH_NUMPY"] != "0" { numpy = runNumPyReference(n: n, dtype: numpyDtype) }
        }
    } catch {
        print("sampling benchmark failed: \(error)")
        return
    }
    let best = runs.min { $0.summary.timings.total < $1.summary.timings.total }!
    let figure1 = best.spectra
    let t = best.summary.timings
    let np = numpy?.times ?? [:]
    print("stage            ntkscope (best of \(runs.count))" + (numpy != nil ? "   NumPy \(numpy!.version) \(numpy!.dtype)   ratio" : ""))
    let rows: [(String, Double, String)] = [
        ("input", t.input, "input"), ("forward", t.forward, "forward"), ("grams", t.grams, "grams"),
        ("ntk (backward)", t.ntk, "ntk"), ("eigenvalues", t.eigenvalues, "eigenvalues"), ("total", t.total, "total"),
    ]
    for (name, v, key) in rows {
        let ref = np[key] ?? 0
        print(name.padding(toLength: 16, withPad: " ", startingAt: 0) + String(format: "%8.2f s", v)
              + (ref > 0 ? String(format: "              %8.2f s   %.2f", ref, v / ref) : ""))
    }
    print("every ntkscope run: " + runs.map { String(format: "%.2f s (cpu %.1f s, load %@ -> %@)", $0.summary.timings.total, $0.cpu, $0.load.0, $0.load.1) }
        .joined(separator: "; "))
    if let numpy { print("NumPy run: load \(numpy.load.0) -> \(numpy.load.1)") }
    let peak = best.summary.peakResidentBytes ?? 0
    print("peak resident   \(MemoryInfo.format(peak))" + (numpy.map { String(format: "   NumPy %@, ratio %.2f", MemoryInfo.format($0.peak), Double(peak) / Double($0.peak)) } ?? ""))
    if let total = np["total"] {
        print(String(format: "target: time <= 0.30 x NumPy (same run) -> %.2f, %@", t.total / total, t.total <= 0.3 * total ? "met" : "MISSED"))
    }

    if let check = SpectrumInvariants.statement(figure1, precision: req.precision) { print(check) }

    runEigenBenchmark(sizes: [n])

    // Agreement with the limit laws (not timed).
    do {
        let limitModel = try LimitComparison.limitModel(for: req, inputGramEigenvalues: nil)
        let t0 = Date()
        let limits = LimitLawEngine().solve(limitModel)
        print(String(format: "limit laws solved in %.2f s; KS / W1 / outliers of the sampled spectra:", Date().timeIntervalSince(t0)))
        for (k, c) in LimitComparison.compare(figure1, limits: limits) {
            print("\(k)".padding(toLength: 6, withPad: " ", startingAt: 0) + String(format: " KS %.4f  W1 %.4f  outliers %d", c.ks, c.w1, c.outliers.count))
        }
    } catch {
        print("comparison failed: \(error)")
    }

    guard checkN > 0 else { return }
    print("== precision: float32 vs float64, same network (n = \(checkN), Figure-1 shape) ==")
    do {
        let r32 = try NetworkSampler.spectra(SamplingRequest(model: .figure1, n: checkN, seed: 2, precision: .float32))
        let t0 = Date()
        let r64 = try NetworkSampler.spectra(SamplingRequest(model: .figure1, n: checkN, seed: 2, precision: .float64))
        let t64 = Date().timeIntervalSince(t0)
        for (a, b) in zip(r32, r64) {
            let scale = b.eigenvalues.map(abs).max() ?? 1
            let maxErr = zip(a.eigenvalues, b.eigenvalues).map { abs($0 - $1) }.max() ?? 0
            // KS distance between the two empirical laws, after setting |λ| ≤ 1e-4·λ_max to 0
            // (the exact zeros of a rank-deficient Gram come out as ±1e-7·λ_max with random signs).
            var ks = 0.0, i = 0, j = 0
            let x = a.eigenvalues.map { abs($0) <= 1e-4 * scale ? 0 : $0 }, y = b.eigenvalues.map { abs($0) <= 1e-4 * scale ? 0 : $0 }
            while i < x.count || j < y.count {
                // Advance both samples past the next value (ties together), then compare the CDFs.
                let v = min(i < x.count ? x[i] : .infinity, j < y.count ? y[j] : .infinity)
                while i < x.count && x[i] <= v { i += 1 }
                while j < y.count && y[j] <= v { j += 1 }
                ks = max(ks, abs(Double(i) / Double(x.count) - Double(j) / Double(y.count)))
            }
            print("\(a.kernel)".padding(toLength: 6, withPad: " ", startingAt: 0)
                  + String(format: " max|dlambda|/lambda_max %.2e   max|dlambda| %.2e   KS(f32, f64) %.5f", maxErr / scale, maxErr, ks))
        }
        print(String(format: "(float64 run: %.2f s)", t64))
    } catch {
        print("precision check failed: \(error)")
    }
}

/// The eigenvalue methods the `eigen` benchmark times on the same Gram (float32, values only).
enum EigenBenchMethod: CaseIterable {
    /// ntkscope's one-stage solver: the `xSYTRD` panel loop, then `xSTERF` (what `ssyevd` with jobz 'N' does).
    case oneStage
    /// ntkscope's two-stage solver: band by BLAS-3 panels, `xSYTRD_SB2ST`, `xSTERF`.
    case twoStage
    /// LAPACK's own two-stage driver `LAPACKE_ssyevd_2stage` (jobz 'N', uplo 'U'), for comparison only.
    case lapackTwoStage

    var label: String {
        switch self {
        case .oneStage: return "one-stage"
        case .twoStage: return "two-stage (ntkscope)"
        case .lapackTwoStage: return "LAPACK ssyevd_2stage"
        }
    }

    /// Eigenvalues (ascending) of the matrix in the upper triangle of `a`, which is destroyed.
    func eigenvalues(destroying a: Matrix<Float>) throws -> [Double] {
        switch self {
        case .oneStage: return try SymmetricEigen.eigenvalues(destroying: a, reduction: .oneStage)
        case .twoStage: return try SymmetricEigen.eigenvalues(destroying: a, reduction: .twoStage)
        case .lapackTwoStage:
            let n = a.rows
            var w = [Float](repeating: 0, count: n)
            let info = LAPACKE_ssyevd_2stage(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "U")),
                                             Int32(n), a.data, Int32(n), &w)
            if info != 0 { throw EigenSolverError.lapack("ssyevd_2stage", info) }
            return w.map(Double.init)
        }
    }
}

/// The eigenvalue step alone: ntkscope's one-stage and two-stage reductions and LAPACK's two-stage driver
/// on the same Wishart-like Gram (X of 2n × n iid N(0, 1/2n), G = XᵀX, as the CK of Figure 1's layers),
/// float32, every BLAS thread, the methods alternating within each repetition; best and median of `reps`,
/// the ratios of the best times to the one-stage one, the largest eigenvalue difference between any two
/// methods and each method's largest error against float64 `dsyevd` of the same matrix, relative to λ_max.
func runEigenBenchmark(sizes: [Int], reps: Int = 3) {
    let methods = EigenBenchMethod.allCases
    print("== eigenvalues: " + methods.map(\.label).joined(separator: " / ")
          + " (float32, Gram of a 2n x n Gaussian, best / median of \(reps)) ==")
    for n in sizes where n >= 200 {
        let d = 2 * n
        let x = Matrix<Float>(rows: d, cols: n)
        var g = Xoshiro256StarStar(seed: UInt64(n))
        g.fillNormal(UnsafeMutableBufferPointer(start: x.data, count: d * n), scale: 1 / Double(d).squareRoot())
        let gram = Matrix<Float>(rows: n, cols: n)
        Float.syrkTrans(n: n, k: d, alpha: 1, a: x.data, lda: d, beta: 0, c: gram.data, ldc: n)
        var times: [EigenBenchMethod: [Double]] = [:]
        var values: [EigenBenchMethod: [Double]] = [:]
        let loadBefore = loadAverage()
        for _ in 0..<reps {
            for method in methods {
                let a = Matrix<Float>(rows: n, cols: n)
                a.data.update(from: gram.data, count: n * n)
                let t0 = Date()
                do { values[method] = try method.eigenvalues(destroying: a) } catch {
                    print("n = \(n) \(method.label): \(error)"); return
                }
                times[method, default: []].append(Date().timeIntervalSince(t0))
            }
        }
        // Reference: float64 dsyevd of the same (float32-rounded) Gram, not timed.
        let g64 = Matrix<Double>(rows: n, cols: n)
        for k in 0..<(n * n) { g64.data[k] = Double(gram.data[k]) }
        let exact = (try? SymmetricEigen.eigenvaluesDestroying(g64)) ?? []
        let sorted = times.mapValues { $0.sorted() }
        let best = sorted.mapValues { $0[0] }, median = sorted.mapValues { $0[$0.count / 2] }
        let scale = max(values.values.flatMap { $0.map(abs) }.max() ?? 0, .leastNormalMagnitude)
        var diff = 0.0
        for (i, p) in methods.enumerated() { for q in methods[(i + 1)...] {
            diff = max(diff, zip(values[p]!, values[q]!).map { abs($0 - $1) }.max() ?? 0)
        } }
        let columns = methods.map { String(format: "%@ %.2f s (median %.2f)", $0.label, best[$0]!, median[$0]!) }
        print("n = \(n)   " + columns.joined(separator: "   "))
        print(String(format: "          ratios to one-stage (best): ntkscope two-stage %.2f, LAPACK 2stage %.2f;"
                     + " LAPACK 2stage / ntkscope two-stage %.2f", best[.twoStage]! / best[.oneStage]!,
                     best[.lapackTwoStage]! / best[.oneStage]!, best[.lapackTwoStage]! / best[.twoStage]!))
        let errors = methods.map { m in
            String(format: "%@ %.1e", m.label, zip(values[m]!, exact).map { abs($0 - $1) }.max().map { $0 / scale } ?? .nan)
        }
        print(String(format: "          max |diff| between methods / lambda_max %.1e; against float64 dsyevd: %@; load average %@ -> %@",
                     diff / scale, errors.joined(separator: ", "), loadBefore, loadAverage()))
    }
}

/// The memory plan of the Figure-1 shape at each n: every layout's estimated peak and where it occurs, and
/// the layout a run would take with the memory available now.
func printMemoryPlans(sizes: [Int]) {
    let available = MemoryInfo.available()
    print("== memory plans, Figure-1 shape (d0 = n/3, L = 5, d_l = 2n), all CKs and the NTK; available now: "
          + (available.map(MemoryInfo.format) ?? "unknown") + " ==")
    for n in sizes {
        for precision in Precision.allCases {
            let req = SamplingRequest(model: .figure1, n: n, precision: precision)
            guard let chosen = try? req.memoryPlan(available: available) else { continue }
            let fits = available.map { Double(chosen.estimate.bytes) <= NetworkSampler.memoryShare * Double($0) } ?? true
            print("n = \(n), \(precision): runs with \(chosen.layout) (\(fits ? "fits" : "REFUSED"))")
            for layout in StorageLayout.candidates {
                guard let e = try? req.memoryEstimate(layout: layout) else { continue }
                print("   \(layout.description.padding(toLength: 36, withPad: " ", startingAt: 0)) \(MemoryInfo.format(e.bytes).padding(toLength: 10, withPad: " ", startingAt: 0)) peak in the \(e.breakdown)")
            }
        }
    }
}

/// One large Figure-1-shaped run (`ntkscope-bench large N`, e.g. N = 20000), float32: the memory plan, a
/// progress line with the time estimate every minute, the stage times, the peak resident memory (VmHWM)
/// against the plan's estimate, and the agreement of every spectrum with its limit law.
func runLargeSampling(n: Int) {
    let req = SamplingRequest(model: .figure1, n: n, seed: 1, precision: .float32)
    print("== large sampling run: Figure 1 shape, n = \(n), float32; load average \(loadAverage()) ==")
    var lastLine = Date.distantPast
    let start = Date()
    var summary: SamplingSummary?
    var spectra: [SampledSpectrum] = []
    let cpu0 = cpuSeconds()
    do {
        try NetworkSampler.run(req) { event in
            switch event {
            case .started(let p):
                print("widths \(p.widths), threads \(p.threads), layout: \(p.layout), estimated peak \(MemoryInfo.format(p.estimatedBytes)) "
                      + "of \(p.availableBytes.map(MemoryInfo.format) ?? "?") available; peak in the \(p.peakBreakdown)")
            case .progress(let p):
                if Date().timeIntervalSince(lastLine) >= 60 {
                    lastLine = Date()
                    let eta = p.secondsRemaining.map { SamplingProgress.formatDuration($0) } ?? "?"
                    print(String(format: "%7.0f s  %@ layer %@  %5.1f %%  about %@ left  (load %@, resident %@)",
                                 Date().timeIntervalSince(start), p.stage.rawValue, p.layer.map { "\($0)" } ?? "-", 100 * p.fraction,
                                 eta, loadAverage(), MemoryInfo.format(MemoryInfo.currentResident() ?? 0)))
                    fflush(nil)
                }
            case .spectrum(let s):
                spectra.append(s)
                print(String(format: "%7.0f s  spectrum of %@ done", Date().timeIntervalSince(start), "\(s.kernel)"))
                fflush(nil)
            case .finished(let s): summary = s
            }
        }
    } catch {
        print("large run failed: \(error)")
        return
    }
    guard let s = summary else { return }
    let t = s.timings
    print(String(format: "input %.1f s, forward %.1f s, grams %.1f s, ntk (backward) %.1f s, eigenvalues %.1f s, total %.1f s (%@); cpu %.0f s",
                 t.input, t.forward, t.grams, t.ntk, t.eigenvalues, t.total, SamplingProgress.formatDuration(t.total), cpuSeconds() - cpu0))
    print("peak resident (VmHWM) \(MemoryInfo.format(s.peakResidentBytes ?? 0)), plan's estimate \(MemoryInfo.format(s.plan.estimatedBytes)); load average \(loadAverage())")
    if let check = SpectrumInvariants.statement(spectra, precision: req.precision) { print(check) }
    do {
        let limits = LimitLawEngine().solve(try LimitComparison.limitModel(for: req, inputGramEigenvalues: nil))
        for (k, c) in LimitComparison.compare(spectra, limits: limits) {
            print("\(k)".padding(toLength: 6, withPad: " ", startingAt: 0) + String(format: " KS %.4f  W1 %.4f  outliers %d", c.ks, c.w1, c.outliers.count))
        }
    } catch {
        print("comparison failed: \(error)")
    }
}
