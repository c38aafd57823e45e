import Foundation
import PlotCanvas

/// A line of an `XYPlot`; non-finite points break the line.
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

/// A plain x/y line plot with axes on the braille/block/ASCII canvas (the coefficient-decay and
/// sphere-eigenvalue plots of the infinite-width mode). Pure: `render` depends only on the plot.
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

    static func label(_ v: Double, log: Bool) -> String {
        if log {
            let e = Int(v.rounded())
            switch e {
            case 0: return "1"
            case 1: return "10"
            case 2: return "100"
            default: return "1e\(e)"
            }
        }
        return AxisTicks.format(v, step: nil)
    }

    static func ticks(_ range: ClosedRange<Double>, log: Bool, target: Int) -> [Double] {
        if log {
            let lo = Int(range.lowerBound.rounded(.up)), hi = Int(range.upperBound.rounded(.down))
            guard hi >= lo else { return [] }
            let step = max(1, Int((Double(hi - lo) / Double(max(1, target))).rounded(.up)))
            return stride(from: hi, through: lo, by: -step).map(Double.init).reversed()
        }
        return AxisTicks.ticks(in: range, target: target)
    }

    public func render(width: Int, height: Int) -> ScreenGrid {
        var grid = ScreenGrid(width: width, height: height)
        guard width >= 12, height >= 4, xRange.upperBound > xRange.lowerBound, yRange.upperBound > yRange.lowerBound else {
            grid.write("(too small)", x: 0, y: 0, role: .dim)
            return grid
        }
        let ascii = mode == .ascii
        let rows = height - 2
        let yTicks = XYPlot.ticks(yRange, log: axes.logY, target: max(1, rows / 2))
        let yLabels = yTicks.map { XYPlot.label($0, log: axes.logY) }
        let margin = (yLabels.map(\.count).max() ?? 1) + 1
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
                let p = (pxX(x), pxY(min(yRange.upperBound, y)))
                if y < yRange.lowerBound { previous = nil; continue }
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
        for (t, label) in zip(yTicks, yLabels) {
            let y = Int((pxY(t) / Double(mode.pixelsPerCell.y)).rounded(.down))
            guard y >= 0, y < rows else { continue }
            grid[margin - 1, y] = Cell(tee, role: .axis)
            grid.write(String(repeating: " ", count: margin - 1 - label.count) + label, x: 0, y: y, role: .axis)
        }
        grid[margin - 1, rows] = Cell(ascii ? "+" : "└", role: .axis)
        for x in margin..<width { grid[x, rows] = Cell(ascii ? "-" : "─", role: .axis) }
        var lastEnd = -1
        for t in XYPlot.ticks(xRange, log: axes.logX, target: max(2, columns / 8)) {
            let col = margin + min(columns - 1, Int((pxX(t) / Double(mode.pixelsPerCell.x)).rounded(.down)))
            grid[col, rows] = Cell(ascii ? "+" : "┬", role: .axis)
            let label = XYPlot.label(t, log: axes.logX)
            let start = max(margin - 1, min(width - label.count, col - label.count / 2))
            if start > lastEnd {
                grid.write(label, x: start, y: rows + 1, role: .axis)
                lastEnd = start + label.count
            }
        }
        return grid
    }
}
