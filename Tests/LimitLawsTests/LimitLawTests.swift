import Testing
@testable import LimitLaws
import RealModule
import PropertyBased

/// Closed-form Marcenko–Pastur density of lim spec X^T X, X ∈ R^{d×n} iid N(0, 1/d), γ = n/d.
func marcenkoPasturDensity(_ x: Double, gamma: Double, shift: Double = 0) -> Double {
    let y = x - shift
    let a = (1 - gamma.squareRoot()) * (1 - gamma.squareRoot())
    let b = (1 + gamma.squareRoot()) * (1 + gamma.squareRoot())
    guard y > a, y < b else { return 0 }
    return ((b - y) * (y - a)).squareRoot() / (2 * Double.pi * gamma * y)
}

func l1Distance(_ s: LimitSpectrum, gamma: Double, shift: Double = 0) -> Double {
    let h = s.x[1] - s.x[0]
    var sum = 0.0
    for (x, d) in zip(s.x, s.density) { sum += abs(d - marcenkoPasturDensity(x, gamma: gamma, shift: shift)) }
    return sum * h
}

func mpEdges(_ gamma: Double, shift: Double = 0) -> (Double, Double) {
    ((1 - gamma.squareRoot()) * (1 - gamma.squareRoot()) + shift, (1 + gamma.squareRoot()) * (1 + gamma.squareRoot()) + shift)
}

@Suite struct MarcenkoPasturOracleTests {
    let engine = LimitLawEngine()

    @Test(arguments: [0.25, 0.5, 2.0, 3.0])
    func everyCKLayerIsMarcenkoPasturWhenBIsZero(gamma: Double) throws {
        let model = NetworkModel(activation: try .named("cos"), input: .marcenkoPastur(gamma0: 3), gammas: [gamma, 0.7, gamma])
        let r = engine.solve(model, options: SolveOptions(kernels: [.ck(1), .ck(2), .ck(3)]))
        for (s, g) in zip(r.spectra, [gamma, 0.7, gamma]) {
            #expect(s.failures == 0)
            #expect(l1Distance(s, gamma: g) < 1e-5, "L1 of \(s.kernel)")
            let (a, b) = mpEdges(g)
            #expect(abs(s.support.first!.lowerBound - a) < 1e-6)
            #expect(abs(s.support.last!.upperBound - b) < 1e-6)
            if g > 1 {
                #expect(abs(s.atoms.first!.mass - (1 - 1 / g)) < 1e-12)
                #expect(s.atoms.first!.location == 0)
            } else {
                #expect(s.atoms.isEmpty)
            }
        }
    }

    @Test(arguments: ["arctan", "relu", "linear"])
    func oneLayerOnOrthonormalInputsIsMarcenkoPastur(activation: String) throws {
        let model = NetworkModel(activation: try .named(activation), input: .orthonormal, gammas: [0.4])
        let s = try #require(engine.solve(model, options: SolveOptions(kernels: [.ck(1)])).spectra.first)
        #expect(l1Distance(s, gamma: 0.4) < 1e-5)
        let (a, b) = mpEdges(0.4)
        #expect(abs(s.support[0].lowerBound - a) < 1e-6 && abs(s.support[0].upperBound - b) < 1e-6)
    }

    @Test func inputLawIsMarcenkoPastur() throws {
        let s = try #require(engine.solve(.figure1, options: SolveOptions(kernels: [.ck(0)])).spectra.first)
        #expect(l1Distance(s, gamma: 3) < 1e-5)
        #expect(abs(s.atoms[0].mass - 2.0 / 3.0) < 1e-12)
    }

