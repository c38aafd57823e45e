import Foundation
import LimitLaws
import NetworkSampling
import PlotCanvas
import QuadraticScaling
import Testing
@testable import ExplorerCore

/// Fixed quadratic-scaling content (closed-form Marcenko–Pastur shapes, no solver): the golden
/// screens depend on the layout only.
enum QuadraticFixture {
    static let relu = QuadraticSettings(gamma1: 0.5, gamma2: 1, activation: try! DerivativeActivation.named("relu"))

    static func state(_ view: ExplorerView, check: Bool = true) -> ExplorerState {
        var s = ExplorerState(model: .figure1, themeNames: ["dark"], themeName: "dark", view: view)
        s.regime = .quadratic
        s.quadratic.check = check
        return s
    }

    static func law(failed: Bool = false) -> QuadraticLawFrame {
        let h = MockSpectra.marcenkoPastur(.combination, gamma: 0.3, shift: 0.09)
        let mp = MockSpectra.marcenkoPastur(.combination, gamma: 0.5)
        let ntk = MockSpectra.marcenkoPastur(.ntk, gamma: 0.8)
        var checks = [QuadraticCheckLine(name: "H mass", value: 1, expected: 1, tolerance: 1e-6),
                      QuadraticCheckLine(name: "NTK mean (solved vs exact h₁)", value: 0.25, expected: 0.25, tolerance: 1e-6)]
        if failed { checks.append(QuadraticCheckLine(name: "NTK mass", value: 0.98, expected: 1, tolerance: 1e-6)) }
        return QuadraticLawFrame(settings: relu, population: h, marcenkoPastur: mp, ntk: ntk,
                                 constants: QuadraticConstants(c0: 0.5, c1Squared: 1 / (2 * Double.pi), a2: 0.25 - 1 / (2 * Double.pi), variance: 0.25),
                                 populationWInfinity: 0.042, ntkWInfinity: 0.12, ntkKSBound: 0.033, checks: checks,
                                 populationMethod: "closed form", accurate: true, milliseconds: 41)
    }

    static func check() -> QuadraticCheckFrame {
        let key = QuadraticCheckKey(settings: relu, d: 40, seed: 1)
        let support = MockSpectra.marcenkoPastur(.ntk, gamma: 0.8).support[0]
        let bulk = (0..<759).map { support.lowerBound + (support.upperBound - support.lowerBound) * pow((Double($0) + 0.5) / 759, 1.3) }
        let outliers = (0..<40).map { 3.5 + Double($0) * 0.1 } + [16.5]
        let r = QuadraticCheckResult(d: 40, p: 40, n: 800, seed: 1, bulk: bulk, outliers: outliers, predictedOutlierLocation: 5,
                                     ks: 0.0245, ksLocation: 1.2, w1: 0.0109, comparedWith: "the realised ratios γ₁ = 0.5, γ₂ = 1")
        return QuadraticCheckFrame(key: key, progress: 1, stage: "done", result: r)
    }

    static func content(failed: Bool = false, sampled: Bool = true) -> FrameContent {
        var c = FrameContent(summary: MockSpectra.summary)
        c.quadratic = QuadraticFrame(law: law(failed: failed), check: sampled ? check() : nil)
        return c
    }
}

@Suite struct QuadraticModeTests {
    func press(_ state: inout ExplorerState, _ keys: Key...) {
        for k in keys { if let a = KeyMap.action(for: k, in: state) { _ = ExplorerReducer.reduce(&state, a) } }
    }

    func quadraticState() -> ExplorerState {
        var s = ExplorerState(model: .figure1)
        _ = ExplorerCommand.run("mode quadratic", state: &s)
        return s
    }

