import LimitLaws

/// ν, the law of the iid output-layer entries D_j (D = diag(D_1 … D_p)).
public enum OutputWeightLaw: Sendable, Hashable, CustomStringConvertible {
    /// D = ±1 with probability 1/2 each.
    case rademacher
    /// D = a with probability p, b with probability 1 − p.
    case twoPoint(a: Double, b: Double, p: Double)
    /// D uniform on [a, b].
    case uniform(a: Double, b: Double)
    /// Equal-weight atoms (e.g. read from a file); `label` names the source in outputs.
    case discrete(values: [Double], label: String)

    /// Largest |D| accepted (the law is bounded; values are bounded before they reach arithmetic).
    public static let maxMagnitude = 1e3

    /// The syntax of `parse`, for messages.
    public static let syntax = "rademacher, two-point:A,B,P (D = A with probability P, else B), uniform:A,B (A < B) or file:PATH"

    /// Parses `rademacher`, `two-point:a,b,p`, `uniform:a,b`; `file:PATH` is returned as
    /// `.file(PATH)` for the caller to read (this module does no I/O) and pass to `fromValues`.
    public static func parse(_ spec: String) throws(ModelError) -> OutputWeightSpec {
        let s = spec.trimmingWhitespace
        let lower = s.lowercased()
        func numbers(_ body: Substring, count: Int) throws(ModelError) -> [Double] {
            let parts = body.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace }
            guard parts.count == count else {
                throw ModelError(field: "output-law", value: spec, allowed: "\(count) comma-separated numbers after ':'; \(syntax)")
            }
            var out = [Double]()
            for p in parts {
                guard let v = Double(p), v.isFinite else {
                    throw ModelError(field: "output-law", value: spec, allowed: "'\(p)' is not a finite number; \(syntax)")
                }
                out.append(v)
            }
            return out
        }
        func bounded(_ v: [Double]) throws(ModelError) {
            if let bad = v.first(where: { abs($0) > maxMagnitude }) {
                throw ModelError(field: "output-law", value: spec, allowed: "|D| must be at most \(Int(maxMagnitude)) (got \(bad))")
            }
        }
        if lower == "rademacher" || lower == "pm1" || lower == "±1" { return .law(.rademacher) }
        if lower.hasPrefix("two-point:") {
            let v = try numbers(s.dropFirst("two-point:".count), count: 3)
            try bounded(Array(v.prefix(2)))
            guard v[2] >= 0, v[2] <= 1 else {
                throw ModelError(field: "output-law", value: spec, allowed: "the probability P of two-point:A,B,P must be in [0, 1]")
            }
            guard v[0] != 0 || v[1] != 0, !(v[0] == 0 && v[2] == 1), !(v[1] == 0 && v[2] == 0) else {
                throw ModelError(field: "output-law", value: spec, allowed: "D must not be 0 with probability 1")
            }
            return .law(.twoPoint(a: v[0], b: v[1], p: v[2]))
        }
        if lower.hasPrefix("uniform:") {
            let v = try numbers(s.dropFirst("uniform:".count), count: 2)
            try bounded(v)
            guard v[0] < v[1] else {
                throw ModelError(field: "output-law", value: spec, allowed: "uniform:A,B needs A < B")
            }
            return .law(.uniform(a: v[0], b: v[1]))
        }
        if lower.hasPrefix("file:") {
            let path = String(s.dropFirst("file:".count))
            guard !path.isEmpty else { throw ModelError(field: "output-law", value: spec, allowed: "file:PATH needs a path") }
            return .file(path)
        }
        throw ModelError(field: "output-law", value: spec, allowed: syntax)
    }

    /// The law of the values in a file's text: numbers separated by white space, commas or new
    /// lines; `#` starts a comment. Errors name the line.
    public static func fromText(_ text: String, label: String) throws(ModelError) -> OutputWeightLaw {
        var values = [Double]()
        for (i, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            for token in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == "\r" }) {
                guard let v = Double(token), v.isFinite else {
                    throw ModelError(field: "output-law", value: "\(label):\(i + 1)", allowed: "'\(token)' is not a finite number")
                }
                guard abs(v) <= maxMagnitude else {
                    throw ModelError(field: "output-law", value: "\(label):\(i + 1)", allowed: "|D| must be at most \(Int(maxMagnitude)) (got \(v))")
                }
                values.append(v)
            }
        }
        guard !values.isEmpty else { throw ModelError(field: "output-law", value: label, allowed: "the file holds no numbers") }
        guard values.contains(where: { $0 != 0 }) else {
            throw ModelError(field: "output-law", value: label, allowed: "the values must not all be 0")
        }
        guard values.count <= 1_000_000 else {
            throw ModelError(field: "output-law", value: label, allowed: "at most 1000000 values")
        }
        return .discrete(values: values, label: label)
    }

    public var description: String {
        switch self {
        case .rademacher: return "rademacher"
        case .twoPoint(let a, let b, let p): return "two-point:\(fmt(a)),\(fmt(b)),\(fmt(p))"
        case .uniform(let a, let b): return "uniform:\(fmt(a)),\(fmt(b))"
        case .discrete(_, let label): return "file:\(label)"
        }
    }

    /// Atoms of D² (value, mass), merged and sorted; nil for the uniform law (no atoms).
    public var squareAtoms: [(value: Double, mass: Double)]? {
        var pairs: [(Double, Double)]
        switch self {
        case .rademacher: pairs = [(1, 1)]
        case .twoPoint(let a, let b, let p): pairs = [(a * a, p), (b * b, 1 - p)]
        case .uniform: return nil
        case .discrete(let v, _):
            let w = 1 / Double(v.count)
            pairs = v.map { ($0 * $0, w) }
        }
        var merged: [Double: Double] = [:]
        for (x, m) in pairs where m > 0 { merged[x, default: 0] += m }
        return merged.keys.sorted().map { ($0, merged[$0]!) }
    }

    /// E D^{2k} for k = 1, 2 (exact).
    public func evenMoment(_ k: Int) -> Double {
        switch self {
        case .uniform(let a, let b):
            // E D^{2k} = (b^{2k+1} − a^{2k+1}) / ((2k + 1)(b − a))
            let e = 2 * k + 1
            return (ipow(b, e) - ipow(a, e)) / (Double(e) * (b - a))
        default:
            return squareAtoms!.reduce(0) { $0 + $1.mass * ipow($1.value, k) }
        }
    }

    /// The common value δ² when |D| = δ > 0 almost surely (then H has a closed form), else nil.
    public var constantSquare: Double? {
        guard let atoms = squareAtoms, atoms.count == 1, atoms[0].value > 0 else { return nil }
        return atoms[0].value
    }

    /// Mass of ν at D = 0.
    public var zeroMass: Double {
        squareAtoms?.first(where: { $0.value == 0 })?.mass ?? 0
    }

    /// Draws D from ν given a uniform u ∈ [0, 1) (inverse CDF; file values by index).
    public func sample(_ u: Double) -> Double {
        switch self {
        case .rademacher: return u < 0.5 ? 1 : -1
        case .twoPoint(let a, let b, let p): return u < p ? a : b
        case .uniform(let a, let b): return a + (b - a) * u
        case .discrete(let v, _): return v[min(v.count - 1, Int(u * Double(v.count)))]
        }
    }
}

/// A parsed `--output-law`: a law, or a file still to be read.
public enum OutputWeightSpec: Sendable, Hashable {
    case law(OutputWeightLaw)
    case file(String)
}

/// x^n for a small integer n ≥ 0 (any sign of x).
func ipow(_ x: Double, _ n: Int) -> Double {
    var r = 1.0
    for _ in 0..<n { r *= x }
    return r
}

func fmt(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
    return "\(x)"
}

extension StringProtocol {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
