import Foundation
import PlotCanvas

/// A line of an `XYPlot`; non-finite points are skipped.
public struct XYSeries: Sendable {
    public var role: ColorRole
    public var x: [Double]
    public var y: [Double]
    public init(role: ColorRole, x: [Double], y: [Double]) { self.role = role; self.x = x; self.y = y }
}

/// Which axes are decades: values are already log10 and the labels show 10^v.
public struct XYAxes: Sendable, Hashable {
    public var logX: Bool
    public var logY: Bool
    public init(logX: Bool, logY: Bool) { self.logX = logX; self.logY = logY }
}

/// A plain x/y line plot with axes on the braille/block/ASCII canvas (the coefficient-decay,
/// sphere-eigenvalue and kernel plots of the infinite-width mode). Its ticks are the shared tick
/// model (`AxisTicks.linear`, `AxisTicks.decades`), as in `DensityPlot` and the SVG export. Pure:
/// `render` depends only on the plot.
public struct XYPlot: Sendable {
    public var xRange: ClosedRange<Double>
    public var yRange: ClosedRange<Double>
    public var axes: XYAxes
    public var series: [XYSeries] = []
    public var mode: CanvasMode

    public init(xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, axes: XYAxes, mode: CanvasMode) {
        self.xRange = xRange; self.yRange = yRange; self.axes = axes; self.mode = mode
    }

    /// The y range covering the finite values of `series`, in whole decades for log axes, at most
    /// `maxSpan` deep below the top.
    public static func yRange(_ series: [XYSeries], maxSpan: Double = 18) -> ClosedRange<Double> {
        let ys = series.flatMap(\.y).filter(\.isFinite)
        guard var hi = ys.max(), var lo = ys.min() else { return 0...1 }
        hi = hi.rounded(.up); lo = max(lo.rounded(.down), hi - maxSpan)
        if hi <= lo { lo = hi - 1 }
        return lo...hi
    }

    /// A linear y range covering the finite values of `series` with a 5% margin (and 0 when the
    /// values are all of one sign and close to it).
    public static func linearRange(_ series: [XYSeries]) -> ClosedRange<Double> {
        let ys = series.flatMap(\.y).filter(\.isFinite)
        guard var lo = ys.min(), var hi = ys.max() else { return 0...1 }
        if lo > 0 && lo < 0.5 * hi { lo = 0 }
        if hi < 0 && hi > 0.5 * lo { hi = 0 }
        if hi - lo < 1e-12 * max(1, abs(hi)) { lo -= 0.5; hi += 0.5 }
        let pad = 0.05 * (hi - lo)
        return (lo == 0 ? 0 : lo - pad)...(hi + pad)
    }

    /// The ticks of one axis over `range` (log10 units on a decade axis) in the shared tick model:
    /// positions in the axis's own units, exact labels (`AxisTicks`). `axisLength` (columns) limits a
    /// horizontal axis's ticks to labels that fit between them; a vertical axis (nil) has a label a
    /// row, so only `target` limits it.
    public static func labelling(_ range: ClosedRange<Double>, log: Bool, target: Int, axisLength: Int?) -> AxisLabelling {
        if log {
            guard range.lowerBound.isFinite, range.upperBound.isFinite else { return AxisLabelling(ticks: []) }
            // at least two decades labelled when the axis spans two (one label gives no scale)
            let decades = AxisTicks.decades(pow(10, range.lowerBound)...pow(10, range.upperBound), maxTicks: max(2, target))
            return AxisLabelling(ticks: decades.ticks.map { AxisTick(value: log10($0.value).rounded(), label: $0.label) })
        }
        // at least two ticks when the axis has room for them (one tick gives no scale)
        var labelling = AxisTicks.linear(range, target: max(1, target), maxLabelWidth: 8, axisLength: axisLength.map(Double.init))
        var t = max(1, target)
        while labelling.ticks.count < 2, t < max(1, target) + 4 {
            t += 1
            let more = AxisTicks.linear(range, target: t, maxLabelWidth: 8, axisLength: axisLength.map(Double.init))
            if more.ticks.count > labelling.ticks.count { labelling = more }
        }
        return labelling
    }

