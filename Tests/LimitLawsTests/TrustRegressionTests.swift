@testable import LimitLaws
import Testing

/// The reported wrong answers, each against a value computed independently of the solver: the
/// variance from the free moment recursion written out here (Var K_ℓ = b⁴ Var K_{ℓ−1} + γ_ℓ,
/// Cov(K_i, K_j) = b^{2(j−i)} Var K_i), closed forms, or the figures of the report (the variance
/// 447.21 agrees with a sampled Lemma-3.5 surrogate).
@Suite struct TrustRegressionTests {
    let engine = LimitLawEngine()

    /// Var(z_{−1} + Σ_ℓ z_ℓ K_ℓ) for Gaussian inputs (K_0 = MP(γ_0)), written out independently.
    static func variance(b: Double, gamma0: Double, gammas: [Double], coefficients z: [Double]) -> Double {
        let b2 = b * b
        var varK = [gamma0]
        for g in gammas { varK.append(b2 * b2 * varK.last! + g) }
        var total = 0.0
        for i in varK.indices {
            for j in varK.indices {
                let (lo, hi) = (min(i, j), max(i, j))
                total += z[i] * z[j] * Double.pow(b2, hi - lo) * varK[lo]
            }
        }
        return total
    }

    func solve(_ model: NetworkModel, _ kernel: KernelID, combination: [Double]? = nil) throws -> LimitSpectrum {
        try #require(engine.solve(model, options: SolveOptions(kernels: [kernel], combination: combination)).spectra.first)
    }

    func expectChecked(_ s: LimitSpectrum, _ what: String) {
        #expect(s.check?.passed == true, "\(what): \(s.check?.failureDescription ?? "no check")")
        #expect(s.failures == 0, "\(what): \(s.failures) failed points")
    }

    @Test func deepArctanNTKKeepsEveryLayer() throws {
        let model = NetworkModel(activation: try .named("arctan"), input: .marcenkoPastur(gamma0: 3), gammas: Array(repeating: 0.5, count: 15))
        let s = try solve(model, .ntk)
        let exact = Self.variance(b: model.activation.b, gamma0: 3, gammas: model.gammas, coefficients: model.ntkCoefficients.dropFirst().map { $0 })
        #expect(abs(exact - 447.21) < 0.01)
        #expect(abs(s.variance - exact) < 1e-9 * exact)
        #expect(s.approximation == nil)
        expectChecked(s, "arctan depth 15 NTK")
    }

    @Test func combinationOfTheInputAndTheTopLayer() throws {
        let gammas = Array(repeating: 2.0, count: 12)
        let model = NetworkModel(activation: try .named("relu"), input: .marcenkoPastur(gamma0: 0.5), gammas: gammas)
        let z = [0, 1] + Array(repeating: 0.0, count: 11) + [1]
        let s = try solve(model, .combination, combination: z)
        let exact = Self.variance(b: model.activation.b, gamma0: 0.5, gammas: gammas, coefficients: Array(z.dropFirst()))
        #expect(abs(exact - 4.8508) < 1e-4)
        #expect(abs(s.variance - exact) < 1e-9 * exact)
        // K_0 = MP(0.5) has full rank: no atom.
        #expect(s.atoms.isEmpty)
        expectChecked(s, "K_0 + K_12")
    }

    @Test func ntkAtomOfWideLayersIsAtRPlus() throws {
        let model = NetworkModel(activation: try .named("relu"), input: .marcenkoPastur(gamma0: 2.01809),
                                 gammas: [2.61667, 14.5203, 188.037, 219.548])
        let s = try solve(model, .ntk)
        let rankSum = ([2.01809] + model.gammas).reduce(0) { $0 + 1 / $1 }
        let atom = try #require(s.atoms.first)
        #expect(s.atoms.count == 1)
        #expect(abs(atom.location - model.rPlus) < 1e-9 * model.rPlus)
        #expect(abs(atom.location - 9.4509) < 1e-4)
        #expect(abs(atom.mass - (1 - rankSum)) < 1e-9)
        #expect(abs(atom.mass - 0.0436) < 1e-4)
        expectChecked(s, "relu wide NTK")
    }

