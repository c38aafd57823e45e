import Foundation

/// How densities map to the vertical axis.
public enum YScale: String, Sendable, Hashable, CaseIterable {
    case linear, log, sqrt
    public var next: YScale {
        switch self { case .log: return .linear; case .linear: return .sqrt; case .sqrt: return .log }
    }
}

/// How a line is drawn: every pixel, or a pattern along the line, so that series stay apart
/// without colour (NO_COLOR, 8-colour terminals that map two colours to one).
public enum LineStyle: Int, Sendable, Hashable, CaseIterable {
    case solid, dotted, dashed, sparse

    /// Whether the `i`-th pixel along the line is drawn.
    @inline(__always) public func draws(_ i: Int) -> Bool {
        switch self {
        case .solid: return true
        case .dotted: return i % 2 == 0
        case .dashed: return i % 6 < 4
        case .sparse: return i % 4 == 0
        }
    }

    /// Two characters that show the style in a legend ("━━", "┅┅", "╍╍", "··").
    public var legend: String {
        switch self {
        case .solid: return "━━"
        case .dotted: return "┅┅"
        case .dashed: return "╍╍"
        case .sparse: return "··"
        }
    }

    /// The style of the i-th series of an overlay.
    public static func series(_ i: Int) -> LineStyle { allCases[i % allCases.count] }
}

/// A density given on a sorted grid, drawn as a line (piecewise linear between grid points).
public struct PlotCurve: Sendable {
    public var role: ColorRole
    public var x: [Double]
    public var y: [Double]
    public var style: LineStyle = .solid
    public init(role: ColorRole, x: [Double], y: [Double], style: LineStyle = .solid) {
        self.role = role; self.x = x; self.y = y; self.style = style
    }
}

/// How a histogram is drawn: columns filled to the axis, or only its step outline (which keeps a
/// curve drawn over it readable on a log axis and without colour).
public enum HistogramStyle: Sendable, Hashable {
    case filled
    case outline(LineStyle)
}

/// A histogram drawn as filled columns: `densities[i]` on [edges[i], edges[i+1]).
public struct PlotHistogram: Sendable {
    public var role: ColorRole
    public var edges: [Double]
    public var densities: [Double]
    public var style: HistogramStyle = .filled
    public init(role: ColorRole, edges: [Double], densities: [Double], style: HistogramStyle = .filled) {
        self.role = role; self.edges = edges; self.densities = densities; self.style = style
    }

    /// Bins `values` into `bins` equal bins over `range`, normalised so that the total area is
    /// (number of values in range) / `total` (default: the number of values): a density comparable
    /// with a limit law (with `total` larger than the values when some are drawn elsewhere, as atoms).
    public static func binning(_ values: [Double], range: ClosedRange<Double>, bins: Int, role: ColorRole, total: Int? = nil) -> PlotHistogram {
        let n = max(1, bins)
        let lo = range.lowerBound, width = (range.upperBound - range.lowerBound) / Double(n)
        var counts = Array(repeating: 0.0, count: n)
        for v in values where v >= lo && v <= range.upperBound && width > 0 {
            counts[min(n - 1, Int((v - lo) / width))] += 1
        }
        let all = Double(max(1, total ?? values.count))
        let edges = (0...n).map { $0 == n ? range.upperBound : lo + Double($0) * width }   // the range's end exactly
        return PlotHistogram(role: role, edges: edges, densities: counts.map { width > 0 ? $0 / (all * width) : 0 })
    }
}

/// A point mass, marked on the x axis with a triangle.
public struct PlotMarker: Sendable {
    public var role: ColorRole
    public var x: Double
    public init(role: ColorRole, x: Double) { self.role = role; self.x = x }
}

