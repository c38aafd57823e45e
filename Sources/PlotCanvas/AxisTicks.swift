import Foundation

/// One tick of an axis: where it is and the text that names it.
public struct AxisTick: Sendable, Equatable {
    public var value: Double
    public var label: String
    public init(value: Double, label: String) { self.value = value; self.label = label }
}

/// The ticks of one axis. Every label names its tick's value exactly: the value is
/// `offset + (number written in the label)`, where `offset` is 0 unless the labels alone would need
/// more digits than fit (a narrow window far from 0, such as [664290, 664304]); then `annotation`
/// ("+664290") is written once beside the axis and the labels read 0, 2, 4, ….
public struct AxisLabelling: Sendable, Equatable {
    public var ticks: [AxisTick]
    /// Added to every label's number to give the tick's value (0 = none).
    public var offset: Double
    /// The offset as text ("+664290", "−1.2e9"); empty when `offset` is 0.
    public var annotation: String
    public init(ticks: [AxisTick], offset: Double = 0, annotation: String = "") {
        self.ticks = ticks; self.offset = offset; self.annotation = annotation
    }

    public var values: [Double] { ticks.map(\.value) }
    public var labels: [String] { ticks.map(\.label) }
    public var widestLabel: Int { ticks.map(\.label.count).max() ?? 0 }

    /// The value a label names (its number plus the offset); nil if it is not a number.
    public func value(named label: String) -> Double? {
        Double(label.replacingOccurrences(of: "−", with: "-")).map { $0 + offset }
    }
}

/// The tick model shared by the terminal canvas (`DensityPlot`) and the SVG export: "nice" 1-2-2.5-5
/// steps on linear axes, decades on log axes, labels that name their values exactly (no rounding
/// of 2.5e-4 to "3e-4", no "7e5" under every tick of a window of width 14 at 6.6e5), and number
/// formatting that keeps neighbouring values apart.
public enum AxisTicks {
    /// A nice step close to `span / target`: 1, 2, 2.5 or 5 times a power of ten.
    public static func niceStep(span: Double, target: Int) -> Double {
        guard span > 0, span.isFinite, target > 0 else { return 1 }
        let raw = span / Double(target)
        let magnitude = pow(10, floor(log10(raw)))
        let residual = raw / magnitude
        let nice: Double = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 2.5 ? 2.5 : residual <= 5 ? 5 : 10
        return nice * magnitude
    }

    /// Tick values inside `range`, about `target` of them: the multiples of `niceStep` (each
    /// computed as an integer times the step, so labels and positions agree).
    public static func ticks(in range: ClosedRange<Double>, target: Int) -> [Double] {
        multiples(of: niceStep(span: range.upperBound - range.lowerBound, target: max(1, target)), in: range)
    }

    static func multiples(of step: Double, in range: ClosedRange<Double>) -> [Double] {
        guard step > 0, step.isFinite, range.lowerBound.isFinite, range.upperBound.isFinite else { return [] }
        let first = (range.lowerBound / step - 1e-9).rounded(.up)
        let last = (range.upperBound / step + 1e-9).rounded(.down)
        guard last >= first, last - first < 1000 else { return [] }
        return stride(from: first, through: last, by: 1).map { n in n == 0 ? 0 : n * step }
    }

    /// Decimal places that write every multiple of `step` exactly (step = m·10^e, m ∈ {1, 2, 2.5, 5}).
    static func decimals(forStep step: Double) -> Int {
        guard step > 0, step.isFinite else { return 0 }
        var d = max(0, -Int(floor(log10(step) + 1e-9)))
        while d < 20, abs(step * pow(10, Double(d)) - (step * pow(10, Double(d))).rounded()) > 1e-6 * step * pow(10, Double(d)) { d += 1 }
        return d
    }

    /// `value` with `decimals` decimal places, trailing zeros removed, never "-0".
    static func fixed(_ value: Double, decimals: Int) -> String {
        var s = String(format: "%.\(max(0, decimals))f", value)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        if s == "-0" { s = "0" }
        return s
    }