    /// With γ_L > 1 the law has an atom at r_+ of mass 1 − 1/γ_L; b_σ must be exactly 0 for it
    /// (a rounding residue b² ~ 1e−34 once counted every layer's rank against the atom).
    @Test(arguments: [("cos", 0.8), ("cos", 21.5847), ("b-family:0", 3.0)])
    func ntkWithZeroBIsShiftedMarcenkoPastur(activation: String, lastGamma: Double) throws {
        let model = NetworkModel(activation: try .named(activation), input: .marcenkoPastur(gamma0: 5.714), gammas: [0.5, 1.9639, lastGamma])
        #expect(model.activation.b == 0)
        let s = try #require(engine.solve(model, options: SolveOptions(kernels: [.ntk])).spectra.first)
        let rPlus = model.rPlus
        // r_+ = Σ a^{L−ℓ} (q = 0): a + a² + a³.
        let a = model.activation.a
        #expect(abs(rPlus - (a + a * a + a * a * a)) < 1e-12)
        #expect(s.failures == 0)
        #expect(l1Distance(s, gamma: lastGamma, shift: rPlus) < 1e-5)
        let (lo, hi) = mpEdges(lastGamma, shift: rPlus)
        #expect(abs(s.support.first!.lowerBound - lo) < 1e-6 && abs(s.support.last!.upperBound - hi) < 1e-6)
        if lastGamma > 1 {
            #expect(s.support.count == 1)
            #expect(abs(s.atoms.first!.mass - (1 - 1 / lastGamma)) < 1e-12)
            #expect(abs(s.atoms.first!.location - rPlus) < 1e-12)
        } else {
            #expect(s.atoms.isEmpty)
        }
        #expect(abs(s.massDeficit) < 1e-6)
    }
}

@Suite struct MassAndMomentTests {
    let engine = LimitLawEngine()

    static let models: [NetworkModel] = {
        var list = [NetworkModel.figure1]
        list.append(NetworkModel(activation: try! .named("tanh"), input: .orthonormal, gammas: [2, 0.3, 4]))
        list.append(NetworkModel(activation: try! .named("relu"), input: .marcenkoPastur(gamma0: 0.5), gammas: [1.5, 1.5], tau: [0.5, 1, 2]))
        list.append(NetworkModel(activation: try! .bFamily(0.5), input: .discrete(eigenvalues: [0.5, 0.5, 1, 2]), gammas: [0.5, 1]))
        return list
    }()

    @Test(arguments: 0..<models.count)
    func massIsOneAndMomentsMatchTheExactOnes(index: Int) {
        let model = Self.models[index]
        let r = engine.solve(model)
        for s in r.spectra {
            #expect(s.failures == 0, "\(s.kernel)")
            let mass = s.continuousMass + s.totalAtomMass
            #expect(abs(mass - 1) < 1e-6, "mass of \(s.kernel) in model \(index): \(mass)")
            #expect(abs(s.numericalMoments[0] - s.mean) < 1e-5 * max(1, s.mean), "mean of \(s.kernel)")
            #expect(abs(s.numericalMoments[1] - s.secondMoment) < 1e-5 * max(1, s.secondMoment), "m2 of \(s.kernel)")
            // The CDF ends at 1.
            #expect(abs(s.cdf(1e9) - 1) < 1e-6)
        }
    }

    @Test func ckMeansAreOneAndSecondMomentsFollowTheRecursion() {
        let model = NetworkModel.figure1
        let r = engine.solve(model)
        let b4 = Double.pow(model.activation.b, 4)
        var m2 = 1 + 3.0 // MP(3)
        for l in 1...5 {
            m2 = 1 - b4 + b4 * m2 + 0.5
            let s = r.spectrum(.ck(l))!
            #expect(abs(s.mean - 1) < 1e-14)
            #expect(abs(s.secondMoment - m2) < 1e-12)
        }
        // NTK mean = Σ_{ℓ=0}^{L} a^{L−ℓ}.
        let a = model.activation.a
        let ntkMean = (0...5).reduce(0.0) { $0 + Double.pow(a, Double(5 - $1)) }
        #expect(abs(r.spectrum(.ntk)!.mean - ntkMean) < 1e-12)
    }
}

@Suite struct SolverBehaviourTests {
    let engine = LimitLawEngine()