/// A density plot with axes: curves over filled histograms on a braille/block/ASCII canvas.
/// `render` is a pure function of the plot and the size.
public struct DensityPlot: Sendable {
    public var xRange: ClosedRange<Double>
    /// Top of the y axis; nil = the largest value drawn (curves are averaged over each pixel column).
    public var yMax: Double?
    public var yScale: YScale
    /// Decades shown below yMax on a log axis.
    public var logDecades: Double = 4
    public var curves: [PlotCurve] = []
    public var histograms: [PlotHistogram] = []
    public var markers: [PlotMarker] = []
    public var mode: CanvasMode
    /// Desired number of x ticks; nil = one per ~10 columns.
    public var xTickTarget: Int?
    /// Axis titles: the x title at the right end of the tick-label row, the y title in the plot's
    /// top-left corner (each only where it overlaps nothing).
    public var xTitle: String?
    public var yTitle: String?
    /// Faint grid lines at the ticks, in empty cells only (never over a curve).
    public var gridLines = false
    /// A vertical read-out line at this x (drawn over the plot).
    public var cursorX: Double?
    /// When curves are drawn, a histogram may raise the y maximum at most to this multiple of the
    /// curves' (a sample's overshoot stays visible; an outlying bar is clipped, not the scale).
    public var histogramHeadroom = 1.5

    public init(xRange: ClosedRange<Double>, yScale: YScale = .linear, mode: CanvasMode = .braille, yMax: Double? = nil) {
        self.xRange = xRange; self.yScale = yScale; self.mode = mode; self.yMax = yMax
    }

    // MARK: geometry

    public struct Geometry: Sendable, Equatable {
        public var margin: Int      // columns left of the plot area (y labels + axis)
        public var plotColumns: Int
        public var plotRows: Int
    }

    /// Minimum size in cells for which `render` draws a plot.
    public static let minimumSize = (width: 12, height: 4)

    // MARK: values

    /// Average of a piecewise-linear density over each of `count` equal columns of `range`.
    /// Averages keep narrow peaks visible (their mass is not lost between sample points).
    public static func columnAverages(_ curve: PlotCurve, range: ClosedRange<Double>, count: Int) -> [Double] {
        let xs = curve.x, ys = curve.y
        guard xs.count >= 2, count > 0 else { return Array(repeating: .nan, count: max(0, count)) }
        // Cumulative integral by the trapezoid rule (NaN counts as 0 but marks the column).
        var cum = [0.0]
        cum.reserveCapacity(xs.count)
        for i in 1..<xs.count {
            let a = ys[i - 1].isFinite ? ys[i - 1] : 0, b = ys[i].isFinite ? ys[i] : 0
            cum.append(cum[i - 1] + 0.5 * (a + b) * (xs[i] - xs[i - 1]))
        }
        func integral(_ t: Double) -> Double {
            if t <= xs[0] { return 0 }
            if t >= xs[xs.count - 1] { return cum[cum.count - 1] }
            var lo = 0, hi = xs.count - 1
            while hi - lo > 1 { let mid = (lo + hi) / 2; if xs[mid] <= t { lo = mid } else { hi = mid } }
            let a = ys[lo].isFinite ? ys[lo] : 0, b = ys[hi].isFinite ? ys[hi] : 0
            let h = t - xs[lo], w = xs[hi] - xs[lo]
            let yt = w > 0 ? a + (b - a) * h / w : a
            return cum[lo] + 0.5 * (a + yt) * h
        }
        let width = (range.upperBound - range.lowerBound) / Double(count)
        var out = [Double](repeating: 0, count: count)
        var left = integral(range.lowerBound)
        for i in 0..<count {
            let right = integral(range.lowerBound + Double(i + 1) * width)
            out[i] = width > 0 ? max(0, (right - left) / width) : 0
            left = right
        }
        return out
    }

