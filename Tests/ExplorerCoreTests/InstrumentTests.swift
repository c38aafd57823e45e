import Foundation
import Testing
import LimitLaws
import PlotCanvas
@testable import ExplorerCore

/// The explorer as an instrument (theory vs sample, read-outs, ranges, comparison, header and status
/// line, command line): each against an independent value — closed forms, counts, the layout's own
/// geometry — never the explorer's earlier output.
@Suite struct InstrumentTests {
    func press(_ state: inout ExplorerState, _ keys: Key..., content: FrameContent? = nil) -> [ExplorerEffect] {
        var effects: [ExplorerEffect] = []
        for key in keys {
            if let a = KeyMap.action(for: key, in: state) { effects += ExplorerReducer.reduce(&state, a, content: content) }
        }
        return effects
    }

    /// The density 1 on [a, a + 1] on a fine grid (no engine law: the CDF comes from the grid).
    func uniform(_ kernel: KernelID, from a: Double) -> DisplaySpectrum {
        let x = (0...2000).map { a - 0.5 + 2 * Double($0) / 2000 }
        return DisplaySpectrum(kernel: kernel, x: x, density: x.map { $0 >= a && $0 <= a + 1 ? 1 : 0 }, support: [a...(a + 1)], mean: a + 0.5,
                               secondMoment: (a + 0.5) * (a + 0.5) + 1.0 / 12)
    }

    // MARK: theory against sample

    @Test func atomEigenvaluesAreCountedAsMassesNotBinned() {
        // 600 rounding-level zeros (float32 Gram) and 400 eigenvalues in the bulk, against a law with 60% at 0
        let law = DisplaySpectrum(kernel: .ck(0), x: [0, 1, 2], density: [0, 0.4, 0], atoms: [PointMass(location: 0, mass: 0.6)], support: [0.5...2])
        let zeros = (0..<600).map { Double($0 % 7 - 3) * 1e-7 }
        let bulk = (0..<400).map { 0.5 + 1.5 * (Double($0) + 0.5) / 400 }
        let r = SampleReadout(eigenvalues: zeros + bulk, law: law)
        #expect(r.count == 1000 && r.continuous.count == 400)
        #expect(abs(r.atoms[0].sampleMass - 0.6) < 1e-12 && r.atoms[0].lawMass == 0.6)
        #expect(r.outside(1...1.25) == (below: 600 + 133, above: 200))   // 0.5 + 1.5(i + ½)/400 ≤ 1 for i ≤ 132, > 1.25 for i ≥ 200
        #expect(abs(r.cdf(0.01) - 0.6) < 1e-12 && r.cdf(3) == 1)
        #expect(abs(SampleReadout.ksBand(10_000) - 0.01358) < 1e-9)   // Kolmogorov's 1.358/√n
    }

    @Test func sampleIsAStepOutlineNotAFilledWall() {
        var p = DensityPlot(xRange: 0...2, yScale: .log, mode: .braille)
        p.histograms = [PlotHistogram(role: .empirical, edges: [0, 0.5, 1, 1.5, 2], densities: [0.25, 0.75, 0.75, 0.25])]
        let filled = p.render(width: 40, height: 12).plainText()
        p.histograms[0].style = .outline(.dotted)
        let outline = p.render(width: 40, height: 12).plainText()
        #expect(filled.filter { $0 == "⣿" }.count > 50)
        #expect(outline.filter { $0 == "⣿" }.count == 0)
        #expect(TmuxlessBraille.dots(outline) < TmuxlessBraille.dots(filled) / 4)
    }

    @Test func lineStylesDrawDifferentShares() {
        let share = LineStyle.allCases.map { s in Double((0..<1200).filter(s.draws).count) / 1200 }
        #expect(share == [1, 0.5, 4.0 / 6, 0.25])
        #expect(Set(LineStyle.allCases.map(\.legend)).count == 4)
    }

    @Test func anOutlyingBarDoesNotRescaleTheAxis() {
        var p = DensityPlot(xRange: 0...1, yScale: .linear, mode: .braille)
        p.curves = [PlotCurve(role: .theory, x: [0, 1], y: [1, 1])]
        p.histograms = [PlotHistogram(role: .empirical, edges: [0, 0.01, 1], densities: [40, 0.9])]
        #expect(p.effectiveYMax(plotColumns: 50) <= 1.5 * 1.05 + 1e-12)
    }