    /// The fixed-point text `fixed` rewritten as mantissa·10^exponent with the same digits
    /// ("0.00025" → "2.5e-4", "664296" → "6.64296e5", "1000000000" → "1e9").
    static func scientific(fromFixed fixed: String) -> String {
        var s = Substring(fixed)
        var sign = ""
        if s.hasPrefix("-") { sign = "-"; s = s.dropFirst() }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0]), frac = parts.count > 1 ? String(parts[1]) : ""
        let all = intPart + frac
        guard let firstNonZero = all.firstIndex(where: { $0 != "0" }) else { return "0" }
        let lead = all.distance(from: all.startIndex, to: firstNonZero)
        let exponent = intPart.count - 1 - lead
        var digits = String(all[firstNonZero...])
        while digits.count > 1 && digits.hasSuffix("0") { digits.removeLast() }
        let mantissa = digits.count > 1 ? String(digits.first!) + "." + digits.dropFirst() : digits
        return exponent == 0 ? sign + mantissa : "\(sign)\(mantissa)e\(exponent)"
    }

    /// Exact labels for multiples of a step, in one style for the whole axis: fixed point
    /// ("0.25", "664298") while the numbers are below 1e6 and need at most 4 decimals, else
    /// scientific ("2.5e-4", "1.25e-3", "1e9"); 0 is always "0".
    static func exactLabels(_ values: [Double], decimals: Int) -> [String] {
        let fixedTexts = values.map { fixed($0, decimals: decimals) }
        let big = values.contains { abs($0) >= 1e6 }
        if decimals <= 4 && !big { return fixedTexts }
        return fixedTexts.map { $0 == "0" ? $0 : scientific(fromFixed: $0) }
    }

    /// Ticks and exact labels for a linear axis over `range`: about `target` ticks (fewer, then
    /// labels relative to an offset, when the labels would not fit). Labels fit when they are at
    /// most `maxLabelWidth` characters and, given `axisLength` (the axis in characters), leave a
    /// space between neighbours. `allowOffset` false (e.g. a density axis from 0) never uses an offset.
    public static func linear(_ range: ClosedRange<Double>, target: Int, maxLabelWidth: Int = 8,
                              axisLength: Double? = nil, allowOffset: Bool = true) -> AxisLabelling {
        guard range.lowerBound.isFinite, range.upperBound.isFinite, range.upperBound > range.lowerBound else {
            let v = range.lowerBound
            return AxisLabelling(ticks: v.isFinite ? [AxisTick(value: v, label: distinct([v]).first ?? "")] : [])
        }
        var best: AxisLabelling?
        for t in stride(from: max(1, target), through: 1, by: -1) {
            let step = niceStep(span: range.upperBound - range.lowerBound, target: t)
            let values = multiples(of: step, in: range)
            guard !values.isEmpty else { continue }
            let d = decimals(forStep: step)
            let room = axisLength.map { $0 * step / (range.upperBound - range.lowerBound) - 1 } ?? .infinity
            func fits(_ l: AxisLabelling) -> Bool { l.widestLabel <= maxLabelWidth && Double(l.widestLabel) <= room }
            let plain = AxisLabelling(ticks: zip(values, exactLabels(values, decimals: d)).map { AxisTick(value: $0, label: $1) })
            if fits(plain) { return plain }
            if best == nil || plain.widestLabel < best!.widestLabel { best = plain }
            if allowOffset, let o = offsetLabelling(values, step: step, decimals: d) {
                if fits(o) { return o }
                if o.widestLabel < best!.widestLabel { best = o }
            }
        }
        return best ?? AxisLabelling(ticks: [])
    }

    /// Labels relative to a round offset below the first tick (a multiple of a power of ten at
    /// least the span), when that makes them shorter.
    static func offsetLabelling(_ values: [Double], step: Double, decimals d: Int) -> AxisLabelling? {
        guard let first = values.first, let last = values.last else { return nil }
        let span = max(last - first, step)
        let unit = pow(10, (log10(span) + 1e-9).rounded(.up))
        let offset = (first / unit).rounded(.down) * unit
        guard offset != 0, offset.isFinite else { return nil }
        // the offset is an integer multiple of `unit`: write that integer's digits exactly
        let relative = values.map { $0 - offset }
        let ticks = zip(values, exactLabels(relative, decimals: d)).map { AxisTick(value: $0, label: $1) }
        let unitExponent = Int(log10(unit).rounded())
        let text: String
        if abs(offset) >= 1e-3 && abs(offset) < 1e7 {
            text = fixed(abs(offset), decimals: max(0, -unitExponent))
        } else {
            // |offset| = k·10^unitExponent, k an integer: the same digits in scientific form
            text = scientific(fromFixed: String(format: "%.0f", (abs(offset) / unit).rounded()) + String(repeating: "0", count: max(0, unitExponent)))
                .shiftedExponent(by: min(0, unitExponent))
        }
        return AxisLabelling(ticks: ticks, offset: offset, annotation: (offset < 0 ? "−" : "+") + text)
    }

    /// Ticks at the powers of ten inside [lo, hi] (lo > 0), labelled "0.01", "0.1", "1", "10", …
    /// between 1e-3 and 1e4 and "1e-5", "1e6" beyond; every n-th decade when more than `maxTicks`.
    public static func decades(_ range: ClosedRange<Double>, maxTicks: Int) -> AxisLabelling {
        guard range.lowerBound > 0, range.upperBound.isFinite, range.upperBound >= range.lowerBound else { return AxisLabelling(ticks: []) }
        let lo = Int((log10(range.lowerBound) - 1e-9).rounded(.up)), hi = Int((log10(range.upperBound) + 1e-9).rounded(.down))
        guard hi >= lo else { return AxisLabelling(ticks: []) }
        let every = max(1, Int((Double(hi - lo + 1) / Double(max(1, maxTicks))).rounded(.up)))
        let exponents = stride(from: hi, through: lo, by: -every).reversed()
        return AxisLabelling(ticks: exponents.map { AxisTick(value: pow(10, Double($0)), label: decadeLabel($0)) })
    }

    /// 10^e as "0.001" … "10000", else "1e-5", "1e6".
    public static func decadeLabel(_ e: Int) -> String {
        if e >= -3 && e <= 4 { return e >= 0 ? "1" + String(repeating: "0", count: e) : "0." + String(repeating: "0", count: -e - 1) + "1" }
        return "1e\(e)"
    }

    /// Short label: as few decimals as the step needs; exact for multiples of `step`.
    public static func format(_ value: Double, step: Double? = nil) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        if value == 0 { return "0" }
        if let step, step > 0 { return exactLabels([value], decimals: decimals(forStep: step))[0] }
        return significant(value, 3).trimmedNumber
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

    /// The values written with enough significant digits that each reads right to within
    /// `resolution` (the printed number is within `resolution` of the value) and neighbouring values
    /// that differ read differently; at least `minimum` digits. Far from 0 this takes many digits:
    /// the support [664297.79, 664312.22] at resolution width/100 reads "664297.8", "664312.2", not
    /// "6.643e+05" twice. Numbers from 1e5 to 1e15 whose integer part is written in full are fixed
    /// point ("664297.8"); others as `significant` writes them.
    public static func resolved(_ values: [Double], resolution: Double, minimum: Int = 4) -> [String] {
        var digits = max(1, minimum)
        if resolution > 0, resolution.isFinite {
            // half a unit of the last digit written must be ≤ resolution
            let lastDigit = Int(floor(log10(2 * resolution)))
            for v in values where v.isFinite && v != 0 {
                digits = max(digits, Int(floor(log10(abs(v)))) - lastDigit + 1)
            }
        }
        digits = min(digits, 17)
        let texts = distinct(values, minimum: digits)
        return zip(values, texts).map { v, text in
            let a = abs(v)
            guard a >= 1e5, a < 1e15, let e = text.firstIndex(of: "e") else { return text }
            let mantissa = text[..<e].replacingOccurrences(of: "-", with: "")
            let written = mantissa.filter(\.isNumber).count
            let integerDigits = Int(floor(log10(a))) + 1
            guard written >= integerDigits else { return text }
            return String(format: "%.\(written - integerDigits)f", v)
        }
    }

    /// An interval's two ends, each right to 1/100 of its width and different when the ends differ:
    /// [664297.79, 664312.22] → "664297.8", "664312.2".
    public static func interval(_ r: ClosedRange<Double>, minimum: Int = 4) -> (lower: String, upper: String) {
        let texts = resolved([r.lowerBound, r.upperBound], resolution: (r.upperBound - r.lowerBound) / 100, minimum: minimum)
        return (texts[0], texts[1])
    }

    /// The values written with at least `minimum` significant digits and as many more (up to 17)
    /// as it takes for neighbouring values that differ to read differently (support edges
    /// [664290.1, 664304.2] are not both "6.643e+05").
    public static func distinct(_ values: [Double], minimum: Int = 4) -> [String] {
        var digits = max(1, minimum)
        while true {
            let texts = values.map { significant($0, digits) }
            var clash = false
            for i in 1..<max(1, texts.count) where texts[i] == texts[i - 1] && values[i] != values[i - 1] { clash = true }
            if !clash || digits >= 17 { return texts }
            digits += 1
        }
    }
}

extension String {
    /// "2.5e3" shifted by −5 → "2.5e-2" (a scientific or plain number times 10^shift).
    func shiftedExponent(by shift: Int) -> String {
        guard shift != 0 else { return self }
        if let e = firstIndex(of: "e"), let x = Int(self[index(after: e)...]) {
            let total = x + shift
            return total == 0 ? String(self[..<e]) : String(self[..<e]) + "e\(total)"
        }
        return self + "e\(shift)"
    }

    /// "1.50" → "1.5", "2.000e-04" → "2e-4", "1.500e+05" → "1.5e5".
    var trimmedNumber: String {
        var mantissa = self, exponent = ""
        if let e = firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = String(self[..<e])
            var x = String(self[index(after: e)...])
            var sign = ""
            if x.hasPrefix("+") { x.removeFirst() } else if x.hasPrefix("-") { x.removeFirst(); sign = "-" }
            while x.count > 1 && x.hasPrefix("0") { x.removeFirst() }
            exponent = "e" + sign + x
        }
        if mantissa.contains(".") {
            while mantissa.hasSuffix("0") { mantissa.removeLast() }
            if mantissa.hasSuffix(".") { mantissa.removeLast() }
        }
        return mantissa + exponent
    }
}
