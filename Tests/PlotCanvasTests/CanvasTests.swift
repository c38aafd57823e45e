import Testing
@testable import PlotCanvas

@Suite struct CanvasTests {
    @Test func brailleGlyphs() {
        var c = DotCanvas(columns: 2, rows: 1, mode: .braille)
        let l = c.addLayer(.theory)
        for y in 0..<4 { c.set(0, y, layer: l); c.set(1, y, layer: l) }   // full first cell
        c.set(2, 3, layer: l)                                                // bottom-left dot of the second
        let g = c.render()
        #expect(g.plainText() == "⣿⡀")
        #expect(g[0, 0].role == .theory)
    }

    @Test func blockAndAsciiGlyphs() {
        for (mode, expected) in [(CanvasMode.block, "█▖"), (.ascii, "#.")] {
            var c = DotCanvas(columns: 2, rows: 1, mode: mode)
            let l = c.addLayer(.axis)
            c.set(0, 0, layer: l); c.set(1, 0, layer: l); c.set(0, 1, layer: l); c.set(1, 1, layer: l)
            c.set(2, 1, layer: l)
            #expect(c.render().plainText() == expected)
        }
    }

    @Test func topLayerColoursTheCell() {
        var c = DotCanvas(columns: 1, rows: 1, mode: .braille)
        let h = c.addLayer(.empirical), t = c.addLayer(.theory)
        c.set(0, 3, layer: h); c.set(1, 0, layer: t)
        #expect(c.render()[0, 0].role == .theory)
    }

    @Test func niceTicks() {
        #expect(AxisTicks.ticks(in: 0...10, target: 5) == [0, 2, 4, 6, 8, 10])
        #expect(AxisTicks.ticks(in: 0.3...1.1, target: 4).map { ($0 * 10).rounded() } == [4, 6, 8, 10])
        #expect(AxisTicks.format(2.5, step: 0.5) == "2.5")
        #expect(AxisTicks.format(3, step: 1) == "3")
        #expect(AxisTicks.format(0.0001) == "1e-4")
        #expect(AxisTicks.format(150000) == "1.5e5")   // never rounded to another value ("2e5")
    }

    @Test func columnAveragesKeepNarrowPeaks() {
        // A triangle of mass 0.5 and width 0.02 near 0, and a flat part: a 10-column average must keep the mass.
        let curve = PlotCurve(role: .theory, x: [0, 0.01, 0.02, 1], y: [0, 50, 0, 0])
        let avg = DensityPlot.columnAverages(curve, range: 0...1, count: 10)
        #expect(abs(avg.reduce(0, +) * 0.1 - 0.5) < 1e-12)
        #expect(avg[0] > 4.9)
    }

    @Test func histogramBinningIsADensity() {
        let h = PlotHistogram.binning([0.1, 0.2, 0.6, 5], range: 0...1, bins: 2, role: .empirical)
        #expect(h.densities == [1.0, 0.5])   // 2 of 4 in a bin of width 0.5 -> 1.0
    }

    /// Every one of the 256 dot patterns of a cell against the Unicode braille numbering: dots 1–3
    /// down the left column, 4–6 down the right, 7 and 8 on the bottom row; dot k is bit k − 1.
    @Test func everyBraillePattern() {
        let dot = [[1, 2, 3, 7], [4, 5, 6, 8]]   // [dx][dy]
        for pattern in 0..<256 {
            var c = DotCanvas(columns: 1, rows: 1, mode: .braille)
            let l = c.addLayer(.theory)
            var code = 0
            for dx in 0..<2 { for dy in 0..<4 where pattern & (1 << (dx * 4 + dy)) != 0 {
                c.set(dx, dy, layer: l)
                code |= 1 << (dot[dx][dy] - 1)
            } }
            let expected: Character = code == 0 ? " " : Character(Unicode.Scalar(0x2800 + code)!)
            #expect(c.render()[0, 0].character == expected, "pattern \(pattern)")
        }
    }

    /// Pasting clips at every edge and keeps the cells' styles.
    @Test func pasteClipsAndKeepsStyles() {
        var panel = ScreenGrid(width: 3, height: 2)
        panel.write("σ▲b", x: 0, y: 0, role: .theory, attributes: .bold)
        panel.write("cde", x: 0, y: 1)
        var g = ScreenGrid(width: 4, height: 2)
        g.paste(panel, x: 2, y: -1)
        #expect(g.plainText() == "  cd\n")
        g.paste(panel, x: -1, y: 0)
        #expect(g.plainText() == "▲bcd\nde")
        #expect(g[0, 0] == Cell("▲", role: .theory, attributes: .bold))
        #expect(g[0, 1].role == .text && g[3, 0].character == "d")
    }

    @Test func gridText() {
        var g = ScreenGrid(width: 6, height: 2)
        g.write("abcdefgh", x: 1, y: 0)
        g.write("x", x: 0, y: 1)
        #expect(g.plainText() == " abcde\nx")
    }
}
