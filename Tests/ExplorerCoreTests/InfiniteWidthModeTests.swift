import Foundation
import InfiniteWidth
import LimitLaws
import PlotCanvas
import Testing
@testable import ExplorerCore

/// Fixed infinite-width content (no series, LAPACK or engine): golden screens depend on the layout only.
enum InfiniteFixture {
    static let model = NetworkModel(activation: try! Activation.named("tanh"), input: .marcenkoPastur(gamma0: 2), gammas: [0.5, 0.8])

    static func state(_ view: ExplorerView) -> ExplorerState {
        var s = ExplorerState(model: model, themeNames: ["dark"], themeName: "dark", view: view)
        s.regime = .infiniteWidth
        s.infinite = InfiniteWidthSettings(dimension: 50, points: 100, order: 40)
        return s
    }

    static func kernel(_ k: InfiniteKernel, rate: Double, at1: Double) -> InfiniteKernelData {
        let c = (0...40).map { j -> Double in j == 0 ? 0 : at1 * pow(rate, Double(j)) * (1 - rate) }
        let rows = (0...10).map { k -> SphereRow in
            let n = k == 0 ? 1.0 : Double(50 * k)
            let lambda = at1 * pow(Double(k + 1), -3) / 40
            return SphereRow(degree: k, multiplicity: n, lambda: lambda, bound: lambda * 1e-3 * Double(k + 1), share: min(1, n * lambda / at1))
        }
        return InfiniteKernelData(kernel: k, coefficients: c, valueAtOne: at1, tail: at1 * pow(rate, 41), sphere: rows, slope: -3)
    }

    static func law() -> DisplaySpectrum {
        let xs = (0...40).map { 0.5 + 4 * Double($0) / 40 }
        let ys = xs.map { x -> Double in let t = 1 - (x - 2.5) * (x - 2.5) / 4; return t > 0 ? 0.32 * t.squareRoot() : 0 }
        return DisplaySpectrum(kernel: .ntk, x: xs, density: ys, support: [0.5...4.5], mean: 2.5, secondMoment: 7.25)
    }

    static func frame(complete: Bool = true, sampled: Bool = true) -> InfiniteWidthFrame {
        let s = state(.layers)
        var kernels: [InfiniteKernel: InfiniteKernelData] = [:]
        kernels[.ck(0)] = kernel(.ck(0), rate: 0.01, at1: 1)
        for l in 1...2 {
            kernels[.ck(l)] = kernel(.ck(l), rate: 0.3 + 0.1 * Double(l), at1: 1)
            kernels[.ntk(l)] = kernel(.ntk(l), rate: 0.5 + 0.1 * Double(l), at1: 1 + 1.5 * Double(l))
        }
        let hermite = (0...41).map { k -> Double in k % 2 == 1 ? pow(0.6, Double(k)) : 0 }
        var f = InfiniteWidthFrame(request: InfiniteWidthRequest(state: s), hermite: hermite, hermiteNote: "μ_k by quadrature",
                                   kernels: kernels, complete: complete)
        if complete {
            let ev = (0..<100).map { 0.6 + 3.8 * Double($0) / 99 }
            let input = (0..<100).map { $0 < 50 ? 2.0 * Double($0 + 1) / 50 : 0 }
            f.dataset = DatasetGrams(input: GramSpectrum(eigenvalues: input, trace: 100),
                                     ck: GramSpectrum(eigenvalues: ev.map { $0 / 2.5 }, trace: 100),
                                     ntk: GramSpectrum(eigenvalues: ev, trace: 250))
            f.comparison = InfiniteComparison(law: law(), ks: 0.12, gammaLimit: [
                GammaLimitPoint(factor: 1, ks: 0.12, lawSecondMoment: 7.9),
                GammaLimitPoint(factor: 0.1, ks: 0.04, lawSecondMoment: 7.3),
                GammaLimitPoint(factor: 0.01, ks: 0.02, lawSecondMoment: 7.25)])
            if sampled {
                let e = (0..<100).map { 0.4 + 4.4 * pow(Double($0) / 99, 1.2) }
                f.sample = InfiniteSample(widths: [50, 200, 125], eigenvalues: e, ksVsGram: 0.0731, ksVsLaw: 0.1377)
            }
        }
        return f
    }

