import Foundation
import Testing
import LimitLaws
import PlotCanvas
@testable import ExplorerCore

/// Golden screens of every view at 200×60 and 80×24, as text and, for the views where series must be
/// told apart, with the terminal's styles in colour (256), on 8 colours and under NO_COLOR
/// (`TerminalPalette.styledText`: SGR escapes as the terminal gets them). `NTKSCOPE_RECORD_GOLDEN=1`
/// rewrites them.
@Suite struct ViewGoldenTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    func check(_ name: String, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = Self.directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["NTKSCOPE_RECORD_GOLDEN"] == "1" || !FileManager.default.fileExists(atPath: url.path) {
            try text.write(to: url, atomically: true, encoding: .utf8)
            if ProcessInfo.processInfo.environment["NTKSCOPE_RECORD_GOLDEN"] != "1" { Issue.record("recorded missing golden \(name)", sourceLocation: sourceLocation) }
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        if expected != text {
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false), a = text.split(separator: "\n", omittingEmptySubsequences: false)
            let first = zip(e, a).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(e.count, a.count)
            Issue.record("golden \(name) differs at line \(first + 1)", sourceLocation: sourceLocation)
        }
    }

    static func state(_ view: ExplorerView) -> ExplorerState {
        var s = MockSpectra.state(view: view)
        s.empiricalOn = view != .edges && view != .compare
        if view == .compare { s.compare = [.ck(1), .ck(3), .ntk] }
        if view == .cdf || view == .focus { s.selection = 2; s.cursor = 0.3 }
        return s
    }

    @Test(arguments: ExplorerView.allCases)
    func everyViewAtBothSizes(_ view: ExplorerView) throws {
        for (w, h) in [(200, 60), (80, 24)] {
            let g = ScreenLayout.render(state: Self.state(view), content: MockSpectra.content(empirical: true), width: w, height: h)
            try check("view-\(view.rawValue)-\(w)x\(h).txt", g.plainText() + "\n")
        }
    }

    @Test(arguments: [ExplorerView.compare, .layers])
    func stylesInEveryColourDepth(_ view: ExplorerView) throws {
        let theme = Theme.fallback
        for (w, h) in [(200, 60), (80, 24)] {
            let g = ScreenLayout.render(state: Self.state(view), content: MockSpectra.content(empirical: true), width: w, height: h)
            for depth in [ColorDepth.ansi256, .ansi8, .none] {
                try check("styled-\(view.rawValue)-\(w)x\(h)-\(depth.rawValue).ansi", TerminalPalette(theme: theme, depth: depth).styledText(g))
            }
        }
    }

    /// On 8 colours the dark theme's A and B would both be white; every bundled theme keeps the plot
    /// series on distinct colours, none the background's. Without colours A and B still differ (bold
    /// and plain, solid and dotted lines).
    @Test func seriesStayApartOnEightColoursAndWithout() throws {
        for file in EmbeddedThemes.files {
            let theme = try ThemeParser.parse(file.text, source: file.name)
            let p = TerminalPalette(theme: theme, depth: .ansi8)
            guard !p.monochrome else { continue }
            let fgs = TerminalPalette.distinctRoles.map { p.colors[$0]!.fg }
            #expect(Set(fgs).count == fgs.count, "\(file.name): \(fgs)")
            #expect(!fgs.contains(p.colors[.text]!.bg), "\(file.name): a series on the background colour")
        }
        let none = TerminalPalette(theme: Theme.fallback, depth: .none)
        #expect(none.sgr(Cell("⠁", role: .seriesA)) != none.sgr(Cell("⠁", role: .seriesB)))
        #expect(LineStyle.series(0) != LineStyle.series(1))
    }
}
