// `make bench`: speed and memory benchmarks. Results are recorded in docs/performance.md.
// Usage: ntkscope-bench [engine|sampling|explorer|all] [--verbose]
let arguments = Array(CommandLine.arguments.dropFirst())
let verbose = arguments.contains("--verbose")
let sections = arguments.filter { !$0.hasPrefix("--") }
let wanted = sections.isEmpty ? ["all"] : sections
if wanted.contains("engine") || wanted.contains("all") {
    runEngineBenchmark(verbose: verbose)
}
if wanted.contains("sampling") || wanted.contains("all") {
    runSamplingBenchmark()
}
