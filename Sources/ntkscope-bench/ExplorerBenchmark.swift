import Foundation
import ExplorerCore
import LimitLaws
import PlotCanvas
#if canImport(Glibc)
import Glibc
#endif

/// Explorer latency without a terminal: a scripted key sequence drives the pure state machine
/// (KeyMap + ExplorerReducer), a warm-started display-only solve (SolveScheduler's first phase,
/// passing the previous SolverCache) whenever the model changed, and ScreenLayout.render at 200×60.
/// "frame" = solve + layout, i.e. key press → finished frame minus the ncurses write (measure that
/// with `ntkscope --timing-log`). Issue 15's targets: every key at depth ≤ 8 within 16 ms (p100),
/// at depth 32 within 50 ms, cost at most linear in depth. Runs on Figure 1, a depth-8 and a
/// depth-32 model (γ_ℓ = 0.5), then fits the model keys' cost against depth (2, 4, 8, 16, 32).
public func runExplorerBenchmark(width: Int = 200, height: Int = 60, rounds: Int = 3, threads: Int = SolveOptions.defaultThreads) {
    print("machine: \(machineLine()); solver threads \(threads)")
    var worst: [(String, Double, Double)] = []
    for (label, model, r, target) in [("Figure 1 (L = 5)", NetworkModel.figure1, rounds, 16.0),
                                      ("depth 8", depthModel(8), rounds, 16.0),
                                      ("depth 32", depthModel(32), max(1, rounds - 1), 50.0)] {
        let m = explorerKeyLatency(model: model, label: label, width: width, height: height, rounds: r, target: target, verbose: true,
                                   threads: threads)
        worst.append((label, m.max, target))
    }
    // Cost against depth: one round of the model keys per depth, least-squares line through the medians.
    let depths = [2, 4, 8, 16, 32]
    var medians: [Double] = [], maxima: [Double] = []
    for L in depths {
        let m = explorerKeyLatency(model: depthModel(L), label: "depth \(L)", width: width, height: height, rounds: 1,
                                   target: L <= 8 ? 16 : 50, verbose: false, threads: threads, script: modelKeyScript, recall: false)
        medians.append(m.median); maxima.append(m.max)
    }
    let x = depths.map(Double.init)
    func fit(_ y: [Double]) -> (slope: Double, intercept: Double) {
        let n = Double(x.count), mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        let sxy = zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }, sxx = x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
        return (sxy / sxx, my - sxy / sxx * mx)
    }
    // The exponent of cost ∝ L^p from the two deepest points (1 = linear, 2 = quadratic).
    let exponent = log(maxima[4] / maxima[3]) / log(x[4] / x[3])
    let (sMed, iMed) = fit(medians), (sMax, iMax) = fit(maxima)
    print("explorer: model keys (\(modelKeyScript.map(\.0).joined(separator: " "))) against depth, one round each")
    for (L, (med, mx)) in zip(depths, zip(medians, maxima)) {
        print(String(format: "  depth %2d   median %7.2f   max %7.2f ms", L, med, mx))
    }
    print(String(format: "  slope: median %.2f ms per layer (+ %.1f ms), max %.2f ms per layer (+ %.1f ms); growth exponent of the max from depth 16 to 32: %.2f",
                 sMed, iMed, sMax, iMax, exponent))
    for (label, mx, target) in worst {
        print(String(format: "  target %@: every key ≤ %.0f ms: max %.2f ms — %@", label as NSString, target, mx,
                     (mx <= target ? "met" : "NOT met") as NSString))
    }
    runViewKeyBenchmark(width: width, height: height, rounds: rounds)
}

/// Figure 1 with `depth` layers (γ_ℓ = 0.5).
func depthModel(_ depth: Int) -> NetworkModel {
    var m = NetworkModel.figure1
    m.gammas = Array(repeating: 0.5, count: depth)
    return m
}

/// γ steps on several layers, all layers, depth, γ₀, b_σ, activation, and view-only keys.
let explorerKeyScript: [(String, Key)] = ["k", "k", "j", "l", "k", "j", "l", "k", "K", "J", "i", "I", "b", "B", "D", "d",
                                          "a", "A", "y", "z", "Z", "2", "3", "1", "u", "r"].map { ($0, Key.character(Character($0))) }