    /// Components narrower than the scan spacing. A rank-deficient layer (γ₁ = 2.374: atom at 0
    /// of mass 1 − 1/γ₁) under a very wide one (γ₂ = 0.014) becomes a bump of that mass and width
    /// about 4√γ₂(1 − b²) ≈ 0.03 near 1 − b² = 0.063; and the sin NTK's compressed zero modes sit
    /// in a sliver between its atom and its bulk. Both hide between scan points; the smoothed-mass
    /// search finds them.
    @Test func componentsNarrowerThanTheScanAreFound() throws {
        let elu = NetworkModel(activation: try .named("elu"), input: .marcenkoPastur(gamma0: 4.026), gammas: [2.374, 0.01397])
        let ck = try #require(engine.solve(elu, options: SolveOptions(kernels: [.ck(2)])).spectra.first)
        #expect(ck.failures == 0)
        #expect(ck.massDeficit < 1e-6, "mass deficit \(ck.massDeficit)")
        let bump = try #require(ck.support.first)
        #expect(bump.upperBound < 0.09 && bump.lowerBound > 0.04, "\(bump)")
        let bumpMass = ck.cdf(bump.upperBound) - ck.cdf(bump.lowerBound)
        #expect(abs(bumpMass - (1 - 1 / 2.374)) < 1e-6, "bump mass \(bumpMass)")

        let sin = NetworkModel(activation: try .named("sin"), input: .orthonormal, gammas: [2.028, 37.6])
        let ntk = try #require(engine.solve(sin, options: SolveOptions(kernels: [.ntk])).spectra.first)
        #expect(ntk.failures == 0)
        #expect(ntk.massDeficit < 1e-6, "mass deficit \(ntk.massDeficit)")
        #expect(abs(ntk.numericalMoments[0] - ntk.mean) < 1e-5 * ntk.mean)
    }

    /// A small b_σ gives NTK terms q_ℓ K_ℓ with q_ℓ = b^{2(L−ℓ)} down to 1e−20: clusters around r_+
    /// narrower than any scan. Those under 1e−6 of the law's scale join the atom, so the mass is
    /// whole, the mean exact, and for b ≤ 1e−3 the atom is r_+'s 1 − 1/γ_L.
    @Test(arguments: [1e-5, 1e-3, 0.03, 0.1])
    func smallBSigmaKeepsTheNTKMassWhole(b: Double) throws {
        let model = NetworkModel(activation: try .bFamily(b), input: .marcenkoPastur(gamma0: 5.714), gammas: [1.9639, 21.5847])
        let s = try #require(engine.solve(model, options: SolveOptions(kernels: [.ntk])).spectra.first)
        #expect(s.failures == 0)
        #expect(s.massDeficit < 1e-6, "mass deficit \(s.massDeficit)")
        let exactMean = model.r.reduce(1, +)   // Σ r_ℓ + φ(K_L), as r_+ + Σ q_ℓ + 1
        #expect(abs(s.mean - exactMean) < 1e-12)
        #expect(abs(s.numericalMoments[0] - exactMean) < 1e-5 * exactMean)
        if b <= 1e-3 {
            #expect(abs(s.atoms.first!.mass - (1 - 1 / 21.5847)) < 1e-12)
            #expect(s.support.count == 1)
        }
    }