    @Test func linearNTKHasItsAtomAtZero() throws {
        let model = NetworkModel(activation: try .named("linear"), input: .marcenkoPastur(gamma0: 3), gammas: Array(repeating: 1, count: 16))
        #expect(model.activation.b == 1 && model.activation.a == 1)
        let s = try solve(model, .ntk)
        let atom = try #require(s.atoms.first)
        #expect(atom.location == 0)
        #expect(abs(atom.mass - 2.0 / 3) < 1e-12)
        #expect(abs(s.variance - Self.variance(b: 1, gamma0: 3, gammas: model.gammas, coefficients: Array(repeating: 1, count: 17))) < 1e-9 * s.variance)
        expectChecked(s, "linear depth 16 NTK")
    }

    /// r_+ ≈ 1.4·10¹¹ at depth 64: the variance must not cancel against it.
    @Test(arguments: [32, 48, 64])
    func deepReLUVarianceIsShiftFree(depth: Int) throws {
        let model = NetworkModel(activation: try .named("relu"), input: .marcenkoPastur(gamma0: 3), gammas: Array(repeating: 0.5, count: depth))
        let s = try solve(model, .ntk)
        let exact = Self.variance(b: model.activation.b, gamma0: 3, gammas: model.gammas, coefficients: model.ntkCoefficients.dropFirst().map { $0 })
        #expect(abs(exact - 7.797) < 1e-3)
        #expect(abs(s.variance - exact) < 1e-9 * exact)
        expectChecked(s, "relu depth \(depth) NTK")
    }

    /// −1 − 2 K_2 with K_2 = MP(2) (b_σ = 0): an atom of mass 1/2 at −1, mean −3, variance 8.
    @Test func negativeAtomHasFiniteMoments() throws {
        let model = NetworkModel(activation: try .bFamily(0), input: .marcenkoPastur(gamma0: 3), gammas: [0.5, 2])
        let s = try solve(model, .combination, combination: [-1, 0, 0, -2])
        #expect(s.numericalMoments.allSatisfy { $0.isFinite })
        #expect(s.atoms.count == 1 && s.atoms[0].location == -1 && abs(s.atoms[0].mass - 0.5) < 1e-12)
        #expect(abs(s.mean + 3) < 1e-12 && abs(s.variance - 8) < 1e-12)
        expectChecked(s, "-1 - 2 K_2")
    }

    /// A negative top coefficient with a positive lower one followed a spurious branch (8 intervals, 109% mass).
    @Test func mixedSignCombinationStaysOnThePhysicalBranch() throws {
        let model = NetworkModel(activation: try .named("tanh"), input: .marcenkoPastur(gamma0: 3), gammas: [0.5, 2, 0.7])
        let z = [0, 0.5, 0, 0, -2]
        let s = try solve(model, .combination, combination: z)
        let exact = Self.variance(b: model.activation.b, gamma0: 3, gammas: model.gammas, coefficients: Array(z.dropFirst()))
        #expect(abs(s.variance - exact) < 1e-9 * exact)
        #expect(s.support.count == 1)
        expectChecked(s, "0.5 K_0 - 2 K_3")
    }