    // MARK: law against law

    @Test func distancesBetweenLawsAgainstClosedForms() {
        // uniform [0,1] and [0.5,1.5]: KS = 0.5, W1 = the shift 0.5; rescaled by their means (0.5, 1) they differ otherwise
        let d = LawDistance.between(uniform(.ck(1), from: 0), uniform(.ck(2), from: 0.5))
        #expect(abs(d.ks - 0.5) < 2e-3 && abs(d.w1 - 0.5) < 2e-3)
        let same = LawDistance.between(uniform(.ck(1), from: 0), uniform(.ck(2), from: 0))
        #expect(same.ks < 1e-9 && same.w1 < 1e-9)
        // Marcenko–Pastur and the same law shifted by 1 (the mock NTK): W1 is the shift
        let c = MockSpectra.content()
        let w = LawDistance.between(c.spectra[.ck(1)]!, MockSpectra.marcenkoPastur(.ntk, gamma: 0.5, shift: 1))
        #expect(abs(w.w1 - 1) < 5e-3)
    }

    // MARK: ranges and cursor

    @Test func zoomKeepsTheCursorsXOnScreenAndPanStaysInTheLaw() {
        let law = uniform(.ck(1), from: 0)   // range [-0.5, 1.5]
        var s = MockSpectra.state(view: .focus)
        _ = press(&s, .character("x"))                 // cursor in the middle
        _ = press(&s, .character("."), .character("."))   // 0.52
        func x(_ s: ExplorerState) -> Double { RangeActions.cursorX(s, range: RangeActions.visibleRange(law, display: s.display))! }
        let before = x(s)
        _ = press(&s, .character("z"), .character("z"))
        #expect(s.display.zoom == 2 && abs(x(s) - before) < 1e-12)
        _ = press(&s, .character("Z"))
        #expect(abs(x(s) - before) < 1e-12)
        for _ in 0..<20 { _ = press(&s, .character("L")) }
        #expect(abs(s.display.pan - s.display.maxPan) < 1e-12)
        #expect(RangeActions.visibleRange(law, display: s.display).upperBound <= law.fullRange.upperBound + 1e-12)
        for _ in 0..<20 { _ = press(&s, .character("H")) }
        #expect(s.display.pan == 0)
        // without a cursor the zoom stays anchored at the left end, as before
        var t = MockSpectra.state()
        _ = press(&t, .character("z"))
        #expect(t.display.pan == 0 && t.display.zoom == 1)
    }

    @Test func xlimYlimAndTheEdgeKey() {
        var s = MockSpectra.state(view: .focus)
        _ = ExplorerCommand.run("xlim 2.72 3.93", state: &s)
        #expect(s.display.xLimits == 2.72...3.93)
        _ = ExplorerCommand.run("xlim 3 1", state: &s)
        #expect(s.message?.isError == true && s.message!.text.contains(":xlim"))
        _ = ExplorerCommand.run("ylim 0.01 2", state: &s)
        #expect(s.display.yLimits == 0.01...2)
        _ = ExplorerCommand.run("xlim off", state: &s)
        #expect(s.display.xLimits == nil)
        // E frames each edge in turn: the input law (MP γ = 3) has its atom at 0 and the bulk [(1−√3)², (1+√3)²]
        s.selection = 0
        let content = MockSpectra.content()
        _ = press(&s, .character("E"), content: content)
        #expect(s.display.xLimits.map { ($0.lowerBound + $0.upperBound) / 2 } == 0)
        _ = press(&s, .character("E"), content: content)
        let lo = pow(1 - 3.0.squareRoot(), 2)
        #expect(abs(s.display.xLimits.map { ($0.lowerBound + $0.upperBound) / 2 }! - lo) < 1e-12)
        _ = press(&s, .character("0"))
        #expect(s.display.xLimits == nil && s.display.zoom == 0)
    }

