import RealModule

/// The density of one support interval [a, b] as a Chebyshev (cosine) series.
///
/// With x = a + (b − a)(1 − cos θ)/2 the weighted density h(θ) = ρ(x(θ)) · (b − a)/2 · sin θ has
/// ∫_a^b ρ dx = ∫_0^π h dθ. At square-root edges ρ = √((x − a)(b − x)) φ(x) with φ analytic, so
/// h = ((b − a)/2)² sin²θ φ(x(θ)) is smooth, even and 2π-periodic: its cosine series converges
/// geometrically. The coefficients come from h at the N + 1 points θ_k = kπ/N (a DCT-I); the
/// interpolant then gives the density, the CDF and the moments anywhere on [a, b] without solving
/// again. Convergence is judged by the last quarter of the coefficients.
struct SupportSeries: Sendable, Hashable {
    let interval: ClosedRange<Double>
    /// c_0 … c_N with h(θ) = Σ'' c_m cos(mθ) (first and last terms halved).
    let coefficients: [Double]
    /// The continuous part's mass below the interval (set when the law is assembled).
    var start: Double = 0

    /// `values[k]` = h(kπ/N), k = 0…N.
    init(interval: ClosedRange<Double>, values: [Double]) {
        self.interval = interval
        let n = values.count - 1
        precondition(n >= 1)
        var cosTable = [Double](repeating: 0, count: 2 * n)
        for j in 0..<(2 * n) { cosTable[j] = Double.cos(Double(j) * Double.pi / Double(n)) }
        var c = [Double](repeating: 0, count: n + 1)
        for m in 0...n {
            var s = 0.5 * (values[0] + (m % 2 == 0 ? values[n] : -values[n]))
            var index = 0
            for k in 1..<n {
                index += m
                if index >= 2 * n { index -= 2 * n }
                s += values[k] * cosTable[index]
            }
            c[m] = 2 * s / Double(n)
        }
        coefficients = c
    }

    private init(interval: ClosedRange<Double>, coefficients: [Double], start: Double) {
        self.interval = interval
        self.coefficients = coefficients
        self.start = start
    }

    /// The same density moved by `offset` along x.
    func translated(by offset: Double) -> SupportSeries {
        SupportSeries(interval: (interval.lowerBound + offset)...(interval.upperBound + offset), coefficients: coefficients, start: start)
    }

    var order: Int { coefficients.count - 1 }

    /// Largest coefficient of the last quarter relative to the largest one (0 for h ≡ 0).
    var tailRatio: Double {
        let n = order
        let top = coefficients.reduce(0) { max($0, abs($1)) }
        guard top > 0 else { return 0 }
        let tail = coefficients[(3 * n / 4)...].reduce(0) { max($0, abs($1)) }
        return tail / top
    }

    /// ∫_a^b ρ dx.
    var mass: Double { Double.pi * coefficients[0] / 2 }

    private var half: Double { (interval.upperBound - interval.lowerBound) / 2 }

    /// (cos θ, sin θ) of x, with sin θ from the distances to both ends (accurate at the edges).
    private func angle(_ x: Double) -> (t: Double, s: Double) {
        let width = interval.upperBound - interval.lowerBound
        let p = min(1, max(0, (x - interval.lowerBound) / width))
        return (1 - 2 * p, 2 * (p * (1 - p)).squareRoot())
    }

    /// h at cos θ = t (Clenshaw).
    private func h(_ t: Double) -> Double {
        let n = order
        var b1 = 0.0, b2 = 0.0
        var m = n
        while m >= 1 {
            let c = m == n ? coefficients[m] / 2 : coefficients[m]
            let b0 = c + 2 * t * b1 - b2
            b2 = b1; b1 = b0
            m -= 1
        }
        return coefficients[0] / 2 + t * b1 - b2
    }

    /// Density ρ(x) (0 outside the interval; clamped at 0 where the interpolant dips below).
    func density(at x: Double) -> Double {
        guard interval.contains(x) else { return 0 }
        let (t, s) = angle(x)
        guard s > 1e-14 else { return 0 }
        return max(0, h(t) / (half * s))
    }

    /// ∫_a^x ρ (0 below the interval, the mass above it).
    func integral(upTo x: Double) -> Double {
        if x <= interval.lowerBound { return 0 }
        if x >= interval.upperBound { return mass }
        let (t, s) = angle(x)
        let theta = Double.acos(t)
        // Σ_{m≥1} d_m sin(mθ) with d_m = c_m/m (c_N halved), by Clenshaw: b_1 sin θ.
        let n = order
        var b1 = 0.0, b2 = 0.0
        var m = n
        while m >= 1 {
            let c = m == n ? coefficients[m] / 2 : coefficients[m]
            let b0 = c / Double(m) + 2 * t * b1 - b2
            b2 = b1; b1 = b0
            m -= 1
        }
        return min(mass, max(0, coefficients[0] / 2 * theta + b1 * s))
    }
}
