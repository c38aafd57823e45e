import Foundation
import LimitLaws
import NetworkSampling

/// The sampling benchmark (`make bench`): the paper's Figure 1 network — n = 3000, d0 = 1000, L = 5,
/// d_l = 6000, sigma ∝ arctan — all CK layers and the NTK, in float32, with per-stage times, the total and
/// the peak resident memory, against the NumPy reference (46.7 s, 3.6 GiB on a 2-core machine).
/// Then the float32 path's precision against float64 on a smaller network of the same shape.
///
/// Environment: NTKSCOPE_BENCH_N overrides n (widths scale with it); NTKSCOPE_BENCH_PRECISION_N sets the
/// size of the precision check (default 1000, 0 skips it); OPENBLAS_NUM_THREADS limits BLAS threads.
func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
}

func runSamplingBenchmark() {
    let env = ProcessInfo.processInfo.environment
    let n = env["NTKSCOPE_BENCH_N"].flatMap { Int($0) } ?? 3000
    let checkN = env["NTKSCOPE_BENCH_PRECISION_N"].flatMap { Int($0) } ?? 1000
    print("== sampling: Figure 1 network (n = \(n), gamma0 = 3, L = 5, gamma_l = 0.5, arctan), float32 ==")
    // Reset the process's peak-RSS counter so the figure is this benchmark's own (Linux ≥ 4.0).
    try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    let base = MemoryInfo.currentResident() ?? 0
    let cpu0 = cpuSeconds()
    let req = SamplingRequest(model: .figure1, n: n, seed: 1, precision: .float32)
    var summary: SamplingSummary?
    var figure1: [SampledSpectrum] = []
    do {
        try NetworkSampler.run(req) { event in
            switch event {
            case .started(let p):
                print("widths \(p.widths), threads \(p.threads), estimated peak \(MemoryInfo.format(p.estimatedBytes))")
            case .spectrum(let s): figure1.append(s)
            case .finished(let s): summary = s
            default: break
            }
        }
    } catch {
        print("sampling benchmark failed: \(error)")
        return
    }
    guard let s = summary else { return }
    let t = s.timings
    let rows: [(String, Double, Double)] = [
        ("input", t.input, 0), ("forward", t.forward, 15.1), ("grams", t.grams, 3.8),
        ("ntk (backward)", t.ntk, 15.3), ("eigenvalues", t.eigenvalues, 12.5), ("total", t.total, 46.7),
    ]
    for (name, v, ref) in rows {
        print(name.padding(toLength: 16, withPad: " ", startingAt: 0)
              + String(format: "%8.2f s", v) + (ref > 0 ? String(format: "   (NumPy %5.1f s, ratio %.2f)", ref, v / ref) : ""))
    }
    let cpu = cpuSeconds() - cpu0
    print(String(format: "cpu time        %8.2f s   (user+system over all threads; /%d cores = %.2f s, the wall time on an idle machine at best)",
                 cpu, s.plan.threads, cpu / Double(s.plan.threads)))
    if let la = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) {
        print("load average    \(la.split(separator: " ").prefix(3).joined(separator: " ")) (other processes share the cores)")
    }
    let peak = s.peakResidentBytes ?? 0
    print("peak resident   \(MemoryInfo.format(peak)) (process baseline \(MemoryInfo.format(base)); "
          + String(format: "NumPy 3.6 GiB, ratio %.2f)", Double(peak) / (3.6 * Double(1 << 30))))
    print(String(format: "targets: time <= 0.60 x NumPy -> %@, memory <= 0.35 x NumPy -> %@",
                 t.total <= 0.6 * 46.7 * Double(n * n * n) / 2.7e10 ? "met" : "MISSED",
                 Double(peak) <= 0.35 * 3.6 * Double(1 << 30) ? "met" : "MISSED"))

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
            // KS distance between the two empirical laws.
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

/// The eigenvalue step alone: one-stage against two-stage reduction on the same Wishart-like Gram
/// (X of 2n × n iid N(0, 1/2n), G = XᵀX, as the CK of Figure 1's layers), float32, every BLAS thread,
/// the methods alternating within each repetition; best and median of `reps`.
func runEigenBenchmark(sizes: [Int], reps: Int = 3) {
    print("== eigenvalues: one-stage vs two-stage reduction (float32, Gram of a 2n x n Gaussian, best / median of \(reps)) ==")
    for n in sizes where n >= 200 {
        let d = 2 * n
        let x = Matrix<Float>(rows: d, cols: n)
        var g = Xoshiro256StarStar(seed: UInt64(n))
        g.fillNormal(UnsafeMutableBufferPointer(start: x.data, count: d * n), scale: 1 / Double(d).squareRoot())
        let gram = Matrix<Float>(rows: n, cols: n)
        Float.syrkTrans(n: n, k: d, alpha: 1, a: x.data, lda: d, beta: 0, c: gram.data, ldc: n)
        var times: [EigenReduction: [Double]] = [:]
        var values: [EigenReduction: [Double]] = [:]
        for _ in 0..<reps {
            for method in [EigenReduction.oneStage, .twoStage] {
                let a = Matrix<Float>(rows: n, cols: n)
                a.data.update(from: gram.data, count: n * n)
                let t0 = Date()
                do { values[method] = try SymmetricEigen.eigenvalues(destroying: a, reduction: method) } catch {
                    print("n = \(n) \(method): \(error)"); return
                }
                times[method, default: []].append(Date().timeIntervalSince(t0))
            }
        }
        let one = times[.oneStage]!.sorted(), two = times[.twoStage]!.sorted()
        let a = values[.oneStage]!, b = values[.twoStage]!
        let diff = zip(a, b).map { abs($0 - $1) }.max()! / max(a.last!, .leastNormalMagnitude)
        print(String(format: "n = %5d   one-stage %7.2f s (median %7.2f)   two-stage %7.2f s (median %7.2f)   ratio %.2f   max|diff|/lambda_max %.1e",
                     n, one[0], one[one.count / 2], two[0], two[two.count / 2], two[0] / one[0], diff))
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
            let fits = available.map { Double(chosen.estimate.bytes) <= 0.9 * Double($0) } ?? true
            print("n = \(n), \(precision): runs with \(chosen.layout) (\(fits ? "fits" : "REFUSED"))")
            for layout in StorageLayout.candidates {
                guard let e = try? req.memoryEstimate(layout: layout) else { continue }
                print("   \(layout.description.padding(toLength: 36, withPad: " ", startingAt: 0)) \(MemoryInfo.format(e.bytes).padding(toLength: 10, withPad: " ", startingAt: 0)) peak in the \(e.breakdown)")
            }
        }
    }
}