    @Test func keysChangeTheRatiosSigmaNuAndTheSampleAndUndo() throws {
        var s = quadraticState()
        let fresh = s.quadratic
        press(&s, .up)
        #expect(s.quadratic.gamma1 == 0.625)
        press(&s, .character("K"))
        #expect(s.quadratic.gamma2 == 1.25)
        press(&s, .character("a"))   // after relu in the table's cycle
        #expect(s.quadratic.activation == "leaky-relu")
        press(&s, .character("="))
        #expect(s.quadratic.normalised)
        press(&s, .character("o"))
        #expect(s.quadratic.outputLaw == "two-point:0.5,1.5,0.5")
        press(&s, .character("N"))
        #expect(s.quadratic.d == 50)
        press(&s, .character("s"))
        #expect(s.quadratic.check)
        #expect(s.model == ExplorerState(model: .figure1).model)   // the linear-width model is untouched
        for _ in 0..<7 { press(&s, .character("u")) }
        #expect(s.quadratic == fresh)
        #expect(s.regime == .quadratic)
    }

    @Test func theActivationCycleSkipsAConstantPhi() throws {
        var s = quadraticState()
        _ = ExplorerCommand.run("sigma erf", state: &s)
        #expect(s.quadratic.activation == "erf")
        press(&s, .character("a"))   // erf → linear (φ constant, refused) → cos
        #expect(s.quadratic.activation == "cos")
        press(&s, .character("a"))
        #expect(s.quadratic.activation == "quadratic")
        _ = ExplorerCommand.run("sigma linear", state: &s)
        #expect(s.message?.isError == true && s.message!.text.contains("constant"))
        #expect(s.quadratic.activation == "quadratic")
        // in the linear-width regime :sigma is the model's
        s.regime = .linearWidth
        _ = ExplorerCommand.run("sigma tanh", state: &s)
        #expect(s.model.activation.name == "tanh" && s.quadratic.activation == "quadratic")
    }

    @Test func ratiosStayInTheirRange() {
        var s = quadraticState()
        for _ in 0..<60 { press(&s, .up) }
        #expect(s.quadratic.gamma1 <= QuadraticSettings.gammaRange.upperBound)
        #expect(s.message?.isError == true)
        _ = ExplorerCommand.run("gamma2 0", state: &s)
        #expect(s.message?.isError == true && s.quadratic.gamma2 == 1)
        _ = ExplorerCommand.run("gamma2 0.3", state: &s)
        #expect(s.quadratic.gamma2 == 0.3)
    }

    @Test func nuFromAFileIsReadByTheShellAndNamesBadLines() throws {
        var s = quadraticState()
        let effects = ExplorerCommand.run("nu file:weights.txt", state: &s)
        #expect(effects == [.readRegimeFile(regime: .quadratic, path: "weights.txt")])
        #expect(s.quadratic.outputLaw == "rademacher")   // unchanged until the file is read
        let read = RegimeFileRead(path: "weights.txt", contents: Data("# D\n1\n-1\n2\n".utf8), error: nil)
        _ = ExplorerReducer.reduce(&s, .regime(AnyRegimeAction(.quadratic, read)))
        #expect(s.quadratic.outputLaw == "file:weights.txt")
        let law = try s.quadratic.lawSettings().outputLaw
        // E D² of the atoms {1, −1, 2} with equal weights: (1 + 1 + 4)/3
        #expect(abs(law.evenMoment(1) - 2) < 1e-15)
        #expect(s.quadratic.pendingFile == nil)
        // o cycles through the file's law too
        press(&s, .character("o"))
        #expect(s.quadratic.outputLaw == "rademacher")
        press(&s, .character("O"))
        #expect(s.quadratic.outputLaw == "file:weights.txt")
        let bad = RegimeFileRead(path: "bad.txt", contents: Data("1\n2\nx\n".utf8), error: nil)
        _ = ExplorerReducer.reduce(&s, .regime(AnyRegimeAction(.quadratic, bad)))
        #expect(s.message?.isError == true && s.message!.text.contains("bad.txt:3"))
        let missing = RegimeFileRead(path: "none.txt", contents: nil, error: "invalid value 'none.txt' for file: the file does not exist")
        _ = ExplorerReducer.reduce(&s, .regime(AnyRegimeAction(.quadratic, missing)))
        #expect(s.message?.isError == true && s.message!.text.contains("does not exist"))
        #expect(s.quadratic.outputLaw == "file:weights.txt")
    }

