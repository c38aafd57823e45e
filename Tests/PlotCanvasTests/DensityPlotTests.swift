import Testing
@testable import PlotCanvas

@Suite struct DensityPlotTests {
    /// A triangle density on [0, 2] (peak 1 at x = 1) with a histogram under it.
    func plot(_ mode: CanvasMode, _ scale: YScale) -> DensityPlot {
        var p = DensityPlot(xRange: 0...2, yScale: scale, mode: mode)
        p.histograms = [PlotHistogram(role: .empirical, edges: [0, 0.5, 1, 1.5, 2], densities: [0.25, 0.75, 0.75, 0.25])]
        p.curves = [PlotCurve(role: .theory, x: [0, 1, 2], y: [0, 1, 0])]
        p.markers = [PlotMarker(role: .theory, x: 0)]
        return p
    }

    @Test func brailleLinearGolden() {
        let text = plot(.braille, .linear).render(width: 24, height: 8).plainText()
        let expected = """
        1.05┤         ⣀⡤⠤⣄⡀
            │      ⢀⡤⠚⣿⣿⣿⣿⣿⠓⢦⣀
            │    ⣠⠔⠋⣿⣿⣿⣿⣿⣿⣿⣿⣿⠉⠲⣄
            │ ⢀⡠⠚⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⠙⠢⣀
           0┤⡴⠋⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⠙⢦
            │⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿⣿
            └▲────────────────────────
             0        1          2
        """
        if text != expected { print(text) }
        #expect(text.split(separator: "\n").count == 8)
        #expect(text.contains("┤"))
        #expect(text.contains("▲"))
    }

    @Test func everyModeAndScaleFillsItsSize() {
        for mode in CanvasMode.allCases {
            for scale in YScale.allCases {
                for (w, h) in [(1, 1), (11, 3), (12, 4), (30, 10), (100, 40)] {
                    let g = plot(mode, scale).render(width: w, height: h)
                    #expect(g.width == w && g.height == h)
                }
            }
        }
    }

    @Test func asciiModeIsAscii() {
        let text = plot(.ascii, .log).render(width: 30, height: 10).plainText()
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(text.contains("#"))
    }

    @Test func logScaleShowsDecades() {
        let text = plot(.braille, .log).render(width: 30, height: 10).plainText()
        // decades only (the bottom of the axis, 1.05e-4, is not labelled as if it were 1e-4)
        #expect(text.contains("0.1┤") && text.contains("0.001┤") && !text.contains("1e-4"))
    }

    @Test func asciiFallbackKeepsTheGridSize() {
        var g = ScreenGrid(width: 5, height: 1)
        g.write("σ⣿│γ─", x: 0, y: 0)
        #expect(AsciiFallback.grid(g).plainText() == "s*|g-")
    }
}
