import LimitLaws
#if canImport(Glibc)
import Glibc
#endif

/// splitmix64: a small seeded generator, so a sweep is reproducible from its seed.
struct SweepRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func logUniform(_ lo: Double, _ hi: Double) -> Double { lo * Double.pow(hi / lo, uniform()) }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
}

/// A random model of the sweep: depth 1–32 (small depths more often), γ_ℓ log-uniform in
/// [1e−3, 1e3], every activation (with random parameters), random τ, and all three input kinds.
func randomSweepModel(_ r: inout SweepRandom) -> NetworkModel {
    let depth = r.uniform() < 0.6 ? r.int(1...6) : r.int(7...32)
    var name = Activation.cycle[r.int(0...(Activation.cycle.count - 1))]
    switch r.int(0...5) {
    case 0: name = "b-family:\(2 * r.uniform() - 1)"
    case 1: name = "leaky-relu:\(r.uniform())"
    case 2: name = "elu:\(0.2 + 2 * r.uniform())"
    default: break
    }
    let activation = (try? Activation.named(name)) ?? (try! Activation.named("tanh"))
    let gammas = (0..<depth).map { _ in r.logUniform(1e-3, 1e3) }
    let input: InputLaw
    switch r.int(0...3) {
    case 0: input = .orthonormal
    case 1:
        let count = r.int(3...40)
        var values = (0..<count).map { _ in r.logUniform(1e-2, 10) }
        if r.uniform() < 0.3 { values += Array(repeating: 0, count: r.int(1...count)) }
        let mean = values.reduce(0, +) / Double(values.count)
        input = .discrete(eigenvalues: values.map { $0 / mean })
    default: input = .marcenkoPastur(gamma0: r.logUniform(1e-2, 1e2))
    }
    let tau: [Double]? = r.uniform() < 0.2 ? (0...depth).map { _ in r.logUniform(0.1, 10) } : nil
    return NetworkModel(activation: activation, input: input, gammas: gammas, tau: tau)
}

/// `ntkscope-bench sweep [count] [seed]`: solves every law of random models accurately and counts
/// the laws whose self-check (exact mass, mean and variance) fails; prints each failing model.
func runSweep(count: Int, seed: UInt64) {
    var r = SweepRandom(state: seed)
    let engine = LimitLawEngine()
    var laws = 0, failed = 0, approximated = 0, failedPoints = 0
    var worstMass = 0.0, worstMean = 0.0, worstVariance = 0.0
    var points = 0, iterations = 0, continuations = 0
    var slowest: [(seconds: Double, model: Int)] = []
    func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
    let begin = now()
    for i in 0..<count {
        let model = randomSweepModel(&r)
        let start = now()
        let result = engine.solve(model)
        slowest.append((now() - start, i))
        for s in result.spectra {
            laws += 1
            points += s.statistics.points
            iterations += s.statistics.iterations
            continuations += s.statistics.continuations
            if s.approximation != nil { approximated += 1 }
            if s.failures > 0 { failedPoints += 1 }
            guard let c = s.check else { continue }
            worstMass = max(worstMass, c.massError)
            worstMean = max(worstMean, c.meanError)
            worstVariance = max(worstVariance, c.varianceError)
            if !c.passed || s.failures > 0 {
                failed += 1
                print("model \(i): σ \(model.activation.name) input \(model.input.shortDescription) γ \(model.gammas) τ \(model.tau ?? [])")
                print("   \(s.kernel): \(c.failureDescription); failures \(s.failures)")
            }
        }
    }
    let seconds = now() - begin
    print("sweep: \(count) models (seed \(seed)), \(laws) laws in \(Int(seconds)) s: \(failed) failed the self-check or had failed points (\(failedPoints) with failed points), \(approximated) with a bounded approximation")
    print("sweep: worst mass error \(worstMass), mean error \(worstMean) σ, variance error \(worstVariance)")
    print("sweep: \(points) points solved, \(iterations) Newton iterations, \(continuations) continuations")
    let top = slowest.sorted { $0.seconds > $1.seconds }.prefix(5).map { "\($0.model) (\(String(format: "%.2f", $0.seconds)) s)" }
    print("sweep: slowest models \(top.joined(separator: ", "))")
}