    /// Two rank cases the atom rule once got wrong: the linear activation's b² is 1 only up to
    /// rounding (its layers are nested in the input, whose atom at 0 they keep), and with
    /// orthonormal inputs the NTK's z_0 K_0 = z_0 Id shifts the atom to z_{−1} + z_0.
    @Test func atomsOfNestedLayersAndOfTheShiftedNTK() throws {
        let linear = NetworkModel(activation: try .named("linear"), input: .marcenkoPastur(gamma0: 3.793), gammas: [0.1159])
        for s in engine.solve(linear).spectra {
            #expect(abs(s.totalAtomMass - (1 - 1 / 3.793)) < 1e-12, "\(s.kernel)")
            #expect(s.massDeficit < 1e-6, "\(s.kernel)")
        }
        let ortho = NetworkModel(activation: try .named("silu"), input: .orthonormal, gammas: [8.6695])
        let ntk = try #require(engine.solve(ortho, options: SolveOptions(kernels: [.ntk])).spectra.first)
        #expect(abs(ntk.totalAtomMass - (1 - 1 / 8.6695)) < 1e-12)
        #expect(abs(ntk.atoms[0].location - (ortho.ntkCoefficients[0] + ortho.ntkCoefficients[1])) < 1e-12)
        #expect(ntk.massDeficit < 1e-6)
        #expect(abs(ntk.numericalMoments[0] - ntk.mean) < 1e-6 * ntk.mean)
    }

    /// A discrete input law with repeated eigenvalues: in the NTK, q_0 K_0 + (rank-R upper layers)
    /// keeps an atom at c_{−1} + q_0 λ of mass p_λ − R for each eigenvalue λ of multiplicity p_λ > R.
    /// An input file of ones is δ_1: its NTK must be the orthonormal-input one.
    @Test func discreteInputsWithMultiplicitiesKeepTheirAtomsInTheNTK() throws {
        let ones = NetworkModel(activation: try .named("arctan"), input: .discrete(eigenvalues: [1, 1, 1]), gammas: [3])
        let ortho = NetworkModel(activation: try .named("arctan"), input: .orthonormal, gammas: [3])
        let a = try #require(engine.solve(ones, options: SolveOptions(kernels: [.ntk])).spectra.first)
        let b = try #require(engine.solve(ortho, options: SolveOptions(kernels: [.ntk])).spectra.first)
        #expect(a.atoms.count == 1 && b.atoms.count == 1)
        #expect(abs(a.atoms[0].location - b.atoms[0].location) < 1e-12 && abs(a.atoms[0].mass - 2.0 / 3.0) < 1e-12)
        #expect(abs(a.support[0].lowerBound - b.support[0].lowerBound) < 1e-9 && abs(a.support[0].upperBound - b.support[0].upperBound) < 1e-9)
        #expect(a.massDeficit < 1e-6)

        let values = [0, 1.0, 0.004, 0.25, 3.75]           // five eigenvalues, 20% each (mean 1)
        let model = NetworkModel(activation: try .named("gelu"), input: .discrete(eigenvalues: values), gammas: [12.31], tau: [1.4, 1.78])
        let s = try #require(engine.solve(model, options: SolveOptions(kernels: [.ntk])).spectra.first)
        let z = model.ntkCoefficients
        let rank = 1 / 12.31
        #expect(s.atoms.count == 5)
        for (atom, lambda) in zip(s.atoms, values.sorted()) {
            #expect(abs(atom.location - (z[0] + z[1] * lambda)) < 1e-12)
            #expect(abs(atom.mass - (0.2 - rank)) < 1e-12)
        }
        #expect(s.failures == 0)
        #expect(s.massDeficit < 1e-6, "mass deficit \(s.massDeficit)")
        #expect(abs(s.numericalMoments[0] - s.mean) < 1e-6 * s.mean)
    }

