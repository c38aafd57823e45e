@testable import LimitLaws
import PropertyBased
import Testing

/// Random models against the exact invariants: every solved law (each CK layer and the NTK) has
/// mass 1, and its mean and variance agree with the free moment recursion (computed without solving)
/// to 10⁻⁶, with no failed points. The domain is the issue's: depth 1–32, γ_ℓ from 10⁻³ to 10³ within
/// a model, every activation (with random leaky-relu, elu and b-family members), random τ, and
/// Gaussian, orthonormal and discrete input laws (3–40 eigenvalues over three decades, some zero).
/// `ntkscope-bench sweep` runs the same kind of sweep at larger counts and prints how many laws fail
/// (docs/math.md, "Self-checks" and "Known limits").
@Suite struct SelfCheckSweepTests {
    static let activations = Activation.cycle + ["b-family:0.3", "b-family:-0.7", "leaky-relu:0.1", "elu:0.5"]

    struct Case: CustomStringConvertible, Sendable {
        var logGammas: [Double]
        var activation: Int
        /// A parametrised family (0: none, 1: leaky-relu, 2: elu, 3: b-family) and its parameter in [0, 1].
        var family: Int
        var parameter: Double
        var input: Int
        var logGamma0: Double
        /// log10 of the discrete input's eigenvalues, and how many zeros join them.
        var logEigenvalues: [Double]
        var zeros: Int
        var logTau: [Double]?

        var model: NetworkModel {
            var name = SelfCheckSweepTests.activations[activation % SelfCheckSweepTests.activations.count]
            switch family {
            case 1: name = "leaky-relu:\(parameter)"
            case 2: name = "elu:\(0.2 + 2 * parameter)"
            case 3: name = "b-family:\(2 * parameter - 1)"
            default: break
            }
            let gammas = logGammas.map { Double.pow(10, $0) }
            let law: InputLaw
            switch input {
            case 0: law = .orthonormal
            case 1: law = .marcenkoPastur(gamma0: Double.pow(10, logGamma0))
            default:
                let values = logEigenvalues.map { Double.pow(10, $0) } + Array(repeating: 0, count: zeros)
                let mean = values.reduce(0, +) / Double(values.count)
                law = .discrete(eigenvalues: values.map { $0 / mean })
            }
            let tau = logTau.map { t in (0...gammas.count).map { Double.pow(10, t[$0 % t.count]) } }
            return NetworkModel(activation: try! Activation.named(name), input: law, gammas: gammas, tau: tau)
        }
        var description: String {
            let m = model
            return "σ \(m.activation.name), input \(m.input.shortDescription) \(logEigenvalues.isEmpty || input < 2 ? "" : "log10 λ \(logEigenvalues) + \(zeros) zeros"), γ \(m.gammas), τ \(m.tau.map { "\($0)" } ?? "none")"
        }
    }

    /// Depth 1–6 for 60% of the models, 7–32 for the rest (as in `ntkscope-bench sweep`).
    static let depths = zip(Gen.int(in: 0...9), Gen.int(in: 1...6), Gen.int(in: 7...32)).map { k, shallow, deep in k < 6 ? shallow : deep }

    static let cases = zip(
        zip(depths, Gen.double(in: -3...3).array(of: 32)),
        Gen.int(in: 0...40),
        zip(Gen.int(in: 0...5), Gen.double(in: 0...1)),
        Gen.int(in: 0...3),
        Gen.double(in: -2...2),
        zip(Gen.double(in: -2...1).array(of: 3...40), Gen.int(in: 0...9)),
        Gen.double(in: -1...1).array(of: 1...4).optional(valueRate: 0.2)
    ).map { gammas, activation, family, input, gamma0, discrete, tau in
        Case(logGammas: Array(gammas.1.prefix(gammas.0)), activation: activation, family: family.0 > 2 ? 0 : family.0 + 1,
             parameter: family.1, input: min(input, 2), logGamma0: gamma0, logEigenvalues: discrete.0,
             zeros: discrete.1 < 3 ? discrete.1 * 5 : 0, logTau: tau)
    }

    /// The sweep's models, drawn once from a fixed seed, so the suite is deterministic; a failure
    /// prints the model to reproduce, and the model becomes a regression case (SweepRegressionTests).
    /// (PropertyBased's random seeds and shrinking are for local runs: change `seed` for a fresh sample.)
    static let models: [Case] = {
        var rng = Xoshiro(seed: (0x6E746B73636F7065, 0x73656C662D636865, 0x636B737765657021, 0x0000000000000001))
        return (0..<count).map { _ in cases.run(using: &rng) }
    }()

    /// In four parts, which run in parallel.
    @Test(arguments: 0..<4) func everyLawPassesItsSelfCheck(part: Int) {
        for index in stride(from: part, to: Self.count, by: 4) {
            let c = Self.models[index]
            let result = LimitLawEngine().solve(c.model)
            // Every solved law (the input law, layer 0, is given, not solved).
            for s in result.spectra where s.kernel != .ck(0) {
                let expectations = {
                    #expect(s.check?.passed == true, "model \(index), \(s.kernel) of \(c): \(s.check?.failureDescription ?? "not checked")")
                    #expect(s.failures == 0, "model \(index), \(s.kernel) of \(c): \(s.failures) failed points")
                }
                if let reason = Self.knownFailures[index] {
                    // Flagged by the check (never silent), not yet solved; fails here once it is.
                    withKnownIssue(Comment(rawValue: reason), isIntermittent: true) { expectations() }
                } else {
                    expectations()
                }
            }
        }
    }

    static let count = 300

    /// Models of this sweep with a law that still fails its check (docs/math.md, "Known limits"),
    /// each flagged by the check in every output. None at present. (144, 175 and 200, near-linear
    /// leaky ReLUs whose layers put structure ~10⁻¹² of the scale from 0 or from an atom, pass since
    /// the clearance, η and the edge tolerance became relative to the distance from the atoms and the
    /// lower end; 194 since a law failing its check is integrated again from finer Simpson panels;
    /// 295 since such a law is also searched for gaps between Simpson's samples.)
    static let knownFailures: [Int: String] = [:]
}