    static func content() -> FrameContent {
        var c = FrameContent(summary: ModelSummary(model: model), solve: SolveStatus(lastMilliseconds: 12.5, warm: true))
        c.infinite = frame()
        return c
    }

    /// Golden files live in Golden/ next to this source; `NTKSCOPE_RECORD_GOLDEN=1` rewrites them.
    static func golden(_ name: String, _ actual: String) -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
        if ProcessInfo.processInfo.environment["NTKSCOPE_RECORD_GOLDEN"] == "1" {
            try! actual.write(to: url, atomically: true, encoding: .utf8)
            return actual
        }
        return (try? String(contentsOf: url, encoding: .utf8)) ?? "<missing golden \(name)>"
    }
}


@Suite struct InfiniteWidthKeyTests {
    func press(_ state: inout ExplorerState, _ c: Character) {
        if let a = KeyMap.action(for: .character(c), in: state) { _ = ExplorerReducer.reduce(&state, a) }
    }

    @Test func wTogglesTheModeInBothDirections() {
        var s = ExplorerState(model: InfiniteFixture.model)
        #expect(s.regime == .linearWidth)
        #expect(KeyMap.action(for: .character("w"), in: s) == .nextRegime)
        press(&s, "w")
        #expect(s.regime == .infiniteWidth)
        press(&s, "w")
        #expect(s.regime == .linearWidth)
    }

    @Test func modeKeysOnlyInTheInfiniteWidthMode() {
        var s = ExplorerState(model: InfiniteFixture.model)
        #expect(KeyMap.action(for: .character("n"), in: s) == .sampleSizeDown)
        #expect(KeyMap.action(for: .character("]"), in: s) == nil)
        #expect(KeyMap.action(for: .character("o"), in: s) == nil)
        s.regime = .infiniteWidth
        #expect(KeyMap.action(for: .character("n"), in: s) == .infiniteWidth(.pointsDown))
        #expect(KeyMap.action(for: .character("N"), in: s) == .infiniteWidth(.pointsUp))
        #expect(KeyMap.action(for: .character("["), in: s) == .infiniteWidth(.dimensionDown))
        #expect(KeyMap.action(for: .character("]"), in: s) == .infiniteWidth(.dimensionUp))
        #expect(KeyMap.action(for: .character("o"), in: s) == .infiniteWidth(.orderDown))
        #expect(KeyMap.action(for: .character("O"), in: s) == .infiniteWidth(.orderUp))
        // the shared keys keep their meaning
        #expect(KeyMap.action(for: .character("1"), in: s) == .showView(.layers))
        #expect(KeyMap.action(for: .right, in: s) == .selectNext)
        // overlays and the command line still capture keys
        s.commandLine = ""
        #expect(KeyMap.action(for: .character("n"), in: s) == .commandInput("n"))
    }

    @Test func noKeyOfTheModeShadowsAnotherBindingUnexpectedly() {
        // w is new everywhere; [ ] o O are free in the linear-width map; n N are the documented reuse
        let modeKeys = InfiniteWidthKeys.bindings.flatMap(\.keys)
        let normal = Set(KeyMap.bindings.filter { $0.action != .nextRegime }.flatMap(\.keys))
        #expect(!normal.contains(.character("w")))
        #expect(Set(modeKeys).intersection(normal) == [.character("n"), .character("N")])
        #expect(KeyMap.helpGroups.contains { $0.0 == "Infinite width (w)" })
    }