/// Keys that change the model (each a re-solve), for the cost against depth.
let modelKeyScript: [(String, Key)] = ["k", "j", "K", "J", "b", "B", "a", "A"].map { ($0, Key.character(Character($0))) }

/// Frame times of `script` on `model`, `rounds` times; prints per key kind when `verbose`. With `recall`, a
/// model seen again is answered from the recent results as `SolveScheduler` does (the cost against
/// depth is measured without, so that every model key solves).
@discardableResult
func explorerKeyLatency(model: NetworkModel, label: String, width: Int, height: Int, rounds: Int, target: Double,
                        verbose: Bool, threads: Int, script: [(String, Key)] = explorerKeyScript,
                        recall: Bool = true) -> (median: Double, max: Double) {
    func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) * 1e-6
    }
    let engine = LimitLawEngine()
    // as SolveScheduler's first phase: the fast display-only solve on the explorer's grid
    var options = SolveOptions(threads: threads)
    options.gridPoints = SolveScheduler.explorerGridPoints
    options.accurateCDF = false
    var state = ExplorerState(model: model, themeNames: ["dark"])
    let t0 = now()
    var solved = engine.solve(state.model, options: options)
    let cold = now() - t0
    var display = DisplaySpectrum.byKernel(solved)
    var frames: [String: [Double]] = [:], solves: [String: [Double]] = [:], layouts: [Double] = []
    var all: [Double] = [], modelKeys: [Double] = []
    var resolves = 0, laws = 0, recalls = 0
    // as SolveScheduler: a model seen again is answered from its recent results, not solved
    var recent = RecentSolves<ModelSpectra>(capacity: SolveScheduler.recentCapacity)
    recent.remember(state.model, solved)
    for _ in 0..<rounds {
        for (name, key) in script {
            let start = now()
            guard let action = KeyMap.action(for: key, in: state) else { continue }
            let before = state.model
            _ = ExplorerReducer.reduce(&state, action)
            var solveMs = 0.0
            if state.model != before, recall, let kept = recent.recall(state.model) {
                solved = kept
                display = DisplaySpectrum.byKernel(solved)
                recalls += 1
            } else if state.model != before {
                let s0 = now()
                solved = engine.solve(state.model, options: options, previous: solved.cache)
                solveMs = now() - s0
                resolves += solved.pipelineResolves
                laws += solved.spectra.count
                display = DisplaySpectrum.byKernel(solved)
                solves[name, default: []].append(solveMs)
                recent.remember(state.model, solved)
            }
            let l0 = now()
            let content = FrameContent(summary: ModelSummary(model: state.model), spectra: display,
                                       solve: SolveStatus(lastMilliseconds: solveMs, warm: true))
            let grid = ScreenLayout.render(state: state, content: content, width: width, height: height)
            _ = grid.plainText()
            let layoutMs = now() - l0
            layouts.append(layoutMs)
            let total = now() - start
            frames[name, default: []].append(total)
            all.append(total)
            if state.model != before { modelKeys.append(total) }
        }
    }
    let sorted = modelKeys.isEmpty ? all.sorted() : modelKeys.sorted()
    let summary = (median: sorted[sorted.count / 2], max: sorted.last ?? 0)
    guard verbose else { return summary }
    func stats(_ v: [Double]) -> String {
        guard !v.isEmpty else { return "-" }
        let s = v.sorted()
        func q(_ p: Double) -> Double { s[min(s.count - 1, Int(Double(s.count - 1) * p + 0.5))] }
        return String(format: "median %7.2f  p90 %7.2f  p100 %7.2f ms (n=%d)", q(0.5), q(0.9), s.last!, s.count)
    }
    print("explorer: key → finished frame (warm solve + layout, \(width)×\(height), \(label)), \(rounds) rounds of \(script.count) keys")
    print(String(format: "  cold first solve          %8.2f ms", cold))
    print("  all keys                  " + stats(all))
    print("  model keys                " + stats(modelKeys))
    print("  layout only               " + stats(layouts))
    let kinds: [(String, [String])] = [("γ_ℓ one layer", ["k", "j"]), ("γ_ℓ all layers", ["K", "J"]), ("γ₀", ["i", "I"]),
                                       ("b_σ", ["b", "B"]), ("depth", ["D", "d"]), ("activation", ["a", "A"]),
                                       ("undo", ["u"]), ("reset", ["r"]), ("view only", ["l", "y", "z", "Z", "1", "2", "3"])]
    for (kind, keys) in kinds {
        let f = keys.flatMap { frames[$0] ?? [] }, s = keys.flatMap { solves[$0] ?? [] }
        if f.isEmpty { continue }
        print("  \(kind.padding(toLength: 15, withPad: " ", startingAt: 0)) frame " + stats(f) + "   solve " + stats(s))
    }
    let within = all.filter { $0 <= target }.count
    print("  laws solved twice by the \(options.threads)-thread pipeline (a wrong edge prediction): \(resolves) of \(laws)")
    print("  model keys answered from the recent results (a model seen again, as SolveScheduler): \(recalls) of \(modelKeys.count)")
    print(String(format: "  frames within %.0f ms: %d of %d (%.0f%%)", target, within, all.count, 100 * Double(within) / Double(max(1, all.count))))
    return summary
}

