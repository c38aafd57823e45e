import Foundation
import Testing
@testable import PlotCanvas

/// Axes that do not lie: every label names its tick's value, and the tick sits in the cell that
/// contains that value. The expected values are the tick positions themselves (parsed back from
/// the drawn text), never a stored rendering.
@Suite struct AxisTicksTests {
    /// The x axis of a rendered plot: (label value, tick column) pairs read from the text grid,
    /// plus the plot area's first column and width.
    struct ReadAxis {
        var labels: [(text: String, value: Double, column: Int)]
        var margin: Int
        var columns: Int
    }

    static func readXAxis(_ grid: ScreenGrid) -> ReadAxis {
        let lines = grid.plainText().split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        let axis = lines[lines.count - 2], labels = lines[lines.count - 1]
        let corner = axis.firstIndex(where: { $0 == "└" || $0 == "+" })!
        let margin = corner + 1, columns = axis.count - margin
        let tickColumns = axis.indices.filter { axis[$0] == "┬" || ($0 > corner && axis[$0] == "+") }
        // labels: maximal runs of non-space characters; an offset annotation starts with + or −
        var offset = 0.0
        var runs: [(String, Int)] = []
        var i = 0
        while i < labels.count {
            if labels[i] == " " { i += 1; continue }
            var j = i
            while j < labels.count && labels[j] != " " { j += 1 }
            runs.append((String(labels[i..<j]), i))
            i = j
        }
        if let last = runs.last, last.0.hasPrefix("+") || last.0.hasPrefix("−") {
            offset = Double(last.0.replacingOccurrences(of: "−", with: "-"))!
            runs.removeLast()
        }
        var out: [(String, Double, Int)] = []
        for (text, start) in runs {
            let centre = start + text.count / 2
            // the label is centred on its tick unless clamped at an end: the nearest tick column
            let tick = tickColumns.min { abs($0 - centre) < abs($1 - centre) }!
            out.append((text, Double(text)! + offset, tick))
        }
        return ReadAxis(labels: out.map { (text: $0.0, value: $0.1, column: $0.2) }, margin: margin, columns: columns)
    }