    @Test func settingsStepWithinTheirRangesAndUndo() {
        var s = ExplorerState(model: InfiniteFixture.model)
        press(&s, "w")
        let d0 = s.infinite.dimension, n0 = s.infinite.points, o0 = s.infinite.order
        press(&s, "]")
        #expect(s.infinite.dimension == 500)
        press(&s, "["); press(&s, "[")
        #expect(s.infinite.dimension == 320)
        press(&s, "N")
        #expect(s.infinite.points == 2 * n0)
        press(&s, "o")
        #expect(s.infinite.order == o0 / 2)
        press(&s, "u"); press(&s, "u"); press(&s, "u"); press(&s, "u"); press(&s, "u")
        #expect(s.infinite == InfiniteWidthSettings(dimension: d0, points: n0, order: o0))
        #expect(s.regime == .infiniteWidth)   // the mode is a view choice, like 1 2 3: not undone
        for _ in 0..<20 { press(&s, "O") }
        #expect(s.infinite.order == InfiniteWidthSettings.orders.upperBound)
        #expect(s.message?.isError == true)
        for _ in 0..<40 { press(&s, "[") }
        #expect(s.infinite.dimension == 2)
        for _ in 0..<20 { press(&s, "n") }
        #expect(s.infinite.points == InfiniteWidthSettings.pointCounts.lowerBound)
    }

    @Test func commandLineSetsTheModeAndSettings() {
        var s = ExplorerState(model: InfiniteFixture.model)
        _ = ExplorerCommand.run("mode infinite", state: &s)
        #expect(s.regime == .infiniteWidth)
        _ = ExplorerCommand.run("dim 37", state: &s)
        _ = ExplorerCommand.run("points 500", state: &s)
        _ = ExplorerCommand.run("order 64", state: &s)
        #expect(s.infinite == InfiniteWidthSettings(dimension: 37, points: 500, order: 64))
        _ = ExplorerCommand.run("dim 1", state: &s)
        #expect(s.message?.isError == true)
        #expect(s.infinite.dimension == 37)
    }
}

@Suite struct InfiniteWidthLayoutTests {
    func screen(_ view: ExplorerView, content: FrameContent = InfiniteFixture.content(), selection: Int? = nil) -> String {
        var s = InfiniteFixture.state(view)
        if let selection { s.selection = selection }
        return ScreenLayout.render(state: s, content: content, width: 120, height: 36).plainText()
    }

    @Test(arguments: [ExplorerView.layers, .focus, .compare])
    func goldenScreens(_ view: ExplorerView) {
        let actual = screen(view, selection: view == .focus ? 3 : nil)
        #expect(actual == InfiniteFixture.golden("infinite-\(view.rawValue)-120x36.txt", actual))
    }

    @Test func headerAndFooterNameTheMode() {
        let text = screen(.layers)
        #expect(text.contains("INFINITE WIDTH d = 50 n = 100 order 40"))
        #expect(text.contains("w linear width"))
        #expect(!text.contains("computing"))
    }

    @Test func staleOrPartialContentSaysSo() {
        var c = InfiniteFixture.content()
        c.infinite = InfiniteFixture.frame(complete: false)
        #expect(screen(.focus, content: c).contains("computing (LAPACK)"))
        #expect(screen(.compare, content: c).contains("computing the Gram spectrum"))
        c.infinite = nil
        #expect(screen(.layers, content: c).contains("computing the infinite-width kernels"))
        var s = InfiniteFixture.state(.layers)
        s.infinite.dimension = 64
        let text = ScreenLayout.render(state: s, content: InfiniteFixture.content(), width: 120, height: 36).plainText()
        #expect(text.contains("computing…"))
    }

    @Test func sampledNetworkStatsAppearWhenProvided() {
        let text = screen(.compare)
        #expect(text.contains("sampled network"))
        #expect(text.contains("d_ℓ = 200, 125"))
        #expect(text.contains("KS(sample, Gram) = 0.0731"))
        #expect(text.contains("KS(sample, law)  = 0.1377"))
        #expect(!text.contains("sampling"))
        var c = InfiniteFixture.content()
        c.infinite = InfiniteFixture.frame(sampled: false)
        let waiting = screen(.compare, content: c)
        #expect(waiting.contains("sampling…") && !waiting.contains("KS(sample"))
        #expect(waiting.contains("sampling a network…"))
        c.infinite?.sample = InfiniteSample(widths: [50, 2_400_000], note: "skipped: Σ d_ℓ·n = 2.4e8 > 6e7")
        let skipped = screen(.compare, content: c)
        #expect(skipped.contains("skipped: Σ d_ℓ·n = 2.4e8") && !skipped.contains("KS(sample"))
    }

