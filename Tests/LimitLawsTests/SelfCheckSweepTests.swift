@testable import LimitLaws
import PropertyBased
import Testing

/// Random models against the exact invariants: every solved law's mass is 1 and its mean and
/// variance agree with the free moment recursion (computed without solving) to 10⁻⁶, with no
/// failed points. PropertyBased shrinks a failure to a small model (fewer layers, simpler γ).
/// `ntkscope-bench sweep` runs the same kind of sweep over more models and more input laws and
/// prints the counts (docs/math.md, "Self-checks").
@Suite struct SelfCheckSweepTests {
    static let activations = Activation.cycle + ["b-family:0.3", "b-family:-0.7", "leaky-relu:0.1", "elu:0.5"]

    struct Case: CustomStringConvertible, Sendable {
        var logGammas: [Double]
        var activation: Int
        var input: Int
        var logGamma0: Double
        var logTau: [Double]?

        var model: NetworkModel {
            let name = SelfCheckSweepTests.activations[activation % SelfCheckSweepTests.activations.count]
            let gammas = logGammas.map { Double.pow(10, $0) }
            let law: InputLaw = input == 0 ? .orthonormal : .marcenkoPastur(gamma0: Double.pow(10, logGamma0))
            let tau = logTau.map { t in (0...gammas.count).map { Double.pow(10, t[$0 % t.count]) } }
            return NetworkModel(activation: try! Activation.named(name), input: law, gammas: gammas, tau: tau)
        }
        var description: String {
            let m = model
            return "σ \(m.activation.name), input \(m.input.shortDescription), γ \(m.gammas), τ \(m.tau.map { "\($0)" } ?? "none")"
        }
    }

    static let cases = zip(
        Gen.double(in: -3...3).array(of: 1...32),
        Gen.int(in: 0...40),
        Gen.int(in: 0...1),
        Gen.double(in: -2...2),
        Gen.double(in: -1...1).array(of: 1...4).optional(valueRate: 0.3)
    ).map { Case(logGammas: $0, activation: $1, input: $2, logGamma0: $3, logTau: $4) }

    @Test(.fixedSeed("Zm9yIG50a3Njb3BlJ3Mgc2VsZi1jaGVja3MhISEhISE="))
    func everyLawPassesItsSelfCheck() async {
        await propertyCheck(count: 60, input: Self.cases) { c in
            let model = c.model
            // The NTK and the top CK layer (lower layers are solved on the way, for their edges).
            let result = LimitLawEngine().solve(model, options: SolveOptions(kernels: [.ck(model.depth), .ntk]))
            for s in result.spectra {
                let check = s.check
                #expect(check?.passed == true, "\(s.kernel) of \(c): \(check?.failureDescription ?? "not checked")")
                #expect(s.failures == 0, "\(s.kernel) of \(c): \(s.failures) failed points")
            }
        }
    }
}
