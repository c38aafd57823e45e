import Dispatch
import Foundation
import ExplorerCore
import LimitLaws
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Keys pressed while the previous model's accurate (second-phase) solve runs, through the real
/// `SolveScheduler`: key → the new model's fast result → layout at `width`×`height`. Each model key
/// is pressed half an accurate solve after that solve started (half its duration measured on the
/// model first). Run twice per model, alternating: with the stale solve stopped between laws (what
/// the explorer does) and with it run to the end (the engine given no `shouldStop`, as before), so
/// the two are compared under the same load.
public func runStaleKeyBenchmark(width: Int = 200, height: Int = 60, rounds: Int = 3, threads: Int) {
    print("explorer: model keys (\(modelKeyScript.map(\.0).joined(separator: " "))) pressed during the accurate phase (SolveScheduler, key → fast frame of the new model), \(rounds) rounds; load average \(loadAverage()), solver threads \(threads)")
    for (label, model) in [("Figure 1 (L = 5)", NetworkModel.figure1), ("depth 8", depthModel(8)), ("depth 32", depthModel(32))] {
        var stopped: [(String, Double)] = [], finished: [(String, Double)] = []
        var stops = 0, delay = 0.0
        for round in 0..<(2 * rounds) {
            let stop = round % 2 == 0
            let r = staleKeyLatency(model: model, stop: stop, threads: threads, width: width, height: height)
            if stop { stopped += r.frames; stops += r.stops } else { finished += r.frames }
            delay = r.delay
        }
        func stats(_ v: [(String, Double)]) -> String {
            let s = v.map(\.1).sorted()
            var line = String(format: "median %7.2f  p100 %7.2f ms (n=%d); p100 by kind:", s[s.count / 2], s.last!, s.count)
            for (kind, keys) in [("γ_ℓ", "kj"), ("all γ", "KJ"), ("b_σ", "bB"), ("σ", "aA")] {
                let k = v.filter { keys.contains($0.0) }.map(\.1)
                if let m = k.max() { line += String(format: " %@ %.1f", kind as NSString, m) }
            }
            return line
        }
        print("  \(label) (keys \(String(format: "%.1f", delay)) ms into the accurate solve)")
        print("    stale solve run to the end       " + stats(finished))
        print("    stale solve stopped between laws " + stats(stopped) + "  (\(stops) solves stopped)")
    }
}

/// One round of the model keys on `model`; returns the key → frame times, the solves stopped and the delay used.
func staleKeyLatency(model: NetworkModel, stop: Bool, threads: Int, width: Int, height: Int)
    -> (frames: [(String, Double)], stops: Int, delay: Double) {
    let now = monotonicMilliseconds
    let engine = LimitLawEngine()
    let accurateStarted = DispatchSemaphore(value: 0)
    let accurateTimes = Mutex<[Double]>([])
    let solve: SolveScheduler.Solve = { m, cache, accurate, shouldStop in
        var options = SolveOptions(threads: threads)
        options.gridPoints = SolveScheduler.explorerGridPoints
        options.accurateCDF = accurate
        if accurate { accurateStarted.signal() }
        let t0 = now()
        let r = engine.solve(m, options: options, previous: cache, shouldStop: stop ? shouldStop : nil)
        if accurate && !r.stopped { accurateTimes.withLock { $0.append(now() - t0) } }
        return r
    }
    let ready = DispatchSemaphore(value: 0)
    let scheduler = SolveScheduler(solve: solve, notify: { ready.signal() })
    /// Waits for a result of `model` (its fast phase, or its accurate one with `accurate`).
    func result(of model: NetworkModel, accurate: Bool) -> SolveResult {
        while true {
            ready.wait()
            if let r = scheduler.takeResult(), r.model == model, r.accurate || !accurate { return r }
        }
    }
    var state = ExplorerState(model: model, themeNames: ["dark"])
    scheduler.request(state.model)
    _ = result(of: state.model, accurate: true)    // the model settled: its accurate time sets the delay
    let delay = 0.5 * (accurateTimes.withLock { $0.last } ?? 0)
    accurateStarted.wait()                          // (that accurate phase's start)
    var frames: [(String, Double)] = []
    var first = true
    // A model seen again is recalled (SolveScheduler's recent results): with its accurate result
    // there is no accurate phase to press the next key into, so that key is pressed at once.
    var accuratePhaseRuns = true
    for (name, key) in modelKeyScript {
        guard let action = KeyMap.action(for: key, in: state) else { continue }
        var next = state
        _ = ExplorerReducer.reduce(&next, action)
        if next.model == state.model { continue }
        // The first key only starts the chain (nothing runs yet); each later key is pressed `delay`
        // after the accurate phase of the model before it started.
        if !first && accuratePhaseRuns {
            accurateStarted.wait()
            usleep(UInt32(delay * 1000))
        }
        let start = now()
        state = next
        scheduler.request(state.model)
        let r = result(of: state.model, accurate: false)
        accuratePhaseRuns = !(r.recalled && r.accurate)
        let content = FrameContent(summary: ModelSummary(model: state.model), spectra: r.display,
                                   solve: SolveStatus(lastMilliseconds: r.milliseconds, warm: r.warm))
        _ = ScreenLayout.render(state: state, content: content, width: width, height: height).plainText()
        if !first { frames.append((name, now() - start)) }
        first = false
    }
    // Let the last accurate solve finish before the scheduler goes away.
    while scheduler.isBusy { usleep(1000) }
    return (frames, scheduler.stoppedSolveCount, delay)
}

/// CLOCK_MONOTONIC in milliseconds.
@Sendable func monotonicMilliseconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) * 1e-6
}
