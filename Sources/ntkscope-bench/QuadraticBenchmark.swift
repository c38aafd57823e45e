import Glibc
import LimitLaws
import NetworkSampling
import QuadraticScaling

/// The quadratic-scaling regime: a cold law solve (H, its discretisation, the Marcenko–Pastur map).
func runQuadraticLawBenchmark(verbose: Bool) {
    let cases: [(String, Double, Double, OutputWeightLaw)] = [
        ("relu", 0.5, 1, .rademacher), ("quadratic", 0.8, 0.5, .rademacher), ("tanh", 1.5, 0.5, .rademacher),
    ]
    for (name, g1, g2, law) in cases {
        guard let act = try? DerivativeActivation.named(name) else { continue }
        let settings = QuadraticSettings(gamma1: g1, gamma2: g2, activation: act, outputLaw: law)
        var result: QuadraticSpectra? = nil
        var population = 0.0
        let t = bestTime(3) { result = try? QuadraticScalingSolver.solve(settings) }
        // CPU time of this thread: what the solve costs on one core whatever else the machine runs.
        let cpu = bestCPUTime(3) { _ = try? QuadraticScalingSolver.solve(settings) }
        population = bestTime(3) { _ = try? QuadraticScalingSolver.population(settings) }
        guard let r = result else { print("quadratic: \(name) failed"); continue }
        print("quadratic: cold law solve \(name) γ1=\(g1) γ2=\(g2) ν=\(law): \(ms(t)) ms wall, \(ms(cpu)) ms CPU (H: \(ms(population)) ms; \(r.discretisation.distinct) distinct atoms; KS bound \(r.ntkKSBound); checks \(r.failed ? "FAILED" : "passed"))")
        if verbose {
            for c in r.checks { print("   \(c.summary)") }
            print("   statistics \(r.ntk.covarianceSide.statistics)")
        }
    }
}

/// The sampled check at d = p = 60 (n = 1800): sample, eigenvalues, law solve, KS of the bulk.
func runQuadraticSamplingBenchmark() {
    guard let act = try? DerivativeActivation.named("relu") else { return }
    let settings = QuadraticSettings(gamma1: 0.5, gamma2: 1, activation: act)
    let request = QuadraticSamplingRequest(settings: settings, d: 60, seed: 1, precision: .float32)
    var sample: QuadraticSample? = nil
    var law: QuadraticSpectra? = nil
    let total = bestTime(1) {
        sample = try? QuadraticSampler.run(request)
        guard let s0 = sample else { return }
        law = try? QuadraticScalingSolver.solve(s0.lawSettings)
    }
    guard let s = sample, let l = law else { print("quadratic: sampled check failed"); return }
    let c = QuadraticSampler.compare(s, with: l)
    print("quadratic: sampled check d = p = 60 (n = \(s.n), float32): sample + eigenvalues \(ms(s.seconds)) ms, with the law solve and KS \(ms(total)) ms; KS \(c.ks), W1 \(c.w1)")
}

/// Thread CPU seconds of `body`, best of `repeats`.
func bestCPUTime(_ repeats: Int, _ body: () -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<repeats {
        var t0 = timespec(), t1 = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0)
        body()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1)
        best = min(best, Double(t1.tv_sec - t0.tv_sec) + Double(t1.tv_nsec - t0.tv_nsec) * 1e-9)
    }
    return best
}