/// The machine: cores (online and allowed to this process), CPU model, memory, load average.
func machineLine() -> String {
    let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }.map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "?"
    let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
    let kib = meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal") }.flatMap { $0.split(separator: " ").dropFirst().first.flatMap { Double($0) } } ?? 0
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let allowed = status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list") }.map { $0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces) } ?? "?"
    return String(format: "%d cores (this process: cpus %@), %@, %.0f GiB; load average %@", sysconf(Int32(_SC_NPROCESSORS_ONLN)),
                  allowed as NSString, model as NSString, kib / 1_048_576, loadAverage() as NSString)
}

/// View-only keys (no solve): key → laid-out frame with the empirical overlay on (a sample of
/// n = 1000 per law, its quantiles, so binning, atoms and KS read-outs cost what they do), through
/// every view, the cursor, pan and zoom, grid, rescaling, the message log and the edge key.
public func runViewKeyBenchmark(width: Int = 200, height: Int = 60, rounds: Int = 3) {
    func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) * 1e-6
    }
    let solved = SolveScheduler.engineSolve(gridPoints: SolveScheduler.explorerGridPoints)(.figure1, nil, true, nil)
    let display = DisplaySpectrum.byKernel(solved)
    var snapshot = EmpiricalSnapshot(sampleSize: 1000)
    for s in solved.spectra {
        let values = (0..<1000).map { s.quantile((Double($0) + 0.5) / 1000) }
        snapshot.results[s.kernel] = EmpiricalKernelResult(kernel: s.kernel, eigenvalues: values, ks: 0.01, w1: 0.01,
                                                           surrogateKS: s.kernel == .ntk ? 0.005 : nil)
    }
    var state = ExplorerState(model: .figure1, themeNames: ["dark"])
    state.empiricalOn = true
    let content = FrameContent(summary: ModelSummary(model: .figure1), spectra: display, empirical: snapshot,
                               solve: SolveStatus(lastMilliseconds: 1, warm: true))
    let script: [Key] = [.character("x"), .character("."), .character(">"), .character("z"), .character("z"), .character("L"),
                         .character("H"), .character("g"), .character("3"), .character("E"), .character("E"), .character("4"),
                         .character(","), .character("0"), .character("5"), .character("2"), .character("v"), .character("1"),
                         .character("y"), .character("M"), .escape, .character("x")]
    var frames: [String: [Double]] = [:]
    var all: [Double] = []
    for _ in 0..<rounds {
        for key in script {
            let start = now()
            guard let action = KeyMap.action(for: key, in: state) else { continue }
            _ = ExplorerReducer.reduce(&state, action, content: content)
            _ = ScreenLayout.render(state: state, content: content, width: width, height: height).plainText()
            let ms = now() - start
            let name: String
            switch key { case .character(let c): name = "\(c) (\(state.view.rawValue))"; default: name = "Esc" }
            frames[name, default: []].append(ms)
            all.append(ms)
        }
    }
    let s = all.sorted()
    func q(_ p: Double) -> Double { s[min(s.count - 1, Int(Double(s.count - 1) * p + 0.5))] }
    print("explorer: view-only keys with a sample of n = 1000 per law (\(width)×\(height), Figure 1, no solve), \(rounds) rounds of \(script.count) keys")
    print(String(format: "  all keys   median %6.2f  p90 %6.2f  max %6.2f ms", q(0.5), q(0.9), s.last ?? 0))
    for (name, v) in frames.sorted(by: { $0.key < $1.key }) {
        print(String(format: "  %-16@ median %6.2f  max %6.2f ms", name as NSString, v.sorted()[v.count / 2], v.max() ?? 0))
    }
    print(String(format: "  frames within 16 ms: %d of %d", all.filter { $0 <= 16 }.count, all.count))
}

