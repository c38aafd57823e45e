// `make bench`: speed and memory benchmarks. Results are recorded in docs/performance.md.
let arguments = CommandLine.arguments.dropFirst()
let verbose = arguments.contains("--verbose")
runEngineBenchmark(verbose: verbose)