    /// The histogram's value in each of `count` pixel columns over `range`: the bin holding the
    /// column's centre. A bin edge falls exactly on a column centre whenever the bin count and the
    /// column count share a factor, and then the last bit of the range decided which bin the column
    /// showed (a 10⁻¹⁴ change of a law's edge redrew a histogram). The sample point sits 10⁻⁶ of a
    /// column right of the centre, so such an edge always gives the column to the bin on its right.
    static func histogramColumns(_ h: PlotHistogram, range: ClosedRange<Double>, count: Int) -> [Double] {
        let w = (range.upperBound - range.lowerBound) / Double(max(1, count))
        return (0..<max(0, count)).map { histogramValue(h, at: range.lowerBound + (Double($0) + 0.5 + 1e-6) * w) }
    }

    static func histogramValue(_ h: PlotHistogram, at t: Double) -> Double {
        guard h.edges.count >= 2, t >= h.edges[0], t < h.edges[h.edges.count - 1] else { return 0 }
        var lo = 0, hi = h.edges.count - 1
        while hi - lo > 1 { let mid = (lo + hi) / 2; if h.edges[mid] <= t { lo = mid } else { hi = mid } }
        return lo < h.densities.count ? h.densities[lo] : 0
    }

    /// The y maximum that `render` uses for a plot area `plotColumns` wide.
    public func effectiveYMax(plotColumns: Int) -> Double {
        if let yMax, yMax > 0 { return yMax }
        let px = plotColumns * mode.pixelsPerCell.x
        var m = 0.0
        for c in curves { m = max(m, DensityPlot.columnAverages(c, range: xRange, count: px).filter(\.isFinite).max() ?? 0) }
        var hm = 0.0
        for h in histograms { hm = max(hm, DensityPlot.histogramColumns(h, range: xRange, count: px).max() ?? 0) }
        m = m > 0 ? max(m, min(hm, histogramHeadroom * m)) : hm
        return m > 0 ? m * 1.05 : 1
    }

    func scaled(_ v: Double, yMax: Double) -> Double? {
        guard v.isFinite, v > 0 else { return nil }
        switch yScale {
        case .linear: return min(1, v / yMax)
        case .sqrt: return min(1, (v / yMax).squareRoot())
        case .log:
            let f = (log10(v / yMax) + logDecades) / logDecades
            return f < 0 ? nil : min(1, f)
        }
    }

    // MARK: rendering