    /// Each label's value lies in the span of its tick's cell, and neighbouring labels differ.
    static func checkAxis(_ range: ClosedRange<Double>, width: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        var p = DensityPlot(xRange: range, yScale: .log)
        let span = range.upperBound - range.lowerBound
        p.curves = [PlotCurve(role: .theory, x: [range.lowerBound, range.upperBound], y: [1, 1])]
        let grid = p.render(width: width, height: 10)
        let axis = readXAxis(grid)
        // narrow plots may have room for one label only
        #expect(axis.labels.count >= (width >= 60 ? 2 : 1), "range \(range), width \(width): labels \(axis.labels.map(\.text))",
                sourceLocation: sourceLocation)
        let cell = span / Double(axis.columns)
        for l in axis.labels {
            let c = Double(l.column - axis.margin)
            let lo = range.lowerBound + c * cell, hi = lo + cell
            #expect(l.value >= lo - 1e-9 * cell && l.value <= hi + 1e-9 * cell,
                    "range \(range): label \(l.text) (= \(l.value)) under the tick of cell [\(lo), \(hi)]", sourceLocation: sourceLocation)
        }
        for (a, b) in zip(axis.labels, axis.labels.dropFirst()) {
            #expect(a.text != b.text && a.value < b.value, "range \(range): neighbouring labels \(a.text), \(b.text)", sourceLocation: sourceLocation)
        }
    }

    /// Issue reproduction: the relu depth-32 NTK's focus range, a window of width ≈ 14 at 6.6e5
    /// (every tick read "7e5").
    @Test func narrowWindowFarFromZero() {
        Self.checkAxis(664296.93...664311.02, width: 88)
        Self.checkAxis(1e9 + 0.5...1e9 + 3.75, width: 60)
        Self.checkAxis(-2.000012...(-2.000001), width: 70)
    }

    /// Issue reproduction: the input law's focus view at zoom 12, ticks every 2.5e-4 (labelled
    /// 3e-4, 5e-4, 8e-4: up to 20% off).
    @Test func smallStepsAreNotRounded() {
        Self.checkAxis(0...0.0018951, width: 74)
        let l = AxisTicks.linear(0...0.0018951, target: 8)
        for t in l.ticks { #expect(abs(l.value(named: t.label)! - t.value) <= 1e-15, "\(t.label) for \(t.value)") }
    }

    /// Many random ranges and widths (seeded): every label within its tick's cell, neighbours distinct.
    @Test func randomRanges() {
        var state: UInt64 = 0x9E3779B97F4A7C15
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        for _ in 0..<400 {
            let centre = (next() - 0.5) * pow(10, next() * 24 - 12)
            let span = abs(centre) * pow(10, -next() * 9) + pow(10, next() * 10 - 12)
            let lo = centre - span * next()
            let w = 24 + Int(next() * 150)
            Self.checkAxis(lo...(lo + span), width: w)
        }
    }

    @Test func labelsNameTheirValuesExactly() {
        for (range, target) in [(0.0...1.0, 4), (0.0...0.0018, 8), (664296.9...664311.0, 8), (-3e-7...5e-7, 5), (1e12...1.00000001e12, 6)] {
            let l = AxisTicks.linear(range, target: target)
            #expect(l.ticks.count >= 2)
            for t in l.ticks {
                let v = try! #require(l.value(named: t.label))
                #expect(abs(v - t.value) <= 1e-12 * max(abs(t.value), range.upperBound - range.lowerBound), "\(t.label) + \(l.offset) for \(t.value)")
            }
        }
        #expect(AxisTicks.scientific(fromFixed: "0.00025") == "2.5e-4")
        #expect(AxisTicks.scientific(fromFixed: "664296") == "6.64296e5")
        #expect(AxisTicks.scientific(fromFixed: "-1000000000") == "-1e9")
    }

    /// Log axes: ticks at whole decades with round labels.
    @Test func decadeTicks() {
        let d = AxisTicks.decades(4.5e-6...0.045, maxTicks: 10)
        #expect(d.labels == ["1e-5", "1e-4", "0.001", "0.01"])
        #expect(d.values.map { log10($0) } == [-5, -4, -3, -2])
        #expect(AxisTicks.decades(1e-20...1e20, maxTicks: 5).ticks.count <= 5)
    }

    /// A log y axis in the terminal shows decades, a linear one more than "0 and the maximum".
    @Test func densityAxesShowRoundValues() {
        var p = DensityPlot(xRange: 0...2, yScale: .log)
        p.curves = [PlotCurve(role: .theory, x: [0, 1, 2], y: [0.001, 0.045, 0.001])]
        let logText = p.render(width: 40, height: 16).plainText()
        #expect(logText.contains("0.01┤") && logText.contains("0.001┤"))
        p.yScale = .linear
        let linear = p.render(width: 40, height: 16).plainText()
        let yLabels = linear.split(separator: "\n").compactMap { line -> Double? in
            guard let tee = line.firstIndex(of: "┤") else { return nil }
            return Double(line[..<tee].trimmingCharacters(in: .whitespaces))
        }
        #expect(yLabels.count >= 3, "\(yLabels)")
        #expect(yLabels.contains(0))
    }

    /// Numbers in captions: edges that differ read differently.
    @Test func distinctEdges() {
        let e = AxisTicks.distinct([664296.93, 664311.02])
        #expect(e[0] != e[1])
        // each written value is nearer to its own edge than to the other one
        #expect(abs(Double(e[0])! - 664296.93) < 7 && abs(Double(e[1])! - 664311.02) < 7)
        #expect(AxisTicks.distinct([1.5, 2.5]) == ["1.500", "2.500"])
        #expect(AxisTicks.distinct([3, 3]) == ["3.000", "3.000"])
    }
}

/// Numbers far from 0 printed with the digits their context needs: support edges, interval hulls
/// and cursor positions that differ read differently, each right to its printed digits. The
/// expected values are the inputs themselves, parsed back from the text.
@Suite struct ResolvedNumberTests {
    @Test func anIntervalFarFromZeroKeepsItsWidth() throws {
        // ReLU NTK, depth 32: the support is [664297.79, 664312.22] (width 14.4)
        for r in [664297.79...664312.22, (1.4047e11 - 7.2)...(1.4047e11 + 7.3), -664312.22 ... -664297.79, 0.25...2.5, 1e-7...3e-7] {
            let (lo, hi) = AxisTicks.interval(r)
            #expect(lo != hi, "\(r): \(lo) \(hi)")
            let width = r.upperBound - r.lowerBound
            let a = try #require(Double(lo)), b = try #require(Double(hi))
            #expect(abs(a - r.lowerBound) <= width / 100 && abs(b - r.upperBound) <= width / 100, "\(r): \(lo) \(hi)")
        }
        #expect(AxisTicks.interval(664297.79...664312.22) == ("664297.8", "664312.2"))
    }

    @Test func neighbouringCursorPositionsReadDifferently() throws {
        // the cursor moves by 1/100 of the plot's range; its x is printed to 1/200 of it
        let range = 664290.0...664320.0, width = range.upperBound - range.lowerBound
        let xs = (0...100).map { range.lowerBound + width * Double($0) / 100 }
        let texts = xs.map { AxisTicks.resolved([$0], resolution: width / 200)[0] }
        for (x, t) in zip(xs, texts) { #expect(abs(try #require(Double(t)) - x) <= width / 200, "\(x): \(t)") }
        for i in 1..<texts.count { #expect(texts[i] != texts[i - 1], "\(texts[i])") }
    }
}
