import Foundation
import LimitLaws
import NetworkSampling
import NetworkTraining

/// `ntkscope-bench training` (`make bench-training`): the default training run (n = 400, widths 320, 50 epochs;
/// target under a minute) and the paper's Figure 3 setting (n = 1000, d0 = 800, three layers of 800, Adam,
/// batch 32, 300 epochs, snapshots every 30; target under 15 minutes on two cores), with where the time goes.
///
/// Environment: NTKSCOPE_BENCH_EPOCHS shortens the Figure 3 run (e.g. 30 for a quick look; the target is for 300),
/// NTKSCOPE_BENCH_SEEDS runs Figure 3 for K seeds from NTKSCOPE_BENCH_SEED (default 0; the seed spread),
/// OPENBLAS_NUM_THREADS limits the snapshots' threads (the steps use one).
func runTrainingBenchmark() {
    let env = ProcessInfo.processInfo.environment
    let epochs = env["NTKSCOPE_BENCH_EPOCHS"].flatMap { Int($0) } ?? 300
    let seeds = env["NTKSCOPE_BENCH_SEEDS"].flatMap { Int($0) } ?? 1
    let firstSeed = env["NTKSCOPE_BENCH_SEED"].flatMap { Int($0) } ?? 0
    print("== training: default setting (n = 400, d0 = 320, widths 320 x 3, Adam lr 0.01, batch 32, 50 epochs, snapshots every 5) ==")
    benchTraining(TrainingSettings(), label: "default")
    for seed in firstSeed..<(firstSeed + max(1, seeds)) {
        var s = TrainingSettings.figure3
        s.epochs = epochs
        s.seed = UInt64(seed)
        print("== training: Figure 3 (n = 1000, d0 = 800, widths 800 x 3, arctan, Adam lr 0.01, batch 32, \(epochs) epochs, snapshots every 30), seed \(seed) ==")
        benchTraining(s, label: "figure3")
    }
}

/// The 1-, 5- and 15-minute load averages (other processes share the cores).
func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)).map { $0.split(separator: " ").prefix(3).joined(separator: " ") } ?? "?"
}

private func benchTraining(_ settings: TrainingSettings, label: String) {
    let s = settings
    print("load average before: \(loadAverage())")
    try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    let cpu0 = cpuSeconds()
    var record = TrainingRecord()
    do {
        try Trainer.run(s) { record.apply($0) }
    } catch {
        print("training benchmark failed: \(error)")
        return
    }
    let cpu = cpuSeconds() - cpu0
    guard let summary = record.summary else { return }
    let t = summary.timings, k = t.kernels
    let rows: [(String, Double)] = [
        ("steps", t.steps), ("  of which optimiser", t.optimizer), ("evaluation", t.evaluation),
        ("snapshots", t.snapshots), ("  forward+grams", k.input + k.forward + k.grams), ("  ntk", k.ntk),
        ("  eigenvalues", k.eigenvalues), ("  eigenvectors", k.eigenvectors), ("laws", t.laws), ("total", t.total),
    ]
    for (name, v) in rows {
        print(name.padding(toLength: 22, withPad: " ", startingAt: 0) + String(format: "%8.1f s  %5.1f%%", v, 100 * v / max(t.total, 1e-9)))
    }
    print(String(format: "cpu time              %8.1f s   (%d step, %d snapshot threads; load average after: %@)", cpu, summary.plan.stepThreads, summary.plan.threads, loadAverage()))
    print("peak resident         \(MemoryInfo.format(summary.peakResidentBytes ?? 0)) (estimate \(MemoryInfo.format(summary.plan.estimatedBytes)))")
    let target = label == "figure3" ? 900.0 * Double(s.epochs) / 300 : 60
    print(String(format: "target: %.0f s -> %@", target, t.total <= target ? "met" : "MISSED"))
    print(String(format: "final train MSE %.3e, test %@ %.4f", summary.finalTrainMSE, summary.plan.metric.rawValue, summary.finalTestMetric))
    if let last = record.snapshots.last {
        for kernel in last.kernels {
            let outliers = kernel.outliers.prefix(4).map { String(format: "%.3g (x%.2f)", $0.value, $0.ratio) }.joined(separator: ", ")
            let shares = kernel.top.prefix(3).map { String(format: "%.1f%%", 100 * $0.cumulativeShare) }.joined(separator: " ")
            print("  epoch \(last.epoch) \(kernel.kernel): \(kernel.outliers.count) outliers beyond \(String(format: "%.4g", kernel.edge ?? .nan))"
                  + (outliers.isEmpty ? "" : " [\(outliers)\(kernel.outliers.count > 4 ? ", …" : "")]") + "; label variance on top 1/2/3: \(shares)")
        }
    }
}