    @Test func theHeaderShowsPhisConstantsFromTheSolve() throws {
        // relu: φ = 1{x > 0}, c₀ = 1/2, c₁ = E ξ 1{ξ > 0} = 1/√(2π), v = 1/4 (closed forms, not the solver's)
        let frame = try QuadraticCompute.solve(QuadraticFixture.relu, accurate: false)
        #expect(abs(frame.constants.c0 - 0.5) < 1e-12)
        #expect(abs(frame.constants.c1Squared - 1 / (2 * Double.pi)) < 1e-12)
        #expect(abs(frame.constants.a2 - (0.25 - 1 / (2 * Double.pi))) < 1e-12)
        var c = FrameContent(summary: MockSpectra.summary)
        c.quadratic = QuadraticFrame(law: frame)
        let text = ScreenLayout.render(state: QuadraticFixture.state(.layers, check: false), content: c, width: 200, height: 60).plainText()
        #expect(text.contains("c₀ = 0.500  c₁² = 0.159  a² = 0.0908"))
        // the H panel's atom at a²δ² = a² of mass 1 − 1/(2γ₂) = 50% (docs/quadratic.md, |D| = 1, γ₂ = 1)
        #expect(text.contains("atom 0.0908: 50%"))
    }

    @Test func failedSelfChecksAreShownInEveryView() {
        for view in [ExplorerView.layers, .focus, .compare] {
            let g = ScreenLayout.render(state: QuadraticFixture.state(view), content: QuadraticFixture.content(failed: true), width: 120, height: 40)
            let text = g.plainText()
            #expect(text.contains("✗ self-check failed: NTK mass"), "\(view)")
        }
    }

    @Test func theSampledCheckSetsTheOutliersApart() throws {
        // relu: c₀ ≠ 0 and c₁ ≠ 0, so d + 1 outliers; tanh′ = sech² is even (c₁ = 0): d;
        // σ = x²/2 (φ = x): c₀ = 0, c₁ = 1: one
        for (name, expected) in [("relu", 13), ("tanh", 12), ("quadratic", 1)] {
            var s = QuadraticModeSettings(activation: name, d: 12, check: true)
            s.gamma1 = 0.5
            let f = QuadraticCompute.compute(s)
            let r = try #require(f.check?.result, "\(name): \(f.check?.error ?? f.lawError ?? "")")
            #expect(r.outliers.count == expected, "\(name)")
            #expect(r.bulk.count + r.outliers.count == r.n && r.n == 72)
            #expect(r.bulk.last! <= r.outliers.first!)
            let h = try #require(r.histogram)
            #expect(h.counts.reduce(0, +) + h.below + h.above == r.bulk.count)
        }
    }

    @Test func progressAndCancelOnTheStatusLine() {
        var s = QuadraticFixture.state(.layers)
        var c = QuadraticFixture.content()
        c.quadratic?.check = QuadraticCheckFrame(key: QuadraticFixture.check().key, progress: 0.4, stage: "sampling")
        var text = ScreenLayout.render(state: s, content: c, width: 120, height: 40).plainText()
        #expect(text.contains("sample d=40 [████████░░░░░░░░░░░░] 40% sampling (s cancels)"))
        s.quadratic.check = false
        text = ScreenLayout.render(state: s, content: c, width: 120, height: 40).plainText()
        #expect(!text.contains("sample d=40"))
    }

    @Test func goldenScreens() throws {
        for (view, name) in [(ExplorerView.layers, "layers"), (.focus, "focus"), (.compare, "compare")] {
            for (w, h) in [(200, 60), (80, 24)] {
                let g = ScreenLayout.render(state: QuadraticFixture.state(view), content: QuadraticFixture.content(), width: w, height: h)
                let file = "quadratic-\(name)-\(w)x\(h).txt"
                let text = g.plainText() + "\n"
                #expect(text == InfiniteFixture.golden(file, text), "golden \(file) differs (NTKSCOPE_RECORD_GOLDEN=1 rewrites it)")
            }
        }
    }
}