    /// `:ylim 0` is no synonym of `:ylim off`: 0 is a top the axis cannot have, so it is refused
    /// naming the command, the value and what is allowed (the refusal fits an 80-column status line),
    /// and the range stays as it was; `:xlim 0` is refused too. `off` and `auto` are automatic.
    @Test func ylimZeroIsRefusedNotAutomatic() {
        var s = MockSpectra.state(view: .focus)
        _ = ExplorerCommand.run("ylim 0.01 2", state: &s)
        _ = ExplorerCommand.run("xlim 1 3", state: &s)
        for (command, expected) in [("ylim 0", ["'0'", "the top", "above 0", ":ylim off"]), ("ylim -2", ["'-2'", "the top"]),
                                    ("ylim 0 0", ["'0'", "the top"]), ("ylim 3 2", ["'3'", "the bottom", "below the top 2"]),
                                    ("xlim 0", [":xlim A B", ":xlim off"])] {
            _ = ExplorerCommand.run(command, state: &s)
            let text = s.message?.text ?? ""
            #expect(s.message?.isError == true && text.contains(":" + command.prefix(4)), "\(command): \(text)")
            if command.hasPrefix("ylim") { #expect(text.hasPrefix(":ylim: invalid value "), "\(command): \(text)") }
            for e in expected { #expect(text.contains(e), "\(command): \(text)") }
            #expect(s.display.yLimits == 0.01...2 && s.display.xLimits == 1...3, "\(command)")
        }
        _ = ExplorerCommand.run("ylim 0", state: &s)
        let status = ScreenLayout.render(state: s, content: MockSpectra.content(), width: 80, height: 24).lines().last ?? ""
        #expect(status.contains("✗ " + s.message!.text), "\(status)")
        _ = ExplorerCommand.run("ylim off", state: &s)
        #expect(s.display.yLimits == nil && s.message?.text == "y range: automatic")
        _ = ExplorerCommand.run("xlim auto", state: &s)
        #expect(s.display.xLimits == nil && s.message?.isError == false)
    }

    @Test func cursorReadoutMatchesTheLaw() {
        // uniform on [0, 1]: F(0.25) = 0.25, f = 1
        let law = uniform(.ck(1), from: 0)
        let r = LinearWidthLayout.cursorReadout(law, x: 0.25, range: 0...1, sample: nil)
        #expect(r.map(\.0) == ["x", "f(x)", "F(x)"])
        #expect(abs(Double(r[2].1)! - 0.25) < 1e-3 && abs(law.density(at: 0.25) - 1) < 1e-12)
    }

    // MARK: header, status line, small terminals

    @Test func headerNeverCutsAValueAndShowsActiveModes() {
        var model = NetworkModel.figure1
        model.gammas = Array(repeating: 0.5, count: 32)
        var s = ExplorerState(model: model)
        s.display.zoom = 3
        s.allLayers = true
        var content = FrameContent(summary: ModelSummary(activation: "arctan", b: 0.978, a: 1.112, gammas: model.gammas, input: "Gaussian γ₀ = 3"))
        content.solve = SolveStatus(lastMilliseconds: 412, warm: true)
        let lines = ScreenLayout.render(state: s, content: content, width: 80, height: 24).lines()
        #expect(lines[0].contains("input: Gaussian γ₀ = 3") || !lines[0].contains("input"), "\(lines[0])")
        #expect(lines[1].contains("zoom ×8") && lines[1].contains("[all layers]"), "\(lines[1])")
        content.summary.input = "file a-rather-long-name-of-an-eigenvalue-file.txt (1000 eigenvalues)"
        let row = ScreenLayout.render(state: s, content: content, width: 80, height: 24).lines()[0]
        #expect(!row.contains("input:") || row.contains("(1000 eigenvalues)"), "\(row)")
    }

    @Test func statusLineKeepsFileLineAndReason() {
        let text = "theme /home/someone/.config/ntkscope/themes/solarized-dark-custom.toml, line 14, key 'compare_b': invalid colour \"#12345\""
        let fitted = StatusLine.fit(text, width: 80)
        #expect(fitted.count <= 80)
        #expect(fitted.contains("solarized-dark-custom.toml") && fitted.contains("line 14") && fitted.hasSuffix("(M)") == false || fitted.contains("\"#12345\""))
        let tiny = StatusLine.fit(text, width: 50)
        #expect(tiny.count <= 50 && tiny.contains("…") && tiny.contains("(M)"))
        // the log keeps the whole message
        var s = MockSpectra.state()
        _ = ExplorerReducer.reduce(&s, .status(text, isError: true))
        #expect(s.messageLog.last?.text == text)
        _ = press(&s, .character("M"))
        #expect(s.overlay == .messageLog)
        #expect(ScreenLayout.render(state: s, content: MockSpectra.content(), width: 100, height: 30).plainText().contains("line 14, key 'compare_b'"))
    }

    /// A message too long for the status line gives way in the file's name (the middle, keeping the
    /// extension) before the reason at its end; words that are numbers are no file names.
    @Test func statusLineElidesALongFileNameBeforeTheReason() {
        let text = "✗ invalid value 'binary data' for :data /home/someone/runs/a-rather-long-name-of-a-weights-file.bin: must be text or .npy"
        let fitted = StatusLine.fit(text, width: 80)
        #expect(fitted.count == 80, "\(fitted)")
        #expect(fitted.hasPrefix("✗ invalid value 'binary data' for :data …/a-rat") && fitted.hasSuffix("file.bin: must be text or .npy"), "\(fitted)")
        #expect(!fitted.contains("(M)"))
        // a folder with spaces in its name is part of the path, not words of the message
        let spaced = "✗ invalid value '/home/someone/my runs/run 2/a-weights-file.bin' for :data: the file does not exist"
        #expect(StatusLine.fit(spaced, width: 80) == "✗ invalid value '…/a-weights-file.bin' for :data: the file does not exist")
        for word in ["x.npy", "digits.csv", "…/run-2.toml"] { #expect(StatusLine.isFileName(word), "\(word)") }
        for word in ["1.5e3", "0.25", "e.g.", "v1.2", "ε·n^¼"] { #expect(!StatusLine.isFileName(word), "\(word)") }
    }

    @Test func deepModelsPageInsteadOfRefusing() {
        var model = NetworkModel.figure1
        model.gammas = Array(repeating: 0.5, count: 8)
        var s = ExplorerState(model: model)
        s.screenSize = ScreenSize(width: 80, height: 24)
        let c = MockSpectra.content()
        let text = ScreenLayout.render(state: s, content: c, width: 80, height: 24).plainText()
        #expect(!text.contains("too small") && text.contains("page 1/2"), "\(text)")
        _ = press(&s, .pageDown)
        #expect(s.selection == ScreenLayout.layersPage(state: s, width: 80, bodyHeight: 20)!.perPage)
        #expect(ScreenLayout.render(state: s, content: c, width: 80, height: 24).plainText().contains("page 2/2"))
    }

    @Test func helpAndCommandLineAtFortyByTen() {
        var s = MockSpectra.state()
        _ = press(&s, .character("?"))
        #expect(ScreenLayout.render(state: s, content: MockSpectra.content(), width: 40, height: 10).plainText().contains("ntkscope keys"))
        _ = press(&s, .escape, .character(":"), .character("n"))
        let text = ScreenLayout.render(state: s, content: MockSpectra.content(), width: 40, height: 10).plainText()
        #expect(text.split(separator: "\n").last?.hasPrefix(":n") == true, "\(text)")
        _ = press(&s, .escape)
        #expect(ScreenLayout.render(state: s, content: MockSpectra.content(), width: 40, height: 10).plainText().contains("press ? for help, : for commands"))
    }

    @Test func failedThemesAreNeitherNamedNorCycledTo() {
        var s = ExplorerState(model: .figure1, themeNames: ["dark", "broken", "light"], themeName: "broken")
        _ = ExplorerReducer.reduce(&s, .themeFailed("broken", message: "theme broken.toml, line 3: bad"))
        #expect(s.themeName == "dark" && s.message?.isError == true)
        _ = press(&s, .character("t"))
        #expect(s.themeName == "light")
        _ = press(&s, .character("t"))
        #expect(s.themeName == "dark")
        #expect(!ScreenLayout.render(state: s, content: MockSpectra.content(), width: 200, height: 60).lines()[1].contains("broken"))
    }

    @Test func aClickSelectsThePanelAndPlacesTheCursor() throws {
        var s = MockSpectra.state()
        let c = MockSpectra.content()
        // 200×60, seven panels: find CK ℓ=3's panel from the screen itself
        let lines = ScreenLayout.render(state: s, content: c, width: 200, height: 60).lines()
        let row = try #require(lines.firstIndex { $0.contains("CK ℓ=3") })
        let col = lines[row].distance(from: lines[row].startIndex, to: lines[row].range(of: "CK ℓ=3")!.lowerBound)
        let action = try #require(ScreenLayout.hitTest(state: s, content: c, width: 200, height: 60, x: col + 30, y: row + 4))
        guard case .pointAt(let selection, let cursor) = action else { Issue.record("\(action)"); return }
        #expect(selection == 3)
        #expect(cursor != nil && cursor! > 0.3 && cursor! < 0.8)
        _ = ExplorerReducer.reduce(&s, action)
        #expect(s.selection == 3 && s.cursor == cursor)
        #expect(ScreenLayout.hitTest(state: s, content: c, width: 200, height: 60, x: 5, y: 0) == nil)   // the header
    }

    // MARK: command line

    @Test func commandLineEditsHistoryAndCompletion() {
        var s = MockSpectra.state()
        func type(_ text: String) { for ch in text { _ = press(&s, .character(ch)) } }
        _ = press(&s, .character(":")); type("dpth 3")
        _ = press(&s, .home, .right); type("e")
        #expect(s.commandLine == "depth 3")
        _ = press(&s, .enter)
        #expect(s.depth == 3)
        _ = press(&s, .character(":")); type("gamma 1 0.3")
        _ = press(&s, .control("u"))
        #expect(s.commandLine == "")
        _ = press(&s, .up)
        #expect(s.commandLine == "depth 3")
        _ = press(&s, .down)
        #expect(s.commandLine == "")
        type("sig"); _ = press(&s, .tab)
        #expect(s.commandLine == "sigma ")
        type("ta"); _ = press(&s, .tab)
        #expect(s.commandLine == "sigma tanh ")
        _ = press(&s, .control("u")); type("gam"); _ = press(&s, .tab)
        #expect(s.commandLine == "gamma" && s.message?.text.contains("gamma0") == true)   // several: the common prefix, listed
        _ = press(&s, .control("u")); type("input ~/sp")
        let effects = press(&s, .tab)
        let home = ProcessInfo.processInfo.environment["HOME"] ?? ""
        #expect(effects == [.completePath(home.isEmpty ? "~/sp" : home + "/sp")])
        _ = ExplorerReducer.reduce(&s, .commandEdit(.completions([home + "/spectrum.txt"])))
        #expect(s.commandLine == "input \(home)/spectrum.txt ")
    }

    @Test func errorsNameTheCommandAndSuggest() {
        var s = MockSpectra.state()
        _ = ExplorerCommand.run("gamma 9 0.3", state: &s)
        #expect(s.message?.text.hasPrefix(":gamma") == true, "\(s.message!.text)")
        _ = ExplorerCommand.run("gama 1 0.3", state: &s)
        #expect(s.message?.text.contains("did you mean :gamma") == true, "\(s.message!.text)")
        s.message = nil
        _ = ExplorerCommand.run("b -0.5", state: &s)
        #expect(s.message?.isError != true && abs(s.model.activation.b + 0.5) < 1e-12)   // :b takes −1…1, as the docs say
        _ = ExplorerCommand.run("b 1.5", state: &s)
        #expect(s.message?.isError == true)
        #expect(ExplorerCommand.run("input ~/x.txt", state: &s) == [.loadInputFile(CommandLineEditor.expandHome("~/x.txt"))])
    }

    @Test func compareTakesAnyNumberOfLaws() {
        var s = MockSpectra.state()
        _ = ExplorerCommand.run("compare ck1 ck3 ck5 ntk", state: &s)
        #expect(s.compare == [.ck(1), .ck(3), .ck(5), .ntk] && s.view == .compare)
        let text = ScreenLayout.render(state: s, content: MockSpectra.content(), width: 200, height: 60).plainText()
        for glyph in LineStyle.allCases.map(\.legend) { #expect(text.contains(glyph)) }
        #expect(text.contains("KS = sup |F_A − F_B|"))
        _ = press(&s, .character("v"))
        let rescaled = ScreenLayout.render(state: s, content: MockSpectra.content(), width: 200, height: 60).lines()
        #expect(rescaled[1].contains("λ/mean") && rescaled.joined().contains("each λ / its mean"))
    }

    @Test func memoryRefusalStatesTheRuleAndTheKey() {
        let m = SampledNetworkCheck.memoryRefusal(.init(model: .figure1, n: 16000, kernels: [.ntk]), need: 23_600_000_000, available: 24_500_000_000)
        #expect(m.contains("90%") && m.contains("press n") && m.contains("n = 8000"), "\(m)")
    }
}

/// Counting braille dots in text (each braille cell's set bits).
enum TmuxlessBraille {
    static func dots(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { n, c in (0x2800...0x28FF).contains(c.value) ? n + (c.value - 0x2800).nonzeroBitCount : n }
    }
}
