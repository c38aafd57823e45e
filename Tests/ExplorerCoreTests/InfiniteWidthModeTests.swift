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

    static func kernel(_ k: InfiniteKernel, rate: Double, at1: Double, constant: Double = 0) -> InfiniteKernelData {
        let c = (0...40).map { j -> Double in j == 0 ? constant : (at1 - constant) * pow(rate, Double(j)) * (1 - rate) }
        let rows = (0...10).map { k -> SphereRow in
            // N(50, k) as text: exact digits (they exceed 2⁵³ beyond k ≈ 9 at d = 50)
            let n = k == 0 ? 1.0 : Double(50 * k)
            let lambda = at1 * pow(Double(k + 1), -3) / 40
            return SphereRow(degree: k, multiplicityText: String(Int(n)), log10Multiplicity: log10(n), lambda: lambda,
                             bound: lambda * 1e-3 * Double(k + 1) * (k >= 9 ? 20 : 1), share: min(1, n * lambda / at1),
                             method: k >= 8 ? .quadrature : .series)
        }
        return InfiniteKernelData(kernel: k, coefficients: c, valueAtOne: at1, tail: at1 * pow(rate, 41), sphere: rows,
                                  fit: SphereDecayFit(slope: -3, window: 5...10, resolved: [5, 6, 7, 8], unresolved: [9, 10], theory: "k^-50"))
    }

    static func curves(depth L: Int) -> KernelCurves {
        let rho = (0...40).map { -1 + Double($0) / 20 }
        let ck = (0...L).map { l in rho.map { l == 0 ? $0 : (0.1 * Double(l) + $0 * $0 + $0) / (1.1 + 0.1 * Double(l)) } }
        let ntk = (0...L).map { l in rho.map { Double(l + 1) * (1 + $0) / 2 } }
        let der = [[Double]()] + (1...L).map { l in rho.map { 0.5 + 0.5 * (1 + $0) / 2 + 0.01 * Double(l) } }
        let series = ntk[L].enumerated().map { $0.element - 1e-3 * pow(rho[$0.offset], 30) }
        let bound = rho.map { 2e-3 * pow(abs($0), 30) }
        let table = KernelCurves.tableRho.map { r in
            KernelPoint(rho: r, ck: (0...L).map { _ in r }, derivative: [.nan] + (1...L).map { _ in 0.5 + r / 4 },
                        ntk: (0...L).map { Double($0 + 1) * (1 + r) / 2 }, seriesNTK: Double(L + 1) * (1 + r) / 2 - 1e-3 * pow(r, 30),
                        seriesBound: 2e-3 * pow(abs(r), 30))
        }
        return KernelCurves(rho: rho, ck: ck, derivative: der, ntk: ntk, seriesNTK: series, seriesBound: bound, method: "closed form", table: table)
    }

    static func law() -> DisplaySpectrum {
        let xs = (0...40).map { 0.5 + 4 * Double($0) / 40 }
        let ys = xs.map { x -> Double in let t = 1 - (x - 2.5) * (x - 2.5) / 4; return t > 0 ? 0.32 * t.squareRoot() : 0 }
        return DisplaySpectrum(kernel: .ntk, x: xs, density: ys, support: [0.5...4.5], mean: 2.5, secondMoment: 7.25)
    }

    static func frame(complete: Bool = true, sampled: Bool = true, constant: Double = 0) -> InfiniteWidthFrame {
        let s = state(.layers)
        var kernels: [InfiniteKernel: InfiniteKernelData] = [:]
        kernels[.ck(0)] = kernel(.ck(0), rate: 0.01, at1: 1)
        for l in 1...2 {
            kernels[.ck(l)] = kernel(.ck(l), rate: 0.3 + 0.1 * Double(l), at1: 1, constant: constant / 2)
            kernels[.ntk(l)] = kernel(.ntk(l), rate: 0.5 + 0.1 * Double(l), at1: 1 + 1.5 * Double(l), constant: constant)
        }
        let hermite = (0...41).map { k -> Double in k % 2 == 1 ? pow(0.6, Double(k)) : (k == 0 ? 3e-17 : 0) }
        var f = InfiniteWidthFrame(request: InfiniteWidthRequest(state: s), hermite: hermite, hermiteNote: "μ_k by quadrature, good to k = 38",
                                   hermiteTail: 2.5e-9, kernels: kernels, variances: [1, 1, 1], profile: curves(depth: 2), complete: complete)
        if complete {
            // n = 100 eigenvalues: a bulk, and with a constant term its outlier in place of the largest
            var ev = (0..<100).map { 0.6 + 3.8 * Double($0) / 99 }
            if constant > 0 { ev[99] = 100 * constant + 5 }
            let input = (0..<100).map { $0 < 50 ? 2.0 * Double($0 + 1) / 50 : 0 }
            f.dataset = DatasetSpectra(input: GramSpectrum(eigenvalues: input, trace: 100, source: "data"),
                                       ck: GramSpectrum(eigenvalues: ev.map { $0 / 2.5 }, trace: 100, source: "closed form"),
                                       ntk: GramSpectrum(eigenvalues: ev, trace: 250, entryErrorBound: 0.004, source: "series"),
                                       ntkBoundConstant: 5.5, ckBoundConstant: 3)
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
        for _ in 1..<Regimes.all.count { press(&s, "w") }   // through the other regimes and back
        #expect(s.regime == .linearWidth)
    }

    @Test func modeKeysOnlyInTheInfiniteWidthMode() {
        var s = ExplorerState(model: InfiniteFixture.model)
        #expect(KeyMap.action(for: .character("n"), in: s) == .sampleSizeDown)
        #expect(KeyMap.action(for: .character("4"), in: s) == .showView(.cdf))
        for c in "[]oOfFpPCUV" { #expect(KeyMap.action(for: .character(c), in: s) == nil, "\(c)") }
        s.regime = .infiniteWidth
        let expected: [(Character, InfiniteWidthAction)] = [
            ("n", .pointsDown), ("N", .pointsUp), ("[", .dimensionDown), ("]", .dimensionUp), ("o", .orderDown), ("O", .orderUp),
            ("f", .weightVarianceDown), ("F", .weightVarianceUp), ("p", .biasVarianceDown), ("P", .biasVarianceUp),
            ("C", .toggleCentre), ("U", .toggleNormalise), ("V", .toggleUnitVariance)]
        for (c, a) in expected { #expect(KeyMap.action(for: .character(c), in: s) == .infiniteWidth(a), "\(c)") }
        #expect(KeyMap.action(for: .character("4"), in: s) == .showView(.cdf))   // this regime's kernel view
        // the shared keys keep their meaning
        #expect(KeyMap.action(for: .character("1"), in: s) == .showView(.layers))
        #expect(KeyMap.action(for: .right, in: s) == .selectNext)
        // overlays and the command line still capture keys
        s.commandLine = ""
        #expect(KeyMap.action(for: .character("n"), in: s) == .commandInput("n"))
    }

    @Test func noKeyOfTheModeShadowsAnotherBindingUnexpectedly() {
        // w is new everywhere; n N (dataset size for sample size) and 4 (the fourth view) are the documented reuses
        let modeKeys = InfiniteWidthKeys.bindings.flatMap(\.keys)
        let normal = Set(KeyMap.bindings.filter { $0.action != .nextRegime }.flatMap(\.keys))
        #expect(!normal.contains(.character("w")))
        #expect(Set(modeKeys).intersection(normal) == [.character("n"), .character("N"), .character("4")])
        // every key is in the help (the one table), with the order limit stated
        let group = KeyMap.helpGroups.first { $0.0 == "Infinite width (w)" }
        #expect(group != nil)
        for label in ["[ / ]", "n / N", "o / O", "f / F", "p / P", "C", "U", "V", "4"] { #expect(group!.1.contains { $0.0 == label }, "\(label)") }
        #expect(group!.1.contains { $0.1.contains("10…\(KernelSeries.maxOrder)") })
    }

    @Test func settingsStepWithinTheirRangesAndUndo() {
        var s = ExplorerState(model: InfiniteFixture.model)
        press(&s, "w")
        let start = s.infinite
        press(&s, "]")
        #expect(s.infinite.dimension == 500)
        press(&s, "["); press(&s, "[")
        #expect(s.infinite.dimension == 320)
        press(&s, "N")
        #expect(s.infinite.points == 2 * start.points)
        press(&s, "o")
        #expect(s.infinite.order == start.order / 2)
        for _ in 0..<5 { press(&s, "u") }
        #expect(s.infinite == start)
        #expect(s.regime == .infiniteWidth)   // the mode is a view choice, like 1 2 3: not undone
        for _ in 0..<20 { press(&s, "O") }
        #expect(s.infinite.order == InfiniteWidthSettings.orders.upperBound)
        #expect(s.infinite.order == KernelSeries.maxOrder)   // one order limit: the library's
        #expect(s.message?.isError == true)
        for _ in 0..<40 { press(&s, "[") }
        #expect(s.infinite.dimension == 2)
        for _ in 0..<20 { press(&s, "n") }
        #expect(s.infinite.points == InfiniteWidthSettings.pointCounts.lowerBound)
    }

    @Test func initialisationKeysStepTheLaddersToggleAndUndo() {
        var s = ExplorerState(model: InfiniteFixture.model)
        s.regime = .infiniteWidth
        press(&s, "f")
        #expect(s.infinite.initialisation.weightVariance == 0.9)
        press(&s, "F"); press(&s, "F")
        #expect(s.infinite.initialisation.weightVariance == 1.25)
        press(&s, "P"); press(&s, "P")
        #expect(s.infinite.initialisation.biasVariance == 0.05)
        press(&s, "p"); press(&s, "p"); press(&s, "p")
        #expect(s.infinite.initialisation.biasVariance == 0)
        #expect(s.message?.isError == true)   // already at 0
        press(&s, "C")
        #expect(s.infinite.initialisation.centre == false)
        press(&s, "U")
        #expect(s.infinite.initialisation.normalise == false)
        #expect(s.message?.text.contains("uncentred unnormalised") == true)
        // V: the power-series paper's unit-variance initialisation and back
        _ = ExplorerCommand.run("init standard", state: &s)
        press(&s, "V")
        #expect(s.infinite.initialisation == Initialisation(weightVariance: 0.5, biasVariance: 0.5, centre: false, normalise: true))
        press(&s, "V")
        #expect(s.infinite.initialisation == .standard)
        for _ in 0..<30 { press(&s, "F") }
        #expect(s.infinite.initialisation.weightVariance == Initialisation.weightVariances.upperBound)
        for _ in 0..<40 { press(&s, "u") }
        #expect(s.infinite.initialisation == .standard)
    }

    @Test func commandLineSetsTheModeSettingsAndInitialisation() {
        var s = ExplorerState(model: InfiniteFixture.model)
        _ = ExplorerCommand.run("mode infinite", state: &s)
        #expect(s.regime == .infiniteWidth)
        _ = ExplorerCommand.run("dim 37", state: &s)
        _ = ExplorerCommand.run("points 500", state: &s)
        _ = ExplorerCommand.run("order 2000", state: &s)
        #expect(s.infinite == InfiniteWidthSettings(dimension: 37, points: 500, order: 2000))
        _ = ExplorerCommand.run("order 2001", state: &s)
        #expect(s.message?.isError == true && s.message!.text.contains("10…2000"))
        _ = ExplorerCommand.run("dim 1", state: &s)
        #expect(s.message?.isError == true)
        #expect(s.infinite.dimension == 37)
        _ = ExplorerCommand.run("wvar 0.64", state: &s)
        _ = ExplorerCommand.run("bvar 0.36", state: &s)
        _ = ExplorerCommand.run("centre off", state: &s)
        #expect(s.infinite.initialisation == Initialisation(weightVariance: 0.64, biasVariance: 0.36, centre: false, normalise: true))
        _ = ExplorerCommand.run("normalise off", state: &s)
        #expect(!s.infinite.initialisation.normalise)
        _ = ExplorerCommand.run("normalize", state: &s)   // toggles back
        #expect(s.infinite.initialisation.normalise)
        for bad in ["wvar 0", "wvar 101", "bvar -1", "bvar nan", "centre maybe", "init paper 2", "init other"] {
            let before = s.infinite
            _ = ExplorerCommand.run(bad, state: &s)
            #expect(s.message?.isError == true, "\(bad)")
            #expect(s.message?.text.hasPrefix(":\(bad.split(separator: " ")[0])") == true, "\(bad): \(s.message?.text ?? "")")
            #expect(s.infinite == before)
        }
        _ = ExplorerCommand.run("init paper 0.8", state: &s)
        #expect(s.infinite.initialisation.weightVariance == 0.8 && abs(s.infinite.initialisation.biasVariance - 0.2) < 1e-15)
        #expect(!s.infinite.initialisation.centre && s.infinite.initialisation.normalise)
        _ = ExplorerCommand.run("view kernels", state: &s)
        #expect(s.view == .cdf && s.currentRegime.viewTitle(s.view) == "kernels")
    }

    /// A data set wider and larger than the uniform points' ranges (d = 2500 > 2000, n = 2500 > 2400).
    static func bigData() -> InfiniteWidthData {
        let d = 2500, n = 2500
        // a cheap deterministic matrix: column i has a 1 in row i (mod d) and a small second entry
        var columns = [Double](repeating: 0, count: d * n)
        for i in 0..<n { columns[i * d + i % d] = 1; columns[i * d + (i * 7 + 3) % d] += 0.5 }
        let points = try! InputPoints(dimension: d, count: n, columns: columns)
        return InfiniteWidthData(source: "folder/big.npy", points: points, notice: "big.npy: 2500 samples in d = 2500")
    }

    @Test func aDataSetKeepsItsOwnDimensionAndSizeThroughEveryKey() {
        var s = ExplorerState(model: InfiniteFixture.model)
        s.regime = .infiniteWidth
        _ = ExplorerReducer.reduce(&s, .infiniteWidth(.setData(Self.bigData())))
        #expect(s.infinite.dimension == 2500 && s.infinite.points == 2500)
        #expect(s.message?.text.contains("big.npy") == true)
        for c in "[]nN" {
            press(&s, c)
            #expect(s.infinite.dimension == 2500 && s.infinite.points == 2500, "\(c)")
            #expect(s.message?.isError == true && s.message!.text.contains("data's"), "\(c)")
        }
        for c in "oOfFpPCUV" {   // every other key validates the settings: d and n stay the data's
            press(&s, c)
            #expect(s.infinite.dimension == 2500 && s.infinite.points == 2500, "\(c)")
        }
        _ = ExplorerCommand.run("dim 40", state: &s)
        #expect(s.message?.isError == true && s.infinite.dimension == 2500)
        #expect(s.infinite.validated() == s.infinite)
        // the header names the file and n/d, not a Gaussian γ₀
        let header = ScreenLayout.render(state: s, content: FrameContent(summary: ModelSummary(model: s.model)), width: 200, height: 30).plainText()
            .split(separator: "\n")[0]
        #expect(header.contains("input: big.npy (n/d = 1)") && header.contains("d = 2500 n = 2500"))
        #expect(!header.contains("Gaussian"))
        _ = ExplorerCommand.run("data off", state: &s)
        #expect(s.infinite.data == nil && s.infinite.dimension == 2000 && s.infinite.points == 2400)
        // a failed read says why, naming the file
        _ = ExplorerReducer.reduce(&s, InfiniteWidthRegime.loadData(path: "/nonexistent/none.csv"))
        #expect(s.message?.isError == true && s.message!.text.contains("none.csv"))
    }

    @Test func loadingADataFileForTheGramBlock() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ntk-iw-\(UInt64.random(in: 0...UInt64.max)).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try "1,2,3\n4,5,6\n-1,0,2\n0,0,5\n".write(to: url, atomically: true, encoding: .utf8)
        var s = ExplorerState(model: InfiniteFixture.model)
        s.regime = .infiniteWidth
        _ = ExplorerReducer.reduce(&s, InfiniteWidthRegime.loadData(path: url.path))
        #expect(s.infinite.data?.points.count == 4 && s.infinite.dimension == 3 && s.infinite.points == 4)
        // rows scaled to unit norm (the infinite-width kernels are those of points on the sphere)
        let p = try #require(s.infinite.data?.points)
        for i in 0..<4 { #expect(abs((0..<3).reduce(0.0) { $0 + p.columns[i * 3 + $1] * p.columns[i * 3 + $1] } - 1) < 1e-14) }
        try "1,2\n3,x\n".write(to: url, atomically: true, encoding: .utf8)
        _ = ExplorerReducer.reduce(&s, InfiniteWidthRegime.loadData(path: url.path))
        #expect(s.message?.isError == true && s.message!.text.contains("line 2"))
        #expect(s.infinite.data?.points.count == 4)   // the previous data stays
    }
}

@Suite struct InfiniteWidthLayoutTests {
    func screen(_ view: ExplorerView, content: FrameContent = InfiniteFixture.content(), selection: Int? = nil,
                width: Int = 200, height: Int = 60, state: ExplorerState? = nil) -> String {
        var s = state ?? InfiniteFixture.state(view)
        s.view = view
        if let selection { s.selection = selection }
        return ScreenLayout.render(state: s, content: content, width: width, height: height).plainText()
    }

    @Test(arguments: [ExplorerView.layers, .focus, .compare, .cdf])
    func goldenScreens(_ view: ExplorerView) {
        var c = InfiniteFixture.content()
        c.infinite = InfiniteFixture.frame(constant: 0.6)
        for (w, h) in [(200, 60), (80, 24)] {
            let actual = screen(view, content: c, selection: view == .layers ? nil : 3, width: w, height: h)
            let name = "infinite-\(view == .cdf ? "kernels" : view.rawValue)-\(w)x\(h).txt"
            #expect(actual == InfiniteFixture.golden(name, actual), "\(name)")
        }
    }

    @Test func headerNamesThePointsAndTheInitialisationNotAGaussianInput() {
        let text = screen(.layers)
        let rows = text.split(separator: "\n")
        #expect(rows[0].contains("d = 50 n = 100 order 40") && rows[0].contains("input: uniform on S^49 (n/d = 2)"))
        #expect(!text.contains("Gaussian") && !text.contains("γ₀"))
        #expect(rows[1].contains("INFINITE WIDTH") && rows[1].contains("0:input"))
        #expect(text.contains("w next regime"))
        #expect(!text.contains("computing"))
        var s = InfiniteFixture.state(.layers)
        s.infinite.initialisation = InfiniteWidthSettings.unitVariance()
        let paper = ScreenLayout.render(state: s, content: InfiniteFixture.content(), width: 200, height: 60).plainText()
        #expect(paper.split(separator: "\n")[0].contains("σ_w² = 0.5 σ_b² = 0.5 uncentred"))
        #expect(screen(.cdf, state: s).split(separator: "\n")[1].contains("view: kernels"))
    }

    @Test func staleOrPartialContentSaysSoWithProgress() {
        var c = InfiniteFixture.content()
        c.infinite = InfiniteFixture.frame(complete: false)
        #expect(screen(.focus, content: c).contains("computing (LAPACK)"))
        #expect(screen(.compare, content: c).contains("computing the Gram spectrum"))
        #expect(screen(.layers, content: c).contains("Gram spectra…"))
        c.infinite?.profile = nil
        #expect(screen(.cdf, content: c).contains("computing the exact kernels"))
        c.infinite = nil
        #expect(screen(.layers, content: c).contains("computing the infinite-width kernels"))
        // a newer request being computed: its stage and share done in the header
        var s = InfiniteFixture.state(.layers)
        s.infinite.order = 2000
        var p = InfiniteFixture.content()
        p.infiniteProgress = InfiniteWidthProgress(request: InfiniteWidthRequest(state: s), stage: "series", percent: 42)
        let text = ScreenLayout.render(state: s, content: p, width: 120, height: 36).plainText()
        #expect(text.split(separator: "\n")[1].contains("computing… series 42%"))
        // progress of another request is not shown as this one's
        s.infinite.order = 1000
        let other = ScreenLayout.render(state: s, content: p, width: 120, height: 36).plainText()
        #expect(!other.contains("42%") && other.contains("computing…"))
    }

    /// Row 0's right end describes this mode's computation, never the linear-width solver's timing
    /// (the fixture's content carries a linear-width "solved in 12.5 ms warm").
    @Test func headerStatusIsTheModesOwnNotTheLinearWidthSolvers() {
        func row0(_ c: FrameContent, _ s: ExplorerState = InfiniteFixture.state(.layers), width: Int = 200) -> String {
            String(ScreenLayout.render(state: s, content: c, width: width, height: 40).plainText().split(separator: "\n")[0])
        }
        var c = InfiniteFixture.content()
        #expect(c.solve.lastMilliseconds != nil)
        #expect(row0(c).hasSuffix("computed"))
        #expect(!row0(c).contains("solved in") && !row0(c, width: 80).contains("solved in"))
        c.infinite = InfiniteFixture.frame(complete: false)
        #expect(row0(c).hasSuffix("computing…"))
        c.infinite = nil
        #expect(row0(c).hasSuffix("computing…"))
        // a frame of other settings is not this one's
        var s = InfiniteFixture.state(.layers)
        s.infinite.order *= 2
        #expect(row0(InfiniteFixture.content(), s).hasSuffix("computing…"))
        c.infinite = InfiniteFixture.frame()
        c.infinite?.error = "LAPACK failed"
        #expect(row0(c).contains("computation failed"))
        // back in the linear-width regime the solver's status is shown
        var linear = InfiniteFixture.state(.layers)
        linear.regime = .linearWidth
        #expect(row0(InfiniteFixture.content(), linear).contains("solved in 12 ms warm"))
    }

    @Test func theNumbersTheViewsShow() {
        var c = InfiniteFixture.content()
        c.infinite = InfiniteFixture.frame(constant: 0.6)
        let focus = screen(.focus, content: c, selection: 3)
        // the constant term, its share and its outlier n·c₀ = 100 × 0.6
        #expect(focus.contains("c₀ = 0.600, 15% of the trace"))
        #expect(focus.contains("→ Gram outlier λ ≥ n·c₀ = 60.00"))
        #expect(focus.contains("λmax(Θ) = 65.00 ≥ n·c₀ = 60.00 ✓"))
        // the decay fit with its theory, resolved degrees counted
        #expect(focus.contains("decay slope -3.00, 4 resolved of k = 5…10") && focus.contains("theory: k^-50"))
        // each sphere row's method and whether its bound resolves it
        #expect(focus.contains(" q✗"))
        #expect(focus.contains(" s\n") || focus.contains(" s "))
        // Gram: λ_min, rank, source, Theorem 4.3 with its constant
        #expect(focus.contains("λmin") && focus.contains("rank"))
        #expect(focus.contains("Thm 4.3: r(Θ)/r(XᵀX) = 0.0769 ≤ Θ(1)/c₁ = 5.50 ✓"))
        #expect(focus.contains("Θ Gram: entries from the series ± 0.0040"))
        let compare = screen(.compare, content: c)
        #expect(compare.contains("Thm 4.3: r(Θ)/r(XᵀX) 0.0769 ≤ 5.50 ✓"))
        // μ₀ of a centred σ: a round-off 3e-17 prints as 0
        #expect(screen(.layers, content: c).contains("μ₀ = 0 ·"))
    }

    @Test func theKernelViewShowsEveryLayerAndChecksTheSeriesAgainstItsBound() {
        let text = screen(.cdf, selection: 2)
        #expect(text.contains("K_ℓ(ρ), ℓ = 0…2") && text.contains("Θ_ℓ(ρ), ℓ = 0…2") && text.contains("κ′ℓ(ρ)"))
        #expect(text.contains("layer ℓ = 2 highlighted"))
        #expect(text.contains("✓ within the stated bound"))
        // a series that misses the exact kernel by more than its bound is flagged, not hidden
        var c = InfiniteFixture.content()
        let tighter = c.infinite!.profile!.seriesBound.map { $0 / 10 }
        c.infinite?.profile?.seriesBound = tighter
        #expect(screen(.cdf, content: c).contains("✗ error above the bound"))
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

    @Test func anotherInitialisationIsNotComparedSilentlyWithFanWang() {
        var s = InfiniteFixture.state(.compare)
        s.infinite.initialisation = InfiniteWidthSettings.unitVariance()
        var c = InfiniteFixture.content()
        c.infinite = InfiniteFixture.frame()
        c.infinite?.request = InfiniteWidthRequest(state: s)
        let text = screen(.compare, content: c, state: s)
        #expect(text.contains("✗ the law is Fan–Wang's network"))
    }

    @Test func everyCanvasViewAndSizeRendersWithoutCutCaptions() {
        var c = InfiniteFixture.content()
        c.infinite = InfiniteFixture.frame(constant: 0.6)
        for canvas in CanvasMode.allCases {
            var s = InfiniteFixture.state(.layers)
            s.display.canvas = canvas
            for view in ExplorerView.allCases {
                s.view = view
                for (w, h) in [(60, 16), (80, 24), (120, 36), (200, 60)] {
                    let g = ScreenLayout.render(state: s, content: c, width: w, height: h)
                    #expect(g.width == w && g.height == h)
                    // a text cut at its room ends in "…" (a range such as "k = 5…10" has a digit after it)
                    let body = g.plainText().split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).dropLast(2)
                    for line in body where canvas != .ascii {
                        #expect(line.range(of: "…( |$)", options: .regularExpression) == nil, "\(view) \(w)×\(h): \(line)")
                    }
                }
            }
        }
    }

    @Test func linearWidthScreensAreUnchangedByTheMode() {
        var s = InfiniteFixture.state(.layers)
        s.regime = .linearWidth
        let text = ScreenLayout.render(state: s, content: InfiniteFixture.content(), width: 120, height: 36).plainText()
        #expect(!text.contains("INFINITE WIDTH"))
        #expect(text.split(separator: "\n")[0].contains("input: Gaussian γ₀ = 2"))
    }
}

@Suite struct InfiniteWidthPlotTests {
    /// The XY plots draw the shared tick model's labels: decades from `AxisTicks.decades`, linear
    /// ticks from `AxisTicks.linear` (the same as `DensityPlot` and the SVG export).
    @Test func ticksAreTheSharedTickModel() {
        var p = XYPlot(xRange: 0...200, yRange: -12 ... -1, axes: XYAxes(logX: false, logY: true), mode: .braille)
        p.series = [XYSeries(role: .theory, x: [0, 200], y: [-1, -12])]
        let text = p.render(width: 60, height: 20).plainText()
        let decades = XYPlot.labelling(-12 ... -1, log: true, target: 9, axisLength: 18)
        #expect(decades.labels == AxisTicks.decades(1e-12...0.1, maxTicks: 9).labels)
        for l in decades.labels { #expect(text.contains(l), "\(l)") }
        // every other decade from the top (10^-1 … 10^-11), small exponents written out
        #expect(decades.labels == ["1e-11", "1e-9", "1e-7", "1e-5", "0.001", "0.1"])
        #expect(text.contains("0.001") && text.contains("1e-11") && !text.contains("1e-3"))
        let linear = XYPlot.labelling(0...200, log: false, target: 6, axisLength: 50)
        #expect(linear.labels == AxisTicks.linear(0...200, target: 6, maxLabelWidth: 8, axisLength: 50).labels)
        for l in linear.labels { #expect(text.contains(l)) }
        // a decade axis's ticks sit at integers (log10 units)
        #expect(decades.values.allSatisfy { $0 == $0.rounded() })
    }

    @Test func fittedTextDropsWholePartsNeverCutsANumber() {
        let parts = [("tail Θ 0.026", 0), ("c₀ 65%", 1), ("slope -2.97 (theory -3)", 2), ("k≤2 89%", 3)]
        #expect(FittedText.fit(parts, width: 200) == "tail Θ 0.026 · c₀ 65% · slope -2.97 (theory -3) · k≤2 89%")
        #expect(FittedText.fit(parts, width: 30) == "tail Θ 0.026 · c₀ 65%")
        #expect(FittedText.fit(parts, width: 40) == "tail Θ 0.026 · c₀ 65% · k≤2 89%")
        #expect(FittedText.fit(parts, width: 8, fallback: "Θ 0.026") == "Θ 0.026")
        #expect(FittedText.first(["long form here", "short"], width: 6) == "short")
        var info = InfoColumn(width: 20)
        info.add(["keep"], priority: 0)
        info.addWrapped("a note that wraps onto three lines here", .warning, priority: 2)
        info.add(["drop me"], priority: 1)
        // rows for all but one line: the whole note goes, not its last line
        let fitted = info.fitted(rows: info.lines.count - 1).map(\.text)
        #expect(fitted == ["keep", "drop me"])
    }

    @Test func exactMultiplicitiesAreShownExactlyOrFromTheirLogarithm() {
        // N(100, 10) = C(109, 99) − C(107, 99), here by exact integer arithmetic of the test's own
        func binomial(_ n: Int, _ k: Int) -> UInt64 {
            var r: UInt64 = 1
            for i in 0..<k { r = r * UInt64(n - i) / UInt64(i + 1) }
            return r
        }
        let n = binomial(109, 10) - binomial(107, 8)
        let eig = SphereSpectrum.eigenvalues(coefficients: [0, 1], tail: 0, valueAtOne: 1, dimension: 100, maxDegree: 10)
        let row = SphereRow(eig[10])
        #expect(row.multiplicityText == String(n) && String(n) == "42308265455885")
        #expect(row.multiplicity(width: 14) == "42308265455885")
        #expect(row.multiplicity(width: 9) == "4.23e13")
        let huge = SphereRow(degree: 200, multiplicityText: String(repeating: "9", count: 626), log10Multiplicity: 625.18,
                             lambda: 0, log10Lambda: -629.5, bound: 0, share: 0)
        #expect(huge.multiplicity(width: 9) == "1.51e625")
    }
}

@Suite struct InfiniteWidthComputeTests {
    @Test func computedFrameHasEveryKernelTheProfileAndTheComparison() {
        let r = InfiniteWidthRequest(activation: try! Activation.named("tanh"), depth: 2, gammas: [0.5, 0.5],
                                     settings: InfiniteWidthSettings(dimension: 240, points: 120, order: 40), seed: 3)
        let f = InfiniteWidthCompute.compute(r)
        #expect(f.complete && f.error == nil)
        for k in [InfiniteKernel.ck(0), .ck(1), .ck(2), .ntk(1), .ntk(2)] { #expect(f.kernels[k] != nil) }
        #expect(f.kernels[.ntk(2)]!.coefficients.count == 41)
        #expect(abs(f.dataset!.ntk.trace - 120 * f.kernels[.ntk(2)]!.valueAtOne) < 1e-9)
        #expect(f.dataset!.ntk.eigenvalues.count == 120)
        #expect(f.dataset!.theorem43Holds)
        let p = try! #require(f.profile)
        #expect(p.ck.count == 3 && p.ntk.count == 3 && p.derivative.count == 3 && p.rho.first == -1 && p.rho.last == 1)
        let c = try! #require(f.comparison)
        #expect(c.gammaLimit.count == 3)
        #expect(c.gammaLimit.last!.ks < c.gammaLimit.first!.ks)
        #expect(c.inputLaw.contains("Marcenko"))
        // stage 4: a network of widths n/γ_ℓ = 240 on the same points, its exact NTK
        let sample = try! #require(f.sample)
        #expect(sample.widths == [240, 240, 240] && sample.note == nil)
        let e = try! #require(sample.eigenvalues)
        #expect(e.count == 120)
        let trace = e.reduce(0, +)
        #expect(abs(trace / f.dataset!.ntk.trace - 1) < 0.2)   // one common O(√(2/width)) factor (‖w‖²/d_L)
        #expect(sample.ksVsGram! < 0.5 && sample.ksVsLaw! < 0.5)
    }

    /// ReLU at depth 1, Fan–Wang's σ (centred, normalised): the kernel view's exact values against
    /// the test's own arc-cosine formulas, σ = s(relu − m), m = 1/√(2π), s² = 1/(½ − 1/(2π)):
    /// K₁(ρ) = s²[(√(1−ρ²) + (π − arccos ρ)ρ)/(2π) − 1/(2π)], κ′(ρ) = s²(π − arccos ρ)/(2π), Θ₁ = K₁ + ρ κ′.
    @Test func kernelViewValuesAgainstTheArcCosineKernels() throws {
        let r = InfiniteWidthRequest(activation: try! Activation.named("relu"), depth: 1, gammas: [0.5],
                                     settings: InfiniteWidthSettings(dimension: 10, points: 20, order: 200), seed: 1)
        let f = try InfiniteWidthCompute.kernels(try InfiniteWidthCompute.series(r))
        let p = try #require(f.profile)
        let s2 = 1 / (0.5 - 1 / (2 * Double.pi))
        for point in p.table {
            let t = point.rho
            let k = s2 * ((1 - t * t).squareRoot() + (Double.pi - acos(t)) * t) / (2 * Double.pi) - s2 / (2 * Double.pi)
            let kd = s2 * (Double.pi - acos(t)) / (2 * Double.pi)
            #expect(abs(point.ck[1] - k) < 1e-12, "K₁(\(t))")
            #expect(abs(point.derivative[1] - kd) < 1e-12, "κ′(\(t))")
            #expect(abs(point.ntk[1] - (k + t * kd)) < 1e-12, "Θ₁(\(t))")
            // the series of order 200 misses by at most its stated bound
            #expect(abs(point.seriesNTK - point.ntk[1]) <= point.seriesBound + 1e-12)
        }
        #expect(p.method == "closed form" && p.rho.count == 201)
    }

    /// Uncentred √2·relu (σ normalised, not centred), σ_w² = 1, no bias: E σ = √2/√(2π) = 1/√π, so
    /// K₁(0) = (E σ)² = 1/π — a constant term that the Gram must show as an outlier ≥ n c₀.
    @Test func theConstantTermAndItsOutlier() {
        var settings = InfiniteWidthSettings(dimension: 20, points: 60, order: 60)
        settings.initialisation = Initialisation(centre: false)
        let r = InfiniteWidthRequest(activation: try! Activation.named("relu"), depth: 1, gammas: [0.5], settings: settings, seed: 2)
        let f = InfiniteWidthCompute.compute(r)
        let k1 = f.kernels[.ck(1)]!
        #expect(abs(k1.constant - 1 / Double.pi) < 1e-12)
        #expect(abs(k1.constantShare - 1 / Double.pi) < 1e-12)   // K₁(1) = E σ² = 1
        #expect(abs(f.mu0 - 1 / Double.pi.squareRoot()) < 1e-12)
        let ntk = f.kernels[.ntk(1)]!
        #expect(f.dataset!.ntk.lambdaMax >= 60 * ntk.constant)
        // the sampler draws eq. (1) only: no silent comparison with another network
        #expect(f.sample?.eigenvalues == nil && f.sample?.note?.contains("eq. (1)") == true)
        #expect(f.kernels[.ntk(1)]!.fit?.theory == "k^-20")
    }

    @Test func aDataFileIsComparedWithTheLawOfItsOwnInputSpectrum() {
        var settings = InfiniteWidthSettings(order: 30)
        let points = try! InputPoints.make(.gaussian(n: 40, dimension: 60, seed: 5))
        settings.data = InfiniteWidthData(source: "pts.csv", points: points, notice: "")
        settings = settings.validated()
        #expect(settings.dimension == 60 && settings.points == 40)
        let r = InfiniteWidthRequest(activation: try! Activation.named("tanh"), depth: 1, gammas: [0.5], settings: settings, seed: 1)
        let f = try! InfiniteWidthCompute.complete(try! InfiniteWidthCompute.series(r))
        #expect(f.comparison?.inputLaw == "the data's XᵀX spectrum")
        #expect(abs(f.comparison!.law.mean - f.dataset!.ntk.mean) < 1e-6 * f.dataset!.ntk.mean)   // both Θ(1)
        #expect(f.dataset!.input.eigenvalues.count == 40)
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
        #expect(frame?.profile != nil)
        #expect(stages.last == true)
        scheduler.request(r)   // cached: published at once
        #expect(scheduler.takeResult()?.sample != nil)
        #expect(scheduler.cancelledRequests.isEmpty)
    }

    /// A superseded long request stops computing: its progress is reported while it runs, a newer
    /// request cancels it (the series' composition checks the token), and its frame never arrives.
    @Test(.timeLimit(.minutes(10))) func aNewRequestCancelsALongOneAndItsProgressIsReported() async throws {
        let scheduler = InfiniteWidthScheduler()
        let long = InfiniteWidthRequest(activation: try! Activation.named("relu"), depth: 32, gammas: Array(repeating: 0.5, count: 32),
                                        settings: InfiniteWidthSettings(dimension: 20, points: 40, order: 2000), seed: 1)
        scheduler.request(long)
        // wait until the long series reports progress (it runs for minutes in a debug build)
        while scheduler.progress?.request != long { try await Task.sleep(nanoseconds: 1_000_000) }
        #expect(scheduler.progress?.stage == "series")
        let short = InfiniteWidthRequest(activation: long.activation, depth: 1, gammas: [0.5],
                                         settings: InfiniteWidthSettings(dimension: 20, points: 40, order: 20), seed: 1)
        scheduler.request(short)
        var frames: [InfiniteWidthFrame] = []
        while frames.last?.finished != true || frames.last?.request != short {
            if let f = scheduler.takeResult() { frames.append(f) } else { try await Task.sleep(nanoseconds: 1_000_000) }
        }
        #expect(scheduler.cancelledRequests == [long])
        #expect(!frames.contains { $0.request == long })
        let messages = scheduler.takeMessages()
        #expect(messages.count == 1 && messages[0].text.contains("stopped the series of order 2000, depth 32 at series"))
        while scheduler.isBusy { try await Task.sleep(nanoseconds: 1_000_000) }
        #expect(scheduler.progress == nil)
    }

    /// Leaving the mode stops a long computation (it would keep a core busy off screen): the
    /// scheduler goes idle without publishing it and says why; asking again starts it afresh.
    @Test(.timeLimit(.minutes(10))) func leavingTheModeStopsALongComputation() async throws {
        let scheduler = InfiniteWidthScheduler()
        let long = InfiniteWidthRequest(activation: try! Activation.named("relu"), depth: 32, gammas: Array(repeating: 0.5, count: 32),
                                        settings: InfiniteWidthSettings(dimension: 20, points: 40, order: 2000), seed: 1)
        scheduler.request(long)
        while scheduler.progress?.request != long { try await Task.sleep(nanoseconds: 1_000_000) }
        scheduler.stop()
        while scheduler.isBusy { try await Task.sleep(nanoseconds: 1_000_000) }
        #expect(scheduler.cancelledRequests == [long])
        #expect(scheduler.takeResult() == nil)
        let messages = scheduler.takeMessages()
        #expect(messages.count == 1 && messages[0].text.contains("(left the mode)"), "\(messages.map(\.text))")
        #expect(scheduler.progress == nil)
        // coming back: the same request runs again (it was not finished, so not cached)
        scheduler.request(long)
        while scheduler.progress?.request != long { try await Task.sleep(nanoseconds: 1_000_000) }
        #expect(scheduler.isBusy)
        scheduler.request(InfiniteWidthRequest(activation: long.activation, depth: 1, gammas: [0.5],
                                               settings: InfiniteWidthSettings(dimension: 20, points: 40, order: 20), seed: 1))
        while scheduler.isBusy { try await Task.sleep(nanoseconds: 1_000_000) }
        #expect(scheduler.cancelledRequests == [long, long])
        #expect(scheduler.takeMessages().last?.text.contains("(settings changed)") == true)
    }
}