    /// Linear σ, γ = 1, orthonormal inputs: the Fuss–Catalan laws, whose density diverges at 0 like
    /// x^{−s/(s+1)} (the reported case is depth 3; depths 4 and 5 lost 10⁻⁵ and 4·10⁻⁵ of the mass
    /// before the contour at hard edges). Oracles: the Fuss–Catalan numbers, raw moments
    /// E x^k = C((s+1)k, k)/(sk + 1), for the third and fourth central moments as well as mass 1,
    /// mean 1 and variance s; MP(1)'s closed-form CDF near the edge,
    /// F(ε) = (√ε/2·√(4 − ε) + 2 asin(√ε/2))/π; and −K_2, whose hard edge is its right end.
    @Test func fussCatalanHardEdgeKeepsItsMass() throws {
        func binomial(_ n: Int, _ k: Int) -> Double { (0..<k).reduce(1.0) { $0 * Double(n - $1) / Double($1 + 1) } }
        func centralMoments(_ s: Int, sign: Double) -> (Double, Double) {
            let m = (1...4).map { k in binomial((s + 1) * k, k) / Double(s * k + 1) }
            return (sign * (m[2] - 3 * m[1] + 2), m[3] - 4 * m[2] + 6 * m[1] - 3)
        }
        let model = NetworkModel(activation: try .named("linear"), input: .orthonormal, gammas: Array(repeating: 1, count: 6))
        var laws = (1...6).map { (try? solve(model, .ck($0)), $0, 1.0) }
        laws.append((try? solve(model, .combination, combination: [0, 0, 0, -1, 0, 0, 0, 0]), 2, -1.0))
        for (law, layer, sign) in laws {
            let s = try #require(law)
            let what = sign > 0 ? "Fuss–Catalan \(layer)" : "−Fuss–Catalan \(layer)"
            #expect(abs(s.heldMass - 1) < 1e-6, "\(what): mass \(s.heldMass)")
            #expect(abs(s.variance - Double(layer)) < 1e-12)
            let moments = try #require(s.centralMoments)
            let (third, fourth) = centralMoments(layer, sign: sign)
            #expect(abs(moments[2] - third) < 1e-6 * abs(third), "\(what): third central moment \(moments[2]), exact \(third)")
            #expect(abs(moments[3] - fourth) < 1e-6 * fourth, "\(what): fourth central moment \(moments[3]), exact \(fourth)")
            expectChecked(s, what)
        }
        let mp = try solve(model, .ck(1))
        for eps in [1e-2, 1e-4, 1e-6] {
            let r = eps.squareRoot()
            let exact = (r / 2 * (4 - eps).squareRoot() + 2 * Double.asin(r / 2)) / Double.pi
            #expect(abs(mp.cdf(eps) - exact) < 1e-8, "MP(1) CDF at \(eps): \(mp.cdf(eps)), exact \(exact)")
        }
    }

    /// The explorer solves a model fast for display and then accurately, warm from the display
    /// solve. Linear σ, γ = 1 over δ₁ inputs (an input file of equal eigenvalues): refining the
    /// display edges from the wrong side of the hard edge at 0 made CK layer 1 1.2·10⁻⁶ too heavy
    /// (support from −2.4·10⁻⁹) and failed the NTK's check, where a cold solve passes. Oracles:
    /// mass 1, mean 1 (b = 1) and the variance from the recursion (Var K_ℓ = Var K_{ℓ−1} + γ_ℓ, Var K_0 = 0).
    @Test func accurateSolveWarmFromTheDisplaySolvePassesWhereColdDoes() throws {
        let model = NetworkModel(activation: try .named("linear"), input: .discrete(eigenvalues: [1, 1, 1]), gammas: [1, 1, 1, 1, 1])
        var fast = SolveOptions(gridPoints: 256)
        fast.accurateCDF = false
        let display = engine.solve(model, options: fast)
        let accurate = engine.solve(model, options: SolveOptions(gridPoints: 256), previous: display.cache)
        for kernel in [KernelID.ck(1), .ck(2), .ck(3), .ntk] {
            let s = try #require(accurate.spectra.first { $0.kernel == kernel })
            let z: [Double] = kernel == .ntk ? model.ntkCoefficients.dropFirst().map { $0 } : (0...5).map { .ck($0) == kernel ? 1 : 0 }
            let exact = Self.variance(b: 1, gamma0: 0, gammas: model.gammas, coefficients: z)
            #expect(abs(s.heldMass - 1) < 1e-6, "\(kernel): mass \(s.heldMass)")
            #expect((s.support.first?.lowerBound ?? 0) >= 0, "\(kernel): support \(s.support)")
            #expect(abs(s.variance - exact) < 1e-9 * exact)
            expectChecked(s, "warm \(kernel)")
        }
    }