    @Test func everyCanvasAndSmallSizesRender() {
        for canvas in CanvasMode.allCases {
            var s = InfiniteFixture.state(.layers)
            s.display.canvas = canvas
            for view in ExplorerView.allCases {
                s.view = view
                for (w, h) in [(60, 16), (80, 24), (200, 60)] {
                    let g = ScreenLayout.render(state: s, content: InfiniteFixture.content(), width: w, height: h)
                    #expect(g.width == w && g.height == h)
                }
            }
        }
    }

    @Test func linearWidthScreensAreUnchangedByTheMode() {
        var s = InfiniteFixture.state(.layers)
        s.regime = .linearWidth
        let text = ScreenLayout.render(state: s, content: InfiniteFixture.content(), width: 120, height: 36).plainText()
        #expect(!text.contains("INFINITE WIDTH"))
    }
}

@Suite struct InfiniteWidthComputeTests {
    @Test func computedFrameHasEveryKernelAndTheComparison() {
        let r = InfiniteWidthRequest(activation: try! Activation.named("tanh"), depth: 2, gammas: [0.5, 0.5],
                                     settings: InfiniteWidthSettings(dimension: 240, points: 120, order: 40), seed: 3)
        let f = InfiniteWidthCompute.compute(r)
        #expect(f.complete && f.error == nil)
        for k in [InfiniteKernel.ck(0), .ck(1), .ck(2), .ntk(1), .ntk(2)] { #expect(f.kernels[k] != nil) }
        #expect(f.kernels[.ntk(2)]!.coefficients.count == 41)
        #expect(abs(f.dataset!.ntk.trace - 120 * f.kernels[.ntk(2)]!.valueAtOne) < 1e-9)
        #expect(f.dataset!.ntk.eigenvalues.count == 120)
        let c = try! #require(f.comparison)
        #expect(c.gammaLimit.count == 3)
        #expect(c.gammaLimit.last!.ks < c.gammaLimit.first!.ks)
        // stage 3: a network of widths n/γ_ℓ = 240 on the same points, its exact NTK
        let sample = try! #require(f.sample)
        #expect(sample.widths == [240, 240, 240] && sample.note == nil)
        let e = try! #require(sample.eigenvalues)
        #expect(e.count == 120)
        let trace = e.reduce(0, +)
        #expect(abs(trace / f.dataset!.ntk.trace - 1) < 0.2)   // one common O(√(2/width)) factor (‖w‖²/d_L)
        #expect(sample.ksVsGram! < 0.5 && sample.ksVsLaw! < 0.5)
    }

    @Test func sampleIsSkippedOverBudget() {
        let r = InfiniteWidthRequest(activation: try! Activation.named("tanh"), depth: 2, gammas: [0.001, 0.001],
                                     settings: InfiniteWidthSettings(dimension: 400, points: 2400, order: 40), seed: 3)
        let plan = InfiniteWidthCompute.samplePlan(r)
        #expect(plan.widths == [400, 2_400_000, 2_400_000])
        #expect(plan.skip?.hasPrefix("skipped") == true)
        let ok = InfiniteWidthRequest(activation: r.activation, depth: 2, gammas: [0.5, 0.5], settings: r.settings, seed: 3)
        #expect(InfiniteWidthCompute.samplePlan(ok).skip == nil)
    }

    @Test(.timeLimit(.minutes(10))) func schedulerPublishesTheLatestRequestAndCaches() async throws {
        let scheduler = InfiniteWidthScheduler()
        let r = InfiniteWidthRequest(activation: try! Activation.named("relu"), depth: 1, gammas: [0.5],
                                     settings: InfiniteWidthSettings(dimension: 20, points: 40, order: 20), seed: 1)
        scheduler.request(r)
        var frame: InfiniteWidthFrame?
        // no timing assumption: poll until the complete frame is there (bounded only by the test runner)
        var stages: [Bool] = []
        while frame?.finished != true {
            if let f = scheduler.takeResult() { frame = f; stages.append(f.sample != nil) } else { try await Task.sleep(nanoseconds: 1_000_000) }
        }
        #expect(frame?.request == r)
        #expect(frame?.sample?.eigenvalues?.count == 40)
        #expect(stages.last == true)
        scheduler.request(r)   // cached: published at once
        #expect(scheduler.takeResult()?.sample != nil)
    }
}
