// `make bench`: speed and memory benchmarks. Results are recorded in docs/performance.md.
// Usage: ntkscope-bench [engine|engine2|quadratic|sampling|eigen [N…]|plan [N…]|large [N]|explorer|explorer-stale|zoom|training|sweep|sweep-one|all] [--verbose] [--threads=N] (`all` leaves out training and the sweeps)
// Instruction counts under valgrind: profile, profile-cold, profile-display(-cold), profile-deep, profile-layout.
import Glibc
import NetworkSampling
BLASKernels.restartWithBetterKernelsIfNeeded()
let arguments = Array(CommandLine.arguments.dropFirst())
let verbose = arguments.contains("--verbose")
let sections = arguments.filter { !$0.hasPrefix("--") }
let wanted = sections.isEmpty ? ["all"] : sections
import LimitLaws
import ExplorerCore
if wanted.contains("engine") || wanted.contains("all") {
    runEngineBenchmark(verbose: verbose)
}
if wanted.contains("engine2") {
    engineFigures(threads: 2, verbose: verbose)
}
if wanted.contains("quadratic") || wanted.contains("all") {
    runQuadraticLawBenchmark(verbose: verbose)
    runQuadraticSamplingBenchmark()
}
if wanted.contains("sampling") || wanted.contains("all") {
    runSamplingBenchmark()
}
if wanted.first == "eigen" {
    let sizes = sections.dropFirst().compactMap { Int($0) }
    runEigenBenchmark(sizes: sizes.isEmpty ? [3000, 6000] : sizes)
}
if wanted.first == "large" {
    runLargeSampling(n: sections.dropFirst().compactMap { Int($0) }.first ?? 20000)
}
if wanted.first == "plan" {
    let sizes = sections.dropFirst().compactMap { Int($0) }
    printMemoryPlans(sizes: sizes.isEmpty ? [3000, 10000, 20000] : sizes)
}
if wanted.contains("explorer") || wanted.contains("all") {
    // --threads=N: the solver's threads (default: what the explorer would take now, by the load).
    let threads = arguments.first { $0.hasPrefix("--threads=") }.flatMap { Int($0.dropFirst(10)) } ?? SolveScheduler.solverThreads()
    runExplorerBenchmark(threads: threads)
    runStaleKeyBenchmark(threads: threads)
    runZoomBenchmark()
}
if wanted.contains("explorer-stale") {
    let threads = arguments.first { $0.hasPrefix("--threads=") }.flatMap { Int($0.dropFirst(10)) } ?? SolveScheduler.solverThreads()
    runStaleKeyBenchmark(threads: threads)
}
if wanted.contains("training") {
    runTrainingBenchmark()
}
if wanted.first == "sweep-one" {
    let numbers = sections.dropFirst().compactMap { Int($0) }
    var r = SweepRandom(state: UInt64(numbers.first ?? 1))
    var model = randomSweepModel(&r)
    for _ in 0..<(numbers.dropFirst().first ?? 0) { model = randomSweepModel(&r) }
    print("model: σ \(model.activation.name) \(model.activation.shape) b \(model.activation.b) input \(model.input) γ \(model.gammas) τ \(model.tau ?? [])")
    let result = LimitLawEngine().solve(model)
    for s in result.spectra where s.checkFailed || s.failures > 0 || numbers.count > 2 {
        let t = s.statistics
        print("\(s.kernel): \(s.check?.failureDescription ?? "-") failures \(s.failures); points \(t.points), Newton iterations \(t.iterations), continuations \(t.continuations)")
        print("   atoms \(s.atoms.map { "\($0.location)@\($0.mass)" }) approximation \(s.approximation.map { "\($0)" } ?? "none")")
        print("   support \(s.support.map { "[\($0.lowerBound), \($0.upperBound)] mass \(s.cdf($0.upperBound) - s.cdf($0.lowerBound))" })")
    }
}
if wanted.first == "sweep" {
    let numbers = sections.dropFirst().compactMap { Int($0) }
    runSweep(count: numbers.first ?? 200, seed: UInt64(numbers.dropFirst().first ?? 1))
}
if wanted.contains("zoom") {
    runZoomBenchmark()
}
/// One cold Figure-1 solve and, with `warm`, the re-solve after γ_3 × 1.01: for instruction counts
/// under valgrind (cachegrind needs a binary without DWARF 5 debug info: `strip -g` a copy).
func profile(_ options: SolveOptions, warm: Bool) {
    let engine = LimitLawEngine()
    var options = options
    options.threads = 1   // instruction counts of the one-core work
    let cold = engine.solve(.figure1, options: options)
    guard warm else { return }
    var changed = NetworkModel.figure1
    changed.gammas[2] *= 1.01
    _ = engine.solve(changed, options: options, previous: cold.cache)
}
// The explorer's first phase: display-only solves on its 256-point grid.
if wanted.contains("profile-display") || wanted.contains("profile-display-cold") {
    profile(SolveOptions(gridPoints: 256, accurateCDF: false), warm: wanted.contains("profile-display"))
}
if wanted.contains("profile") || wanted.contains("profile-cold") {
    profile(SolveOptions(), warm: wanted.contains("profile"))
}
// The engine bench's depth-20 cold solve (Figure 1 with γ_ℓ = 0.5 for 20 layers), one thread.
if wanted.contains("profile-deep") {
    var deep = NetworkModel.figure1
    deep.gammas = Array(repeating: 0.5, count: 20)
    var options = SolveOptions()
    options.threads = 1
    _ = LimitLawEngine().solve(deep, options: options)
}
// The explorer's layout alone: 20 frames of the layers view at 200×60 (for instruction counts).
if wanted.contains("profile-layout") {
    profileLayout()
}
// End without library destructors: OpenBLAS's exit handler can deadlock joining its threads.
fflush(nil)
_exit(0)
