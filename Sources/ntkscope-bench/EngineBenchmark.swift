import Foundation
import LimitLaws
#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock seconds of `body`, best of `repeats`.
func bestTime(_ repeats: Int, _ body: () -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<repeats {
        var t0 = timespec(), t1 = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t0)
        body()
        clock_gettime(CLOCK_MONOTONIC, &t1)
        best = min(best, Double(t1.tv_sec - t0.tv_sec) + Double(t1.tv_nsec - t0.tv_nsec) * 1e-9)
    }
    return best
}

func describe(_ spectra: ModelSpectra) {
    for s in spectra.spectra {
        let atoms = s.atoms.map { "\($0.location)@\($0.mass)" }.joined(separator: " ")
        let support = s.support.map { "[\($0.lowerBound), \($0.upperBound)]" }.joined(separator: " ")
        print("  \(s.kernel): mass \(s.continuousMass + s.totalAtomMass) atoms \(atoms) support \(support)")
        print("     mean \(s.mean) vs \(s.numericalMoments[0]); m2 \(s.secondMoment) vs \(s.numericalMoments[1]); failures \(s.failures) points \(s.statistics.points) iterations \(s.statistics.iterations) continuations \(s.statistics.continuations) dense Newton steps \(s.statistics.denseNewtonSteps)")
    }
}

/// The engine on one thread (the issue's one-core figures; `make bench` pins it to one core), then,
/// where the process may use two cores, the same solves with the laws pipelined on two threads
/// (`engine2` alone: `make bench` runs it unpinned).
func runEngineBenchmark(verbose: Bool) {
    print("machine: \(machineLine())")
    engineFigures(threads: 1, verbose: verbose)
    if allowedCores() >= 2 { engineFigures(threads: 2, verbose: verbose) }
}

func engineFigures(threads: Int, verbose: Bool) {
    let engine = LimitLawEngine()
    let model = NetworkModel.figure1
    let full = SolveOptions(threads: threads)
    var result = engine.solve(model, options: full)
    if verbose { describe(result) }
    let cold = bestTime(5) { result = engine.solve(model, options: full) }
    var changed = model
    changed.gammas[2] *= 1.01
    var warmResult = result
    let warm = bestTime(5) { warmResult = engine.solve(changed, options: full, previous: result.cache) }
    if verbose { print("warm:"); describe(warmResult) }
    var deep = model
    deep.gammas = Array(repeating: 0.5, count: 20)
    var deepResult = result
    let depth20 = bestTime(3) { deepResult = engine.solve(deep, options: full) }
    if verbose { print("depth 20:"); describe(deepResult) }
    let fast = SolveOptions(accurateCDF: false, threads: threads)
    var display = engine.solve(model, options: fast)
    let coldDisplay = bestTime(5) { display = engine.solve(model, options: fast) }
    let warmDisplay = bestTime(5) { _ = engine.solve(changed, options: fast, previous: display.cache) }
    let label = threads == 1 ? "" : " [\(threads) threads]"
    print("engine\(label): cold solve (Figure 1, CK 0-5 + NTK, 400 points): \(ms(cold)) ms")
    print("engine\(label): warm re-solve after gamma_3 * 1.01:               \(ms(warm)) ms")
    print("engine\(label): cold solve, depth 20:                            \(ms(depth20)) ms")
    print("engine\(label): display-only (no CDF quadrature) cold / warm:    \(ms(coldDisplay)) / \(ms(warmDisplay)) ms")
    print("engine\(label): failures cold/warm/depth20: \(result.failures)/\(warmResult.failures)/\(deepResult.failures)")
    if threads == 1 {
        // issue 15's targets, one core
        func verdict(_ name: String, _ seconds: Double, _ target: Double) -> String {
            "\(name) \(ms(seconds)) ms <= \(ms(target)) ms: \(seconds <= target ? "met" : "NOT met")"
        }
        print("engine: targets (one core): " + [verdict("cold", cold, 6e-3), verdict("warm", warm, 1.5e-3), verdict("depth 20", depth20, 50e-3)].joined(separator: "; "))
    }
}

/// Cores this process may run on (`taskset` narrows it), from /proc/self/status.
func allowedCores() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else { return 1 }
    let hex = line.split(separator: ":").last!.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "")
    return hex.reduce(0) { $0 + (Int(String($1), radix: 16) ?? 0).nonzeroBitCount }
}

func ms(_ s: Double) -> String {
    let v = (s * 10000).rounded() / 10
    return "\(v)"
}
