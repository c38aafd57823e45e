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

/// A column whose centre falls exactly on a bin edge (whenever the bin and column counts share a
/// factor) must not be decided by the last bit of the range: a 10⁻¹⁴ change of a law's edge once
/// redrew a training screen's histogram.
@Suite struct HistogramColumnTieTests {
    @Test func aColumnCentredOnABinEdgeShowsTheBinOnItsRightWhateverTheRounding() {
        for (bins, columns) in [(4, 6), (60, 90), (32, 48), (10, 25), (7, 21)] {
            for (a, b) in [(0.0, 1.0), (0.0, 13.331044573230836 * 1.05), (-0.3, 17.43), (2.5, 2.5 + 1e-3)] {
                for upper in [b.nextDown, b, b.nextUp] {
                    let range = a...upper
                    let h = PlotHistogram(role: .empirical, edges: (0...bins).map { $0 == bins ? upper : a + Double($0) * (upper - a) / Double(bins) },
                                          densities: (0..<bins).map { Double($0 + 1) })
                    let values = DensityPlot.histogramColumns(h, range: range, count: columns)
                    // Exact: the centre of column i is at (2i + 1)/(2·columns) of the range; the bin
                    // holding it (the right one at an edge) is ⌊(2i + 1)·bins / (2·columns)⌋.
                    let expected = (0..<columns).map { Double((2 * $0 + 1) * bins / (2 * columns) + 1) }
                    #expect(values == expected, "bins \(bins), columns \(columns), range \(range)")
                }
            }
        }
    }
}