    public func render(width: Int, height: Int) -> ScreenGrid {
        var grid = ScreenGrid(width: width, height: height)
        guard width >= DensityPlot.minimumSize.width, height >= DensityPlot.minimumSize.height,
              xRange.upperBound > xRange.lowerBound else {
            grid.write("(too small)", x: 0, y: 0, role: .dim)
            return grid
        }
        let ascii = mode == .ascii
        let plotRows = height - 2
        // y labels depend on yMax, which depends on the plot width: estimate with a provisional margin.
        var margin = 6
        var yMax = effectiveYMax(plotColumns: width - margin)
        var yLabels = yAxis(yMax: yMax, plotRows: plotRows)
        if yLabels.widestLabel + 1 != margin {
            margin = max(2, yLabels.widestLabel + 1)
            yMax = effectiveYMax(plotColumns: width - margin)
            yLabels = yAxis(yMax: yMax, plotRows: plotRows)
            margin = max(margin, yLabels.widestLabel + 1)
        }
        let labelWidth = margin - 1
        let columns = width - margin
        var canvas = DotCanvas(columns: columns, rows: plotRows, mode: mode)
        let px = canvas.pixelWidth, py = canvas.pixelHeight
        let pixelWidthX = (xRange.upperBound - xRange.lowerBound) / Double(px)

        func row(_ frac: Double) -> Int { py - 1 - Int((frac * Double(py - 1)).rounded()) }

        for h in histograms {
            let layer = canvas.addLayer(h.role)
            let values = DensityPlot.histogramColumns(h, range: xRange, count: px)
            switch h.style {
            case .filled:
                for i in 0..<px { if let f = scaled(values[i], yMax: yMax) { canvas.vertical(i, from: py - 1, to: row(f), layer: layer) } }
            case .outline(let style):
                // the step outline: each bin's top, joined to its neighbours (and down to the axis at a bin of 0)
                drawLine(&canvas, values.map { scaled($0, yMax: yMax).map(row) }, floor: py - 1, style: style, layer: layer)
            }
        }
        for c in curves {
            let layer = canvas.addLayer(c.role)
            let avg = DensityPlot.columnAverages(c, range: xRange, count: px)
            drawLine(&canvas, avg.map { scaled($0, yMax: yMax).map(row) }, floor: nil, style: c.style, layer: layer)
        }
        if let cursorX, xRange.contains(cursorX) {
            let layer = canvas.addLayer(.highlight)
            let i = min(px - 1, Int(((cursorX - xRange.lowerBound) / pixelWidthX).rounded(.down)))
            for y in stride(from: 0, to: py, by: 2) { canvas.set(i, y, layer: layer) }
        }
        grid.paste(canvas.render(), x: margin, y: 0)

        // y axis: a tee and a label at each tick's row (the first label on a row wins)
        let vline: Character = ascii ? "|" : "│", tee: Character = ascii ? "+" : "┤"
        for y in 0..<plotRows { grid[margin - 1, y] = Cell(vline, role: .axis) }
        var usedRows = Set<Int>()
        for t in yLabels.ticks {
            guard let f = scaled(t.value, yMax: yMax) ?? (t.value == 0 ? 0 : nil) else { continue }
            let y = row(f) / mode.pixelsPerCell.y
            let gap = plotRows >= 6 ? 1 : 0   // a free row between labels when there is room
            guard y >= 0, y < plotRows, !(y - gap...y + gap).contains(where: usedRows.contains) else { continue }
            usedRows.insert(y)
            grid[margin - 1, y] = Cell(tee, role: .axis)
            grid.write(String(repeating: " ", count: max(0, labelWidth - t.label.count)) + t.label, x: 0, y: y, role: .axis)
        }

        // x axis: ticks and their exact labels; an offset ("+664290") at the right end of the label row
        let axisRow = plotRows, labelRow = plotRows + 1
        grid[margin - 1, axisRow] = Cell(ascii ? "+" : "└", role: .axis)
        for x in margin..<width { grid[x, axisRow] = Cell(ascii ? "-" : "─", role: .axis) }
        let xLabels = xAxis(columns: columns)
        var labelEnd = width
        if !xLabels.annotation.isEmpty {
            labelEnd = width - xLabels.annotation.count
            grid.write(xLabels.annotation, x: labelEnd, y: labelRow, role: .axis)
            labelEnd -= 1
        }
        var lastEnd = -1
        for t in xLabels.ticks {
            let col = margin + column(of: t.value, columns: columns)
            grid[col, axisRow] = Cell(ascii ? "+" : "┬", role: .axis)
            var start = col - t.label.count / 2
            start = max(margin - 1, min(width - t.label.count, start))
            if start > lastEnd, start + t.label.count <= labelEnd {
                grid.write(t.label, x: start, y: labelRow, role: .axis)
                lastEnd = start + t.label.count
            }
        }
        for m in markers where xRange.contains(m.x) {
            let col = margin + column(of: m.x, columns: columns)
            grid[col, axisRow] = Cell(ascii ? "^" : "▲", role: m.role, attributes: .bold)
        }

        decorate(&grid, margin: margin, plotRows: plotRows)
        return grid
    }

    /// The plot area's columns within a render of this size: (first column, count), for mapping a
    /// mouse click to x. Nil when the plot is too small to draw.
    public func plotColumns(width: Int, height: Int) -> (first: Int, count: Int)? {
        let g = render(width: width, height: height)
        let axisRow = height - 2
        guard axisRow >= 0, let corner = (0..<width).first(where: { ["└", "+"].contains(g[$0, axisRow].character) }) else { return nil }
        return (corner + 1, width - corner - 1)
    }