/// Zoom re-solves (SolveScheduler's zoom jobs, ZoomPlan's windows) on Figure 1 after its full-range
/// display solve: per zoom level ×2…×64, every window of the layers view (L + 2 laws) and of the
/// focus view on CK ℓ=1 (its narrow bump) and on the NTK, after stepping through the lower zoom
/// levels as the `z` key does (each law's window starts from its previous window's cache, the first
/// from the full-range cache). Best of `rounds`.
public func runZoomBenchmark(rounds: Int = 3) {
    func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) * 1e-6
    }
    let full = SolveScheduler.engineSolve(gridPoints: SolveScheduler.explorerGridPoints)(.figure1, nil, false, nil)
    let display = DisplaySpectrum.byKernel(full)
    let zoomSolve = SolveScheduler.engineZoomSolve(gridPoints: SolveScheduler.explorerGridPoints)
    print("explorer zoom: windows re-solved (\(SolveScheduler.explorerGridPoints) points each, Figure 1), best of \(rounds)")
    print("  zoom   layers view (windows, ms)   focus CK ℓ=1 (ms)   focus NTK (ms)")
    var best: [[Double]] = Array(repeating: Array(repeating: .infinity, count: 3), count: 7)
    var counts = Array(repeating: 0, count: 7)
    for _ in 0..<rounds {
        for (column, (view, selection)) in [(ExplorerView.layers, 1), (.focus, 1), (.focus, 6)].enumerated() {
            var warm: [KernelID: SolverCache] = [:]
            for zoom in 1...6 {
                var state = ExplorerState(model: .figure1, themeNames: ["dark"], view: view)
                state.selection = selection
                state.display.zoom = zoom
                let windows = ZoomPlan.windows(state: state, spectra: display)
                let t0 = now()
                for w in windows { warm[w.kernel] = zoomSolve(state.model, w, warm[w.kernel] ?? full.cache).cache }
                best[zoom][column] = min(best[zoom][column], now() - t0)
                if column == 0 { counts[zoom] = windows.count }
            }
        }
    }
    for zoom in 1...6 {
        print(String(format: "  ×%-3d   %2d windows %7.2f             %7.2f             %7.2f", 1 << zoom, counts[zoom],
                     best[zoom][0], best[zoom][1], best[zoom][2]))
    }
}

/// 20 layouts of Figure 1's layers view at 200×60, after one display solve.
public func profileLayout(frames: Int = 20) {
    let solved = SolveScheduler.engineSolve(gridPoints: SolveScheduler.explorerGridPoints)(.figure1, nil, false, nil)
    let display = DisplaySpectrum.byKernel(solved)
    let state = ExplorerState(model: .figure1, themeNames: ["dark"])
    let content = FrameContent(summary: ModelSummary(model: state.model), spectra: display, solve: SolveStatus(lastMilliseconds: 1, warm: true))
    for _ in 0..<frames { _ = ScreenLayout.render(state: state, content: content, width: 200, height: 60) }
}
