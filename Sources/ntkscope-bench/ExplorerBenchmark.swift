import Foundation
import ExplorerCore
import LimitLaws
import PlotCanvas
#if canImport(Glibc)
import Glibc
#endif

/// Explorer latency without a terminal: a scripted key sequence on Figure 1 drives the pure state
/// machine (KeyMap + ExplorerReducer), a warm-started display-only solve (SolveScheduler's first phase, passing
/// the previous SolverCache) whenever the model changed, and ScreenLayout.render at 200×60. "frame" = solve + layout,
/// i.e. key press → finished frame minus the ncurses write (measure that with `ntkscope --timing-log`).
public func runExplorerBenchmark(width: Int = 200, height: Int = 60, rounds: Int = 3) {
    func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) * 1e-6
    }
    let engine = LimitLawEngine()
    // as SolveScheduler's first phase: the fast display-only solve on the explorer's grid
    var options = SolveOptions()
    options.gridPoints = SolveScheduler.explorerGridPoints
    options.accurateCDF = false
    // the script: γ steps on several layers, all layers, depth, γ₀, b_σ, activation, and view-only keys
    let script: [(String, Key)] = [
        ("k", .character("k")), ("k", .character("k")), ("j", .character("j")), ("l", .character("l")),
        ("k", .character("k")), ("j", .character("j")), ("l", .character("l")), ("k", .character("k")),
        ("K", .character("K")), ("J", .character("J")), ("i", .character("i")), ("I", .character("I")),
        ("b", .character("b")), ("B", .character("B")), ("D", .character("D")), ("d", .character("d")),
        ("a", .character("a")), ("A", .character("A")), ("y", .character("y")), ("z", .character("z")),
        ("Z", .character("Z")), ("2", .character("2")), ("3", .character("3")), ("1", .character("1")),
        ("u", .character("u")), ("r", .character("r")),
    ]
    var state = ExplorerState(model: .figure1, themeNames: ["dark"])
    let t0 = now()
    var solved = engine.solve(state.model, options: options)
    let cold = now() - t0
    var display = DisplaySpectrum.byKernel(solved)
    var frames: [String: [Double]] = [:], solves: [String: [Double]] = [:], layouts: [Double] = []
    var all: [Double] = []
    for _ in 0..<rounds {
        for (name, key) in script {
            let start = now()
            guard let action = KeyMap.action(for: key, in: state) else { continue }
            let before = state.model
            _ = ExplorerReducer.reduce(&state, action)
            var solveMs = 0.0
            if state.model != before {
                let s0 = now()
                solved = engine.solve(state.model, options: options, previous: solved.cache)
                solveMs = now() - s0
                display = DisplaySpectrum.byKernel(solved)
                solves[name, default: []].append(solveMs)
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
        }
    }
    func stats(_ v: [Double]) -> String {
        guard !v.isEmpty else { return "-" }
        let s = v.sorted()
        func q(_ p: Double) -> Double { s[min(s.count - 1, Int(Double(s.count - 1) * p + 0.5))] }
        return String(format: "median %6.2f  p90 %6.2f  max %6.2f ms (n=%d)", q(0.5), q(0.9), s.last!, s.count)
    }
    print("explorer: key → finished frame (warm solve + layout, \(width)×\(height), Figure 1), \(rounds) rounds of \(script.count) keys")
    print(String(format: "  cold first solve          %8.2f ms", cold))
    print("  all keys                  " + stats(all))
    print("  layout only               " + stats(layouts))
    var seen = Set<String>()
    for (name, _) in script where !seen.contains(name) {
        seen.insert(name)
        print("  key \(name.padding(toLength: 2, withPad: " ", startingAt: 0))  frame  " + stats(frames[name] ?? []) + "   solve " + stats(solves[name] ?? []))
    }
    let within = all.filter { $0 <= 16 }.count
    print(String(format: "  frames within 16 ms: %d of %d (%.0f%%)", within, all.count, 100 * Double(within) / Double(max(1, all.count))))
    runViewKeyBenchmark(width: width, height: height, rounds: rounds)
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
    let solved = SolveScheduler.engineSolve(gridPoints: SolveScheduler.explorerGridPoints)(.figure1, nil, true)
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
    let full = SolveScheduler.engineSolve(gridPoints: SolveScheduler.explorerGridPoints)(.figure1, nil, false)
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
    let solved = SolveScheduler.engineSolve(gridPoints: SolveScheduler.explorerGridPoints)(.figure1, nil, false)
    let display = DisplaySpectrum.byKernel(solved)
    let state = ExplorerState(model: .figure1, themeNames: ["dark"])
    let content = FrameContent(summary: ModelSummary(model: state.model), spectra: display, solve: SolveStatus(lastMilliseconds: 1, warm: true))
    for _ in 0..<frames { _ = ScreenLayout.render(state: state, content: content, width: 200, height: 60) }
}
