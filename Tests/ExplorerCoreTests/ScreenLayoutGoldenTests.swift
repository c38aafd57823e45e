import Foundation
import Testing
import LimitLaws
import PlotCanvas
@testable import ExplorerCore

/// Golden screens: the layout is a pure function of state and content, rendered to text.
/// Set NTKSCOPE_RECORD_GOLDEN=1 to rewrite the files in Golden/ (then review the diff).
@Suite struct ScreenLayoutGoldenTests {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    func check(_ name: String, _ grid: ScreenGrid, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let text = grid.plainText() + "\n"
        let url = Self.goldenDirectory.appendingPathComponent(name + ".txt")
        let record = ProcessInfo.processInfo.environment["NTKSCOPE_RECORD_GOLDEN"] == "1"
        if record || !FileManager.default.fileExists(atPath: url.path) {
            try FileManager.default.createDirectory(at: Self.goldenDirectory, withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
            if !record { Issue.record("recorded missing golden \(name).txt; run again", sourceLocation: sourceLocation) }
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        if expected != text {
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let a = text.split(separator: "\n", omittingEmptySubsequences: false)
            let first = zip(e, a).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(e.count, a.count)
            Issue.record("golden \(name).txt differs at line \(first + 1):\nexpected: \(first < e.count ? String(e[first]) : "<end>")\nactual:   \(first < a.count ? String(a[first]) : "<end>")",
                         sourceLocation: sourceLocation)
        }
    }

    func render(_ state: ExplorerState, _ content: FrameContent = MockSpectra.content(), _ w: Int, _ h: Int) -> ScreenGrid {
        let g = ScreenLayout.render(state: state, content: content, width: w, height: h)
        #expect(g.width == w && g.height == h)
        return g
    }

    @Test func layersView() throws {
        try check("layers-120x40", render(MockSpectra.state(), MockSpectra.content(), 120, 40))
        try check("layers-80x24", render(MockSpectra.state(), MockSpectra.content(), 80, 24))
    }

    @Test func layersViewWithEmpiricalOverlay() throws {
        var s = MockSpectra.state()
        s.empiricalOn = true
        s.display.yScale = .linear
        try check("layers-empirical-120x40", render(s, MockSpectra.content(empirical: true), 120, 40))
    }

    @Test func compareView() throws {
        var s = MockSpectra.state(view: .compare)
        s.compare = [.ck(1), .ntk]
        try check("compare-120x40", render(s, MockSpectra.content(), 120, 40))
        try check("compare-80x24", render(s, MockSpectra.content(), 80, 24))
    }

    @Test func focusView() throws {
        var s = MockSpectra.state(view: .focus)
        s.selection = 0
        try check("focus-120x40", render(s, MockSpectra.content(), 120, 40))
        s.empiricalOn = true
        s.display.zoom = 1
        try check("focus-empirical-zoom-80x24", render(s, MockSpectra.content(empirical: true), 80, 24))
    }

    @Test func asciiAndBlockCanvases() throws {
        var s = MockSpectra.state(view: .focus)
        s.display.canvas = .ascii
        try check("focus-ascii-80x24", render(s, MockSpectra.content(), 80, 24))
        s.display.canvas = .block
        s.display.yScale = .sqrt
        try check("focus-block-sqrt-80x24", render(s, MockSpectra.content(), 80, 24))
    }

    @Test func overlays() throws {
        var s = MockSpectra.state()
        s.overlay = .help
        try check("help-120x40", render(s, MockSpectra.content(), 120, 40))
        try check("help-200x60", render(s, MockSpectra.content(), 200, 60))
        try check("help-80x24-page1", render(s, MockSpectra.content(), 80, 24))
        s.helpPage = HelpOverlay.layout(width: 80, height: 24).pages.count - 1
        try check("help-80x24-last-page", render(s, MockSpectra.content(), 80, 24))
        s.helpPage = 0
        s.overlay = .compareChooser(cursor: 2)
        try check("chooser-100x30", render(s, MockSpectra.content(), 100, 30))
        s.overlay = nil
        s.commandLine = "gamma 3 0.2"
        try check("command-line-100x30", render(s, MockSpectra.content(), 100, 30))
    }

    @Test func tooSmall() throws {
        try check("too-small-50x12", render(MockSpectra.state(), MockSpectra.content(), 50, 12))
    }

    @Test func pendingSolveKeepsOldPlotsAndSaysSo() {
        var c = MockSpectra.content()
        c.solve.pending = true
        let text = render(MockSpectra.state(), c, 160, 40).plainText()
        #expect(text.contains("solving… (last solved in 3.2 ms warm)"))
        #expect(render(MockSpectra.state(), c, 100, 40).plainText().contains("solving…"))
        #expect(text.contains("⠀") == false)            // blank braille never leaks into text
        #expect(text.contains("atom 0: 67%"))
    }

    /// A recalled model says so: in full where it fits, else the short form, never both.
    @Test func recalledLawsSaySoAtEveryWidth() {
        var c = MockSpectra.content()
        c.solve.recalled = true
        let wide = render(MockSpectra.state(), c, 160, 40).plainText().split(separator: "\n")[0]
        #expect(wide.contains("recalled (solved in 3.2 ms warm)"))
        #expect(wide.components(separatedBy: "recalled").count == 2)
        let narrow = render(MockSpectra.state(), c, 80, 24).plainText().split(separator: "\n")[0]
        #expect(narrow.contains("recalled"))
        #expect(narrow.components(separatedBy: "recalled").count == 2)
        // a newer model being solved: one status, the pending one
        c.solve.pending = true
        let pending = render(MockSpectra.state(), c, 200, 40).plainText().split(separator: "\n")[0]
        #expect(pending.contains("solving… (last solved in 3.2 ms warm)") && !pending.contains("recalled"))
    }

    @Test func everyViewAtEverySizeFillsTheGrid() {
        for view in ExplorerView.allCases {
            for (w, h) in [(1, 1), (10, 3), (40, 10), (59, 15), (60, 16), (81, 23), (200, 60), (300, 90)] {
                var s = MockSpectra.state(view: view)
                for overlay in [nil, ExplorerOverlay.help, .compareChooser(cursor: 6)] {
                    s.overlay = overlay
                    let g = ScreenLayout.render(state: s, content: MockSpectra.content(empirical: true), width: w, height: h)
                    #expect(g.width == w && g.height == h)
                }
            }
        }
    }

    /// A depth-30 model's layer list does not fit a 160-column header: it shows a window around the
    /// selected layer with "…" where it is cut.
    @Test func deepModelsHeaderFollowsTheSelection() {
        var model = NetworkModel.figure1
        model.gammas = Array(repeating: 0.5, count: 30)
        var state = ExplorerState(model: model)
        state.selection = 25
        var content = FrameContent(summary: ModelSummary(activation: "arctan", b: 0.978, a: 1.112, gammas: model.gammas, input: "Gaussian γ₀ = 3"))
        content.solve.pending = false
        let header = ScreenLayout.render(state: state, content: content, width: 160, height: 48).lines()[1]
        #expect(header.contains("25:γ=0.5") && header.contains("… "), "\(header)")
        #expect(!header.contains(" 1:γ=0.5"))
        #expect(ScreenLayout.window(widths: [5, 5, 5, 5, 5, 5], around: 5, room: 20) == 3...5)
        #expect(ScreenLayout.window(widths: [5, 5, 5], around: 1, room: 100) == 0...2)
    }

    @Test func missingSpectraSaySolving() {
        let text = render(MockSpectra.state(), FrameContent(summary: MockSpectra.summary), 120, 40).plainText()
        #expect(text.contains("solving…"))
    }
}