    /// Slope 0.99999: 1 − b² ≈ 10⁻¹⁰, each layer's rank-deficient part a bump of that width at 0.
    @Test func nearlyLinearLeakyReLUKeepsTheCKMassWhole() throws {
        let model = NetworkModel(activation: try .named("leaky-relu:0.99999"), input: .marcenkoPastur(gamma0: 3), gammas: Array(repeating: 0.5, count: 5))
        for layer in 1...5 {
            let s = try solve(model, .ck(layer))
            expectChecked(s, "leaky-relu:0.99999 CK \(layer)")
            // Nested layers keep MP(3)'s atom at 0 (mass 2/3).
            #expect(abs((s.atoms.first?.mass ?? 0) - 2.0 / 3) < 1e-9)
            let bound = try #require(s.approximation?.displacement)
            #expect(bound < 1e-6)
        }
    }

    /// An approximation can collapse a cluster of the exact law into an atom (W∞-close, but the
    /// atom's mass is not the exact law's): the exact atoms are reported with a warning. Oracles:
    /// the rank formulas, 1 − 1/γ₀ − Σ 1/γ_ℓ at r₊ for the NTK over Gaussian inputs, and
    /// 1 − 1/γ for a CK layer over orthonormal inputs with 1 − b² > 0 (every Φ_ℓ has full rank).
    @Test func atomsChangedByAnApproximationAreReportedExactly() throws {
        let relu = NetworkModel(activation: try .named("relu"), input: .marcenkoPastur(gamma0: 3), gammas: Array(repeating: 100, count: 40))
        let ntk = try solve(relu, .ntk)
        let exact = try #require(ntk.approximation?.exactAtoms)
        #expect(exact.count == 1)
        #expect(abs((exact.first?.mass ?? 0) - (1 - 1.0 / 3 - 40.0 / 100)) < 1e-12)
        #expect(abs((exact.first?.location ?? 0) - relu.rPlus) <= 1e-9 * relu.rPlus)
        #expect(abs((ntk.atoms.first?.mass ?? 0) - (exact.first?.mass ?? 0)) > 0.3)
        #expect(ntk.notices.contains { $0.severity == .warning && $0.text.contains("exact law's atoms are") })

        // Over MP(3) inputs the nested (snapped) layers keep the input's rank, 1/3, so the
        // approximation's atom at 0 is 2/3; with 1 − b² > 0 every Φ_ℓ has full rank and the exact
        // atom is 1 − 1/γ = 1/2, the rest a cluster within the displacement of 0.
        let leaky = NetworkModel(activation: try .named("leaky-relu:0.99999"), input: .marcenkoPastur(gamma0: 3), gammas: [2, 2, 2])
        for layer in 1...3 {
            let ck = try solve(leaky, .ck(layer))
            let atoms = try #require(ck.approximation?.exactAtoms)
            #expect(atoms.count == 1 && abs((atoms.first?.mass ?? 0) - 0.5) < 1e-12 && atoms.first?.location == 0, "layer \(layer)")
            #expect(abs((ck.atoms.first?.mass ?? 0) - 2.0 / 3) < 1e-9, "layer \(layer)")
        }
        // Over orthonormal inputs both have the atom 1 − 1/γ = 1/2: nothing to report.
        let orthonormal = NetworkModel(activation: try .named("leaky-relu:0.99999"), input: .orthonormal, gammas: [2, 2, 2])
        let ck2 = try solve(orthonormal, .ck(2))
        #expect(ck2.approximation?.exactAtoms == nil)
        #expect(abs((ck2.atoms.first?.mass ?? 0) - 0.5) < 1e-12)
    }
}
