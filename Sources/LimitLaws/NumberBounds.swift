/// The range of one number a user gives, and how a refusal says so ("must be a number from 1e-4
/// to 1e4"): the same bound for a command-line option, a session file's key and the explorer's
/// `:` command that set the same value.
public struct NumberBound: Sendable, Equatable, CustomStringConvertible {
    public let range: ClosedRange<Double>
    /// Whole numbers only.
    public let integer: Bool

    public init(_ range: ClosedRange<Double>, integer: Bool = false) {
        self.range = range
        self.integer = integer
    }

    public init(_ range: ClosedRange<Int>) {
        self.init(Double(range.lowerBound)...Double(range.upperBound), integer: true)
    }

    /// What is allowed, as the end of a refusal: "must be a number from -1e30 to 1e30".
    public var allowed: String { "must be " + description }

    /// "a number from -1e30 to 1e30", "an integer from 1 to 64".
    public var description: String {
        integer ? "an integer from \(Int(range.lowerBound)) to \(Int(range.upperBound))"
                : "a number from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))"
    }

    /// The range of an integer bound.
    public var integers: ClosedRange<Int> { Int(range.lowerBound)...Int(range.upperBound) }

    /// Finite, within the range, and whole when `integer`.
    public func contains(_ v: Double) -> Bool {
        v.isFinite && range.contains(v) && (!integer || v == v.rounded())
    }

    /// `v` when it is allowed; else a refusal naming `field`, the value as the user wrote it
    /// (`text`, else `v`) and the range.
    @discardableResult
    public func check(_ v: Double, field: String, text: String? = nil) throws(ModelError) -> Double {
        guard contains(v) else { throw ModelError(field: field, value: text ?? Self.format(v), allowed: allowed) }
        return v
    }

    /// A number as people write it: 64, 0.5, 1e-4, 1e4, -1e30.
    public static func format(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e4 { return String(Int(v)) }
        let magnitude = abs(v), e = Int(magnitude.exponentOfTen)
        // a power of ten as 1eK (the count above may be one off by rounding)
        for k in [e, e - 1, e + 1] where Double("1e\(k)") == magnitude { return (v < 0 ? "-" : "") + "1e\(k)" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        return "\(v)"
    }
}

private extension Double {
    /// ⌊log10⌋ by counting, without Foundation.
    var exponentOfTen: Double {
        guard self > 0, isFinite else { return 0 }
        var e = 0.0, x = self
        while x >= 10 { x /= 10; e += 1 }
        while x < 1 { x *= 10; e -= 1 }
        return e
    }
}

/// The bounds of the model's and the view's numbers, one table for the command line, session files
/// and the explorer.
public enum NumberBounds {
    /// γ_ℓ = n/d_ℓ and γ₀ (`--gamma`, `--gammas`, `--gamma0`, `:gamma`, `:gammas`, `:gamma0`).
    public static let gamma = NumberBound(NetworkModel.gammaRange)
    /// Learning rates τ_ℓ (`--tau`).
    public static let tau = NumberBound(NetworkModel.tauRange)
    /// b_σ of the b-family (`--b-sigma`, `:b`).
    public static let bSigma = NumberBound(-1.0...1.0)
    /// The depth L (`--depth`, `:depth`, the keys d/D, a session's `depth`).
    public static let depth = NumberBound(1...NetworkModel.maxDepth)
    /// Outputs k (`--outputs`).
    public static let outputs = NumberBound(1...1_000_000)
    /// BLAS threads (`--threads` of `sample`, `train` and `quadratic sample`).
    public static let threads = NumberBound(1...1024)
    /// The ends of an x window (`--x-min`, `--x-max`, `:xlim`, a session's `x_limits`) and of a
    /// y window (`:ylim`, `y_limits`).
    public static let plotLimit = NumberBound(-1e30...1e30)

    /// A window [lo, hi] of plot limits: each within `plotLimit`, and lo < hi by more than 1e-12 of
    /// their size (a narrower window has no distinct doubles to plot). `fields` name the two ends.
    public static func window(_ lo: Double, _ hi: Double, fields: (String, String)) throws(ModelError) -> ClosedRange<Double> {
        try plotLimit.check(lo, field: fields.0)
        try plotLimit.check(hi, field: fields.1)
        guard hi - lo > 1e-12 * max(abs(lo), abs(hi)) else {
            throw ModelError(field: fields.0 == fields.1 ? fields.0 : "\(fields.0)/\(fields.1)", value: "\(format(lo))..\(format(hi))",
                             allowed: "the first must be below the second (by more than 1e-12 of their size)")
        }
        return lo...hi
    }

    static func format(_ v: Double) -> String { NumberBound.format(v) }
}