    /// Warm starts come from a nearby chain only: one explorer step (γ × 1.25; b ± 0.05 for a CK
    /// layer) is near; the NTK of another activation (r_+ moves by far more than 30%) is not;
    /// either way the law is the same as a cold solve's.
    @Test func warmStartsOnlyFromNearbyChains() throws {
        let base = NetworkModel.figure1
        func chain(_ m: NetworkModel) throws -> CombinationChain { try #require(LimitLawEngine.chain(for: .ntk, model: m, combination: nil)) }
        var step = base; step.gammas[2] *= 1.25
        var other = base; other.activation = try .named("tanh")
        #expect(try chain(step).isNear(chain(base)))
        #expect(try !chain(other).isNear(chain(base)))
        let b1 = NetworkModel(activation: try .bFamily(0.5), input: base.input, gammas: base.gammas)
        var b2 = b1; b2.activation = try .bFamily(0.55)
        let ck3 = { (m: NetworkModel) throws -> CombinationChain in try #require(LimitLawEngine.chain(for: .ck(3), model: m, combination: nil)) }
        #expect(try ck3(b2).isNear(ck3(b1)))
        let first = engine.solve(base)
        for m in [step, other] {
            let warm = try #require(engine.solve(m, options: SolveOptions(kernels: [.ntk]), previous: first.cache).spectra.first)
            let cold = try #require(engine.solve(m, options: SolveOptions(kernels: [.ntk])).spectra.first)
            #expect(abs(warm.support.last!.upperBound - cold.support.last!.upperBound) < 1e-8)
            #expect(abs(warm.continuousMass - cold.continuousMass) < 1e-8)
        }
    }

    /// The scan once took a near-singular point of this softplus NTK for a support sliver of width
    /// 5e-4 at 54.21 where no point could be solved (128 failures, zero mass). With the mass whole
    /// without it, such an interval is dropped.
    @Test func aSliverWithoutMassIsNotSupport() throws {
        let model = NetworkModel(activation: try .named("softplus"), input: .marcenkoPastur(gamma0: 0.4496), gammas: [8.395, 90.87])
        let s = try #require(engine.solve(model, options: SolveOptions(kernels: [.ntk])).spectra.first)
        #expect(s.failures == 0)
        #expect(s.massDeficit < 1e-6)
        #expect(!s.support.contains { $0.contains(54.215) })
        #expect(abs(s.numericalMoments[0] - s.mean) < 1e-6 * s.mean)
    }

    @Test func deepNetworksAndExtremeRatiosSolveWithoutFailures() throws {
        let deep = NetworkModel(activation: try .named("tanh"), input: .marcenkoPastur(gamma0: 3), gammas: Array(repeating: 0.5, count: 32))
        let r = engine.solve(deep, options: SolveOptions(gridPoints: 60, kernels: [.ck(32), .ntk]))
        for s in r.spectra {
            #expect(s.failures == 0)
            #expect(abs(s.continuousMass + s.totalAtomMass - 1) < 1e-5)
        }
        for g in [1e-3, 1e3] {
            let m = NetworkModel(activation: try .named("arctan"), input: .marcenkoPastur(gamma0: 1), gammas: [g, g])
            let r2 = engine.solve(m, options: SolveOptions(gridPoints: 80))
            for s in r2.spectra {
                #expect(s.failures == 0, "γ = \(g), \(s.kernel)")
                #expect(abs(s.continuousMass + s.totalAtomMass - 1) < 1e-5, "γ = \(g), \(s.kernel)")
            }
        }
    }

    @Test func warmStartAgreesWithColdAndReusesLowerLayers() {
        let cold = engine.solve(.figure1)
        var changed = NetworkModel.figure1
        changed.gammas[2] *= 1.01
        let warm = engine.solve(changed, previous: cold.cache)
        let fresh = engine.solve(changed)
        for l in 0...2 { #expect(warm.spectrum(.ck(l))!.statistics.reused) }
        for l in 3...5 { #expect(!warm.spectrum(.ck(l))!.statistics.reused) }
        for (w, f) in zip(warm.spectra, fresh.spectra) {
            for (a, b) in zip(w.density, f.density) { #expect(abs(a - b) < 1e-8 * max(1, abs(b))) }
            for (a, b) in zip(w.support, f.support) {
                #expect(abs(a.lowerBound - b.lowerBound) < 1e-7 && abs(a.upperBound - b.upperBound) < 1e-7)
            }
        }
    }

    @Test func resultsAreDeterministic() {
        let a = engine.solve(.figure1), b = engine.solve(.figure1)
        for (s, t) in zip(a.spectra, b.spectra) { #expect(s.density == t.density) }
    }

    @Test func combinationWithOnlyTheTopLayerIsThatCK() throws {
        let m = NetworkModel.figure1
        let r = engine.solve(m, options: SolveOptions(kernels: [.combination, .ck(5)], combination: [0, 0, 0, 0, 0, 0, 1]))
        let c = try #require(r.spectrum(.combination)), k = try #require(r.spectrum(.ck(5)))
        for (a, b) in zip(c.density, k.density) { #expect(abs(a - b) < 1e-7 * max(1, b)) }
    }

    @Test func tauOfOnesIsTheNTK() throws {
        var m = NetworkModel.figure1
        let plain = try #require(engine.solve(m, options: SolveOptions(kernels: [.ntk])).spectra.first)
        m.tau = Array(repeating: 1, count: 6)
        let weighted = try #require(engine.solve(m, options: SolveOptions(kernels: [.ntk])).spectra.first)
        #expect(plain.density == weighted.density)
        // Doubling every τ doubles the kernel: support scales by 2.
        m.tau = Array(repeating: 2, count: 6)
        let doubled = try #require(engine.solve(m, options: SolveOptions(kernels: [.ntk])).spectra.first)
        #expect(abs(doubled.support.last!.upperBound - 2 * plain.support.last!.upperBound) < 1e-6)
        #expect(abs(doubled.mean - 2 * plain.mean) < 1e-12)
    }
}

@Suite struct JacobianTests {
    /// The hand-differentiated one-pass Jacobian equals the forward-mode one and a central
    /// finite difference, for CK, NTK and discrete-input chains.
    @Test(arguments: [0, 1, 2])
    func jacobianMatchesForwardModeAndFiniteDifferences(which: Int) throws {
        let models = [
            NetworkModel.figure1,
            NetworkModel(activation: try .named("relu"), input: .orthonormal, gammas: [0.5, 2, 1], tau: [1, 2, 0.5, 1]),
            NetworkModel(activation: try .bFamily(0.4), input: .discrete(eigenvalues: [0.5, 1.5]), gammas: [0.7, 0.7]),
        ]
        let model = models[which]
        for kernel in [KernelID.ck(model.depth), .ntk] {
            let chain = try #require(LimitLawEngine.chain(for: kernel, model: model, combination: nil))
            var solver = ChainSolver(chain: chain)
            let zeta = ComplexDouble(1.3, 0.4)
            let u = (0..<chain.levels).map { ComplexDouble(0.3 + 0.1 * Double($0), -0.2 - 0.05 * Double($0)) }
            let (dual, direct) = solver.jacobians(u: u, zeta: zeta)
            for (a, b) in zip(dual, direct) { #expect((a - b).length < 1e-12 * max(1, a.length)) }
            // Central differences of F along each unknown (F is holomorphic in u).
            let h = 1e-6
            for dir in 0..<chain.levels {
                var up = u, down = u
                up[dir] = up[dir] + ComplexDouble(h)
                down[dir] = down[dir] - ComplexDouble(h)
                let fUp = solver.residualVector(u: up, zeta: zeta)
                let fDown = solver.residualVector(u: down, zeta: zeta)
                for row in 0..<chain.levels {
                    let fd = (fUp[row] - fDown[row]).divided(by: 2 * h)
                    let exact = direct[row * chain.levels + dir]
                    #expect((fd - exact).length < 1e-7 * max(1, exact.length), "\(kernel) row \(row) col \(dir)")
                }
            }
        }
    }

    /// The structured O(J) Newton step solves the system J δ = −F of the forward-mode (dual-number)
    /// Jacobian, an independent derivation, on 120 random chains (depth 1–32, γ_ℓ from 10⁻² to 10²,
    /// every activation of the cycle, orthonormal, MP and weighted discrete bases as an input file
    /// gives, τ on a third, random combinations): their CK laws (top and a random layer), NTK and
    /// combination, at random spectral points and unknowns. Oracles: where the step passes its own
    /// check (else `solve` takes the dense step; at most a tenth of these random points), its backward
    /// error ‖Jδ + F‖/(‖J‖‖δ‖ + ‖F‖) is ≤ 1e-10 and it agrees with the dense LU's step to 2·10⁻¹⁰·κ,
    /// κ = J's condition number from the explicit inverse (1e-9 where κ < 10).
    @Test func structuredNewtonStepSolvesTheDenseSystem() throws {
        var rng = Xoshiro(seed: (0x7374_7275_6374, 0x6E65_7774_6F6E, 0x6465_6E73_6500, 15))
        var compared = 0, wellConditioned = 0, fallbacks = 0
        func norm(_ v: [ComplexDouble]) -> Double { v.reduce(0) { max($0, $1.length) } }
        for _ in 0..<120 {
            let model = try randomChainModel(&rng)
            let combination = (0...model.depth).map { _ in Double.random(in: -0.5...1.5, using: &rng) }
            let layer = Int.random(in: 1...model.depth, using: &rng)
            for kernel in [KernelID.ck(model.depth), .ck(layer), .ntk, .combination] {
                guard let chain = LimitLawEngine.chain(for: kernel, model: model, combination: combination), chain.levels > 0 else { continue }
                let n = chain.levels
                var solver = ChainSolver(chain: chain)
                for _ in 0..<3 {
                    let zeta = ComplexDouble(Double.random(in: -1...4, using: &rng), Double.random(in: 0.01...1, using: &rng))
                    let u = (0..<n).map { _ in
                        ComplexDouble(Double.random(in: -1...1, using: &rng), -Double.random(in: 0...1, using: &rng))
                    }
                    let (structured, dense, jacobian, f) = solver.newtonSteps(u: u, zeta: zeta)
                    guard let d = dense else { continue }
                    guard let s = structured else { fallbacks += 1; continue }
                    // ‖J‖∞, ‖J⁻¹‖∞ (columns of the inverse by the LU), and J δ + F.
                    var normJ = 0.0, normInverse = 0.0
                    var residual = [ComplexDouble](repeating: .zero, count: n)
                    for r in 0..<n {
                        var row = 0.0
                        for k in 0..<n {
                            row += jacobian[r * n + k].length
                            residual[r] = residual[r] + jacobian[r * n + k] * s[k]
                        }
                        residual[r] = residual[r] + f[r]
                        normJ = max(normJ, row)
                    }
                    var rows = [Double](repeating: 0, count: n)
                    for k in 0..<n {
                        var a = jacobian, e = [ComplexDouble](repeating: .zero, count: n)
                        e[k] = ComplexDouble(1)
                        #expect(ChainSolver.solveLinear(&a, &e, n))
                        for r in 0..<n { rows[r] += e[r].length }
                    }
                    normInverse = rows.max() ?? 0
                    let kappa = normJ * normInverse
                    let backward = norm(residual) / (normJ * norm(s) + norm(f))
                    let gap = zip(s, d).reduce(0) { max($0, ($1.0 - $1.1).length) } / max(norm(d), 1e-300)
                    let context = "\(kernel) of \(model.activation.name) \(model.input.shortDescription) γ \(model.gammas): κ \(kappa)"
                    #expect(backward <= 1e-10, "\(context), backward error \(backward)")
                    #expect(gap <= 2e-10 * kappa, "\(context), gap \(gap)")
                    if kappa < 10 { #expect(gap <= 1e-9, "\(context), gap \(gap)") }
                    if kappa < 1e4 { wellConditioned += 1 }
                    compared += 1
                }
            }
        }
        #expect(compared >= 1000)
        #expect(fallbacks <= compared / 10, "\(fallbacks) structured steps rejected, \(compared) compared")
        #expect(wellConditioned >= compared / 2)
    }

    /// Newton with structured steps converges to the point the dense steps reach (every step forced
    /// onto the LU fallback by a pivot tolerance of ∞), to 1e-11 of |u|, on the same random chains
    /// at points inside and outside their supports.
    @Test func structuredAndDenseNewtonReachTheSameSolution() throws {
        var rng = Xoshiro(seed: (0x6661_6C6C_6261, 0x636B_0000_0000, 0x6465_6E73_6500, 16))
        var compared = 0, denseSteps = 0, fallbacks = 0, structuredSteps = 0
        for _ in 0..<40 {
            let model = try randomChainModel(&rng)
            for kernel in [KernelID.ck(model.depth), .ntk] {
                // As the engine solves it: negligible terms dropped, centred.
                guard let exact = LimitLawEngine.chain(for: kernel, model: model, combination: nil) else { continue }
                let chain = exact.droppingNegligibleTerms().chain.centred
                guard chain.levels > 0 else { continue }
                var structured = ChainSolver(chain: chain)
                var dense = ChainSolver(chain: chain)
                dense.pivotTolerance = .infinity
                let bounds = chain.spectralBounds(known: [:])
                for _ in 0..<4 {
                    let x = Double.random(in: bounds, using: &rng)
                    let scale = bounds.upperBound - bounds.lowerBound
                    let eta = Double.random(in: 1e-3...1, using: &rng) * scale
                    let a = structured.solveByContinuation(x: x, eta: eta, scale: scale)
                    let b = dense.solveByContinuation(x: x, eta: eta, scale: scale)
                    guard let a, let b else {
                        #expect(a == nil && b == nil, "\(kernel) of \(model.gammas) at \(x)")
                        continue
                    }
                    let size = b.u.reduce(0) { max($0, $1.length) }
                    for (p, q) in zip(a.u, b.u) { #expect((p - q).length <= 1e-11 * max(1, size), "\(kernel) of \(model.gammas) at \(x)") }
                    #expect((a.stieltjes - b.stieltjes).length <= 1e-11 * max(1, b.stieltjes.length))
                    compared += 1
                }
                #expect(dense.structuredSteps == 0)
                denseSteps += dense.denseSteps
                fallbacks += structured.denseSteps; structuredSteps += structured.structuredSteps
            }
        }
        #expect(compared >= 200)
        #expect(denseSteps > 500)
        #expect(fallbacks <= structuredSteps / 100, "\(fallbacks) dense fallbacks in \(structuredSteps) structured steps")
    }
}

/// A random network for the solver's property tests: depth 1–32, γ_ℓ = 10^U(−2, 2), an activation
/// of the explorer's cycle, an orthonormal, Marcenko–Pastur or weighted discrete input law (as an
/// input file gives), τ on about a third of the models.
func randomChainModel(_ rng: inout Xoshiro) throws -> NetworkModel {
    let depth = Int.random(in: 1...32, using: &rng)
    let gammas = (0..<depth).map { _ in Double.pow(10, Double.random(in: -2...2, using: &rng)) }
    let activation = try Activation.named(Activation.cycle[Int.random(in: 0..<Activation.cycle.count, using: &rng)])
    let input: InputLaw
    switch Int.random(in: 0...2, using: &rng) {
    case 0: input = .orthonormal
    case 1: input = .marcenkoPastur(gamma0: Double.pow(10, Double.random(in: -1...1, using: &rng)))
    default:
        let count = Int.random(in: 1...40, using: &rng)
        let values = (0..<count).map { _ in Double.random(in: 0...3, using: &rng) }.sorted()
        let weights = (0..<count).map { _ in Double.random(in: 0.1...1, using: &rng) }
        let total = weights.reduce(0, +)
        input = .discrete(DiscreteLaw(values: values, weights: weights.map { $0 / total }))
    }
    let tau: [Double]? = Int.random(in: 0...2, using: &rng) == 0
        ? (0...depth).map { _ in Double.pow(10, Double.random(in: -1...1, using: &rng)) } : nil
    return NetworkModel(activation: activation, input: input, gammas: gammas, tau: tau)
}