    public func render(width: Int, height: Int) -> ScreenGrid {
        var grid = ScreenGrid(width: width, height: height)
        guard width >= 12, height >= 4, xRange.upperBound > xRange.lowerBound, yRange.upperBound > yRange.lowerBound else {
            grid.write("(too small)", x: 0, y: 0, role: .dim)
            return grid
        }
        let ascii = mode == .ascii
        let rows = height - 2
        let yLabels = XYPlot.labelling(yRange, log: axes.logY, target: max(1, rows / 2), axisLength: nil)
        let margin = max(2, yLabels.widestLabel + 1)
        let columns = width - margin
        var canvas = DotCanvas(columns: columns, rows: rows, mode: mode)
        let px = canvas.pixelWidth, py = canvas.pixelHeight
        func pxX(_ x: Double) -> Double { (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * Double(px - 1) }
        func pxY(_ y: Double) -> Double { Double(py - 1) - (y - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * Double(py - 1) }
        for s in series {
            let layer = canvas.addLayer(s.role)
            var previous: (Double, Double)?
            for (x, y) in zip(s.x, s.y) {
                // zeros (−∞ on a log axis, e.g. the even coefficients of an odd σ) are skipped, not breaks
                guard x.isFinite, y.isFinite else { continue }
                guard xRange.contains(x) else { previous = nil; continue }
                if y < yRange.lowerBound || y > yRange.upperBound { previous = nil; continue }
                let p = (pxX(x), pxY(y))
                if let q = previous {
                    let steps = max(1, Int(max(abs(p.0 - q.0), abs(p.1 - q.1)).rounded(.up)))
                    for i in 0...steps {
                        let t = Double(i) / Double(steps)
                        canvas.set(Int((q.0 + (p.0 - q.0) * t).rounded()), Int((q.1 + (p.1 - q.1) * t).rounded()), layer: layer)
                    }
                } else {
                    canvas.set(Int(p.0.rounded()), Int(p.1.rounded()), layer: layer)
                }
                previous = p
            }
        }
        grid.paste(canvas.render(), x: margin, y: 0)
        let vline: Character = ascii ? "|" : "│", tee: Character = ascii ? "+" : "┤"
        for y in 0..<rows { grid[margin - 1, y] = Cell(vline, role: .axis) }
        var usedRows = Set<Int>()
        for t in yLabels.ticks {
            let y = Int((pxY(t.value) / Double(mode.pixelsPerCell.y)).rounded(.down))
            guard y >= 0, y < rows, !usedRows.contains(y) else { continue }
            usedRows.insert(y)
            grid[margin - 1, y] = Cell(tee, role: .axis)
            grid.write(String(repeating: " ", count: max(0, margin - 1 - t.label.count)) + t.label, x: 0, y: y, role: .axis)
        }
        if !yLabels.annotation.isEmpty { grid.write(yLabels.annotation, x: margin, y: 0, role: .axis) }
        grid[margin - 1, rows] = Cell(ascii ? "+" : "└", role: .axis)
        for x in margin..<width { grid[x, rows] = Cell(ascii ? "-" : "─", role: .axis) }
        let xLabels = XYPlot.labelling(xRange, log: axes.logX, target: max(2, columns / 8), axisLength: columns)
        var labelEnd = width
        if !xLabels.annotation.isEmpty {
            labelEnd = width - xLabels.annotation.count
            grid.write(xLabels.annotation, x: labelEnd, y: rows + 1, role: .axis)
            labelEnd -= 1
        }
        var lastEnd = -1
        for t in xLabels.ticks {
            let col = margin + min(columns - 1, max(0, Int((pxX(t.value) / Double(mode.pixelsPerCell.x)).rounded(.down))))
            grid[col, rows] = Cell(ascii ? "+" : "┬", role: .axis)
            let start = max(margin - 1, min(width - t.label.count, col - t.label.count / 2))
            if start > lastEnd, start + t.label.count <= labelEnd {
                grid.write(t.label, x: start, y: rows + 1, role: .axis)
                lastEnd = start + t.label.count
            }
        }
        return grid
    }
}

/// Text that fits its line: a caption is made of parts, the least important dropped first (the
/// others keep their order), so a value is shown whole or not at all — never cut mid-number.
public enum FittedText {
    /// The parts (text, priority: 0 is the most important) joined by `separator`: taken in order of
    /// importance (the leftmost among equals), each kept when it still fits `width`, so a long part
    /// that does not fit leaves room for a shorter, less important one; the kept parts keep their
    /// order. If even the most important part does not fit, its `fallback` (a shorter form) when
    /// given, else it ends in "…".
    public static func fit(_ parts: [(String, Int)], width: Int, separator: String = " · ", fallback: String? = nil) -> String {
        let candidates = parts.enumerated().filter { !$0.element.0.isEmpty }
        guard let most = candidates.min(by: { ($0.element.1, $0.offset) < ($1.element.1, $1.offset) }) else { return "" }
        var kept = Set<Int>()
        func text(_ indices: Set<Int>) -> String {
            candidates.filter { indices.contains($0.offset) }.map(\.element.0).joined(separator: separator)
        }
        for c in candidates.sorted(by: { ($0.element.1, $0.offset) < ($1.element.1, $1.offset) }) {
            let trial = kept.union([c.offset])
            if text(trial).count <= width { kept = trial }
        }
        if !kept.isEmpty, kept.contains(most.offset) { return text(kept) }
        if let fallback, fallback.count <= width { return fallback }
        let t = most.element.0
        return width > 1 ? String(t.prefix(width - 1)) + "…" : ""
    }

    /// The first of `forms` (longest first) that fits `width`; the last one ends in "…" if none does.
    public static func first(_ forms: [String], width: Int) -> String {
        if let f = forms.first(where: { $0.count <= width }) { return f }
        guard let last = forms.last else { return "" }
        return width > 1 ? String(last.prefix(width - 1)) + "…" : ""
    }
}

/// A text table whose optional columns go (the least important first) when it is wider than its room.
struct TextTable {
    struct Column {
        var header: String
        var cells: [String]
        /// 0: always shown; higher goes first.
        var priority: Int
        var alignLeft = false
    }
    var columns: [Column]

    /// The header and the rows, each at most `width` characters.
    func lines(width: Int, indent: Int = 2) -> [String] {
        var shown = columns
        func widths() -> [Int] { shown.map { c in max(c.header.count, c.cells.map(\.count).max() ?? 0) } }
        func total() -> Int { indent + widths().reduce(0, +) + max(0, shown.count - 1) }
        while total() > width, let drop = shown.indices.filter({ shown[$0].priority > 0 }).max(by: { (shown[$0].priority, $0) < (shown[$1].priority, $1) }) {
            shown.remove(at: drop)
        }
        let w = widths()
        func row(_ cells: [String]) -> String {
            String(repeating: " ", count: indent) + zip(cells, zip(w, shown)).map { cell, wc in
                wc.1.alignLeft ? cell.padding(toLength: wc.0, withPad: " ", startingAt: 0) : cell.leftPad(wc.0)
            }.joined(separator: " ")
        }
        let count = shown.first?.cells.count ?? 0
        return [row(shown.map(\.header))] + (0..<count).map { i in row(shown.map { $0.cells[i] }) }
    }
}

/// The text column beside a plot: lines with priorities (0 is kept longest). When the column has
/// fewer rows than lines, the least important lines go first (the last among equals), the others
/// keep their order — so what is dropped is chosen, not whatever falls off the bottom.
struct InfoColumn {
    /// `group`: lines of one wrapped note, kept or dropped together.
    struct Line { var text: String; var role: ColorRole; var priority: Int; var group: Int? = nil }
    var width: Int
    var lines: [Line] = []
    init(width: Int) { self.width = width }

    /// The first of `forms` (longest first) that fits the width.
    mutating func add(_ forms: [String], _ role: ColorRole = .text, priority: Int = 0) {
        let t = FittedText.first(forms, width: width)
        if !t.isEmpty { lines.append(Line(text: t, role: role, priority: priority)) }
    }

    /// A note wrapped onto as many lines as it needs (continuation lines indented), never cut.
    mutating func addWrapped(_ text: String, _ role: ColorRole = .text, priority: Int = 0) {
        let group = lines.count
        for part in StatusLine.wrap(text, width: width, hanging: 2) { lines.append(Line(text: part, role: role, priority: priority, group: group)) }
    }

    /// Lines already fitted to the width (table rows).
    mutating func add(lines texts: [String], role: ColorRole = .text, headerRole: ColorRole? = nil, priority: Int, rowPriority: ((Int) -> Int)? = nil) {
        for (i, t) in texts.enumerated() {
            let p = i == 0 && headerRole != nil ? priority : (rowPriority?(i - (headerRole == nil ? 0 : 1)) ?? priority)
            lines.append(Line(text: t, role: i == 0 ? (headerRole ?? role) : role, priority: p))
        }
    }

    /// The lines that fit `rows`.
    func fitted(rows: Int) -> [Line] {
        var kept = lines
        while kept.count > max(0, rows), let drop = kept.indices.max(by: { (kept[$0].priority, $0) < (kept[$1].priority, $1) }) {
            if let g = kept[drop].group { kept.removeAll { $0.group == g } } else { kept.remove(at: drop) }
        }
        return kept
    }

    func draw(_ grid: inout ScreenGrid, x: Int, y: Int, rows: Int) {
        for (i, l) in fitted(rows: rows).enumerated() {
            grid.write(l.text, x: x, y: y + i, role: l.role, attributes: l.role == .title ? [.bold] : [], maxWidth: width)
        }
    }
}
