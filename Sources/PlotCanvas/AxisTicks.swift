import Foundation

/// "Nice" 1-2-5 tick positions and compact number formatting for axes.
public enum AxisTicks {
    /// A nice step close to `span / target`.
    public static func niceStep(span: Double, target: Int) -> Double {
        guard span > 0, span.isFinite, target > 0 else { return 1 }
        let raw = span / Double(target)
        let magnitude = pow(10, floor(log10(raw)))
        let residual = raw / magnitude
        let nice: Double = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 2.5 ? 2.5 : residual <= 5 ? 5 : 10
        return nice * magnitude
    }

    /// Tick values inside `range`, about `target` of them.
    public static func ticks(in range: ClosedRange<Double>, target: Int) -> [Double] {
        let step = niceStep(span: range.upperBound - range.lowerBound, target: max(1, target))
        var v = ceil(range.lowerBound / step - 1e-9) * step
        var out: [Double] = []
        while v <= range.upperBound + step * 1e-9, out.count < 1000 {
            out.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        return out
    }

    /// Short label: as few decimals as the step needs, exponent form for very small or large numbers.
    public static func format(_ value: Double, step: Double? = nil) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        if value == 0 { return "0" }
        let a = abs(value)
        if a >= 1e5 || a < 1e-3 {
            var s = String(format: "%.0e", value)
            s = s.replacingOccurrences(of: "e-0", with: "e-").replacingOccurrences(of: "e+0", with: "e")
                 .replacingOccurrences(of: "e+", with: "e")
            return s
        }
        let decimals: Int
        if let step, step > 0 {
            var d = 0
            while d < 4, abs(step * pow(10, Double(d)) - (step * pow(10, Double(d))).rounded()) > 1e-6 { d += 1 }
            decimals = d
        } else {
            decimals = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3
        }
        var s = String(format: "%.\(decimals)f", value)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    /// Formats a value with `significant` significant digits (for text panels).
    public static func significant(_ value: Double, _ significant: Int = 3) -> String {
        guard value.isFinite else { return "nan" }
        if value == 0 { return "0" }
        let a = abs(value)
        if a >= 1e5 || a < 1e-3 { return String(format: "%.\(max(0, significant - 1))e", value) }
        let decimals = max(0, significant - 1 - Int(floor(log10(a))))
        return String(format: "%.\(decimals)f", value)
    }
}