    /// A line through one row per pixel column (nil = no value there): vertical runs join neighbours,
    /// pixels are drawn by `style` counted along the line. With `floor`, a column next to a gap is
    /// joined down to the floor (a histogram's step outline meets the axis at empty bins).
    func drawLine(_ canvas: inout DotCanvas, _ rows: [Int?], floor: Int?, style: LineStyle, layer: Int) {
        var previous: Int?
        var along = 0
        for i in 0..<rows.count {
            guard let r = rows[i] ?? floor.flatMap({ f in previous != nil ? f : nil }) else { previous = nil; continue }
            let from = previous ?? (floor != nil && rows[i] != nil ? (floor!) : r)
            let step = from <= r ? 1 : -1
            for y in stride(from: from, through: r, by: step) {
                if style.draws(along) { canvas.set(i, y, layer: layer) }
                along += 1
            }
            previous = rows[i] == nil ? nil : r
        }
    }

    /// Axis titles and grid lines, drawn after the axes: titles only over blanks, grid dots only in
    /// empty cells of the plot area at the columns and rows of the axes' ticks.
    func decorate(_ grid: inout ScreenGrid, margin: Int, plotRows: Int) {
        let ascii = mode == .ascii
        let axisRow = plotRows, labelRow = plotRows + 1
        if gridLines {
            let tickColumns = (margin..<grid.width).filter { grid[$0, axisRow].character == (ascii ? "+" : "┬") }
            let tickRows = (0..<plotRows).filter { grid[margin - 1, $0].character == (ascii ? "+" : "┤") }
            let dot = Cell(ascii ? "." : "·", role: .axis, attributes: .dim)
            for x in tickColumns { for y in 0..<plotRows where y % 2 == 1 && grid[x, y].scalar == " " { grid[x, y] = dot } }
            for y in tickRows { for x in stride(from: margin + 1, to: grid.width, by: 2) where grid[x, y].scalar == " " { grid[x, y] = dot } }
        }
        if let t = xTitle, !t.isEmpty {
            let x0 = grid.width - t.count
            if x0 > margin, (x0 - 1..<grid.width).allSatisfy({ grid[$0, labelRow].scalar == " " }) {
                grid.write(t, x: x0, y: labelRow, role: .axis, attributes: .dim)
            }
        }
        if let t = yTitle, !t.isEmpty, plotRows >= 3 {
            let x0 = margin + 1
            if x0 + t.count <= grid.width, (x0 - 1..<min(grid.width, x0 + t.count + 1)).allSatisfy({ grid[$0, 0].scalar == " " }) {
                grid.write(t, x: x0, y: 0, role: .axis, attributes: .dim)
            }
        }
    }

    // MARK: axes

    /// The plot column (0 ..< columns) of the value x: the cell whose span contains it.
    public func column(of x: Double, columns: Int) -> Int {
        let f = (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound)
        return max(0, min(columns - 1, Int((f * Double(columns)).rounded(.down))))
    }

    /// The x ticks for a plot area `columns` wide: about one per 8 columns (or `xTickTarget`), labels
    /// that fit between neighbouring ticks.
    public func xAxis(columns: Int) -> AxisLabelling {
        let target = xTickTarget ?? max(2, columns / 8)
        return AxisTicks.linear(xRange, target: target, maxLabelWidth: 12, axisLength: Double(columns))
    }

    /// The y ticks: decades on a log axis, round values from 0 otherwise (about one per three rows).
    public func yAxis(yMax: Double, plotRows: Int) -> AxisLabelling {
        switch yScale {
        case .log:
            return AxisTicks.decades(yMax * pow(10, -logDecades)...yMax, maxTicks: max(2, plotRows / 2))
        case .linear, .sqrt:
            return AxisTicks.linear(0...yMax, target: max(2, plotRows / 3), maxLabelWidth: 6, allowOffset: false)
        }
    }
}
