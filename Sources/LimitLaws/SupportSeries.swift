import RealModule

/// The density of one support interval [a, b] as a Chebyshev (cosine) series.
///
/// With x = a + (b − a)(1 − cos θ)/2 the weighted density h(θ) = ρ(x(θ)) · (b − a)/2 · sin θ has
/// ∫_a^b ρ dx = ∫_0^π h dθ. At square-root edges ρ = √((x − a)(b − x)) φ(x) with φ analytic, so
/// h = ((b − a)/2)² sin²θ φ(x(θ)) is smooth, even and 2π-periodic: its cosine series converges
/// geometrically. The coefficients come from h at the N + 1 points θ_k = kπ/N (a DCT-I); the
/// interpolant then gives the density, the CDF and the moments anywhere on [a, b] without solving
/// again. Convergence is judged by the last quarter of the coefficients.
///
/// A stretched map keeps all of this: with u = (1 − cos θ)/2 and x = a + (b − a) g(u),
/// g(u) = (e^{κu} − 1)/(e^κ − 1) (κ = `stretch`; g(u) = u for κ = 0), h(θ) = ρ(x) (b − a) g′(u) sin θ/2
/// is still smooth, even and 2π-periodic (g is entire with g′ > 0, so the square-root edges stay
/// square-root edges in θ), ∫_a^b ρ dx = ∫_0^π h dθ still holds, and κ > 0 puts more nodes near the
/// lower edge: a CK layer of a deep network, whose density peaks next to its lower edge, converges
/// at N = 64 with κ = 6 where κ = 0 needs 512 (docs/math.md).
struct SupportSeries: Sendable, Hashable {
    let interval: ClosedRange<Double>
    /// κ of the map x(θ) (0: the plain Chebyshev map).
    let stretch: Double
    /// c_0 … c_N with h(θ) = Σ'' c_m cos(mθ) (first and last terms halved).
    let coefficients: [Double]
    /// The continuous part's mass below the interval (set when the law is assembled).
    var start: Double = 0

    /// `values[k]` = h(kπ/N), k = 0…N, for the map with stretch κ = `stretch`.
    init(interval: ClosedRange<Double>, values: [Double], stretch: Double) {
        self.interval = interval
        self.stretch = stretch
        let n = values.count - 1
        precondition(n >= 1)
        var cosTable = [Double](repeating: 0, count: 2 * n)
        for j in 0..<(2 * n) { cosTable[j] = Double.cos(Double(j) * Double.pi / Double(n)) }
        let sums = values.withUnsafeBufferPointer { h in
            cosTable.withUnsafeBufferPointer { Self.cosineSums(h, cosine: $0, stride: 1) }
        }
        coefficients = sums.map { 2 * $0 / Double(n) }
    }

    /// The DCT-I without its factor 2/N: S_m = ½(h_0 + (−1)^m h_N) + Σ_{k=1}^{N−1} h_k cos(kmπ/N),
    /// m = 0…N, for the N + 1 values h; `cosine[j · stride]` = cos(jπ/N). For even N the pairs
    /// k, N − k fold (cos((N − k)mπ/N) = (−1)^m cos(kmπ/N)): the even m are the DCT-I of size N/2 of
    /// h_k + h_{N−k} (middle value 2h_{N/2}), by recursion, and the odd m are N/2 sums of
    /// h_k − h_{N−k}; about N²/3 products in all instead of N². Odd or small N: the sums directly.
    static func cosineSums(_ h: UnsafeBufferPointer<Double>, cosine: UnsafeBufferPointer<Double>, stride: Int) -> [Double] {
        let n = h.count - 1
        let period = cosine.count   // 2N₀: table indices are reduced modulo it
        var s = [Double](repeating: 0, count: n + 1)
        guard n % 2 == 0, n >= 16 else {
            for m in 0...n {
                var sum = 0.5 * (h[0] + (m % 2 == 0 ? h[n] : -h[n]))
                var index = 0
                let step = m * stride
                for k in 1..<max(1, n) {
                    index += step
                    if index >= period { index -= period }
                    sum += h[k] * cosine[index]
                }
                s[m] = sum
            }
            return s
        }
        let half = n / 2
        var even = [Double](repeating: 0, count: half + 1), odd = [Double](repeating: 0, count: half)
        even[0] = h[0] + h[n]; odd[0] = h[0] - h[n]
        for k in 1..<half { even[k] = h[k] + h[n - k]; odd[k] = h[k] - h[n - k] }
        even[half] = 2 * h[half]
        let evenSums = even.withUnsafeBufferPointer { cosineSums($0, cosine: cosine, stride: 2 * stride) }
        for p in 0...half { s[2 * p] = evenSums[p] }
        // S_{2p+1} = ½ d_0 + Σ_{k=1}^{N/2−1} d_k cos(k(2p+1)π/N), four p at a time.
        odd.withUnsafeBufferPointer { d in
            var p = 0
            while p < half {
                let lanes = min(4, half - p)
                var sums = SIMD4<Double>(repeating: 0.5 * d[0])
                var index = SIMD4<Int>(repeating: 0)
                var step = SIMD4<Int>(repeating: 0)
                for l in 0..<4 { step[l] = (2 * (p + min(l, lanes - 1)) + 1) * stride }
                for k in 1..<half {
                    index &+= step
                    index.replace(with: index &- period, where: index .>= period)
                    sums += d[k] * SIMD4(cosine[index[0]], cosine[index[1]], cosine[index[2]], cosine[index[3]])
                }
                for l in 0..<lanes { s[2 * (p + l) + 1] = sums[l] }
                p += lanes
            }
        }
        return s
    }

    private init(interval: ClosedRange<Double>, coefficients: [Double], stretch: Double, start: Double) {
        self.interval = interval
        self.coefficients = coefficients
        self.stretch = stretch
        self.start = start
    }

    /// The same density moved by `offset` along x.
    func translated(by offset: Double) -> SupportSeries {
        SupportSeries(interval: (interval.lowerBound + offset)...(interval.upperBound + offset), coefficients: coefficients,
                      stretch: stretch, start: start)
    }

    /// g(u) and g′(u) of the map with stretch κ (u ∈ [0, 1]).
    static func map(_ u: Double, stretch k: Double) -> (g: Double, slope: Double) {
        guard k != 0 else { return (u, 1) }
        let d = Double.expMinusOne(k)
        return (Double.expMinusOne(k * u) / d, k * Double.exp(k * u) / d)
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

    /// (cos θ, sin θ) of x and g′(u) there, with sin θ from the distances to both ends (accurate at
    /// the edges): u = log(1 + p(e^κ − 1))/κ and 1 − u = −log(1 + q(e^{−κ} − 1))/κ for the
    /// fractions p, q of the interval below and above x.
    private func angle(_ x: Double) -> (t: Double, s: Double, slope: Double) {
        let width = interval.upperBound - interval.lowerBound
        let p = min(1, max(0, (x - interval.lowerBound) / width))
        guard stretch != 0 else { return (1 - 2 * p, 2 * (p * (1 - p)).squareRoot(), 1) }
        let q = min(1, max(0, (interval.upperBound - x) / width))
        let u = Double.log(onePlus: p * Double.expMinusOne(stretch)) / stretch
        let v = -Double.log(onePlus: q * Double.expMinusOne(-stretch)) / stretch
        // cos θ = 1 − 2u from the smaller of u and 1 − u: accurate at both edges.
        return (u <= 0.5 ? 1 - 2 * u : 2 * v - 1, 2 * max(0, u * v).squareRoot(), Self.map(u, stretch: stretch).slope)
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
        let (t, s, slope) = angle(x)
        guard s > 1e-14 else { return 0 }
        return max(0, h(t) / (half * s * slope))
    }

    /// `density(at:)` at every x of `xs` (each inside the interval), four at a time so that their
    /// Clenshaw recurrences overlap: the same operations per x, so the same values.
    func densities(at xs: ArraySlice<Double>) -> [Double] {
        let n = order
        var out = [Double](repeating: 0, count: xs.count)
        let xs = Array(xs)
        coefficients.withUnsafeBufferPointer { c in
            var i = 0
            while i + 4 <= xs.count {
                let a0 = angle(xs[i]), a1 = angle(xs[i + 1]), a2 = angle(xs[i + 2]), a3 = angle(xs[i + 3])
                let t0 = a0.t, t1 = a1.t, t2 = a2.t, t3 = a3.t
                var p0 = 0.0, q0 = 0.0, p1 = 0.0, q1 = 0.0, p2 = 0.0, q2 = 0.0, p3 = 0.0, q3 = 0.0
                var m = n
                while m >= 1 {
                    let cm = m == n ? c[m] / 2 : c[m]
                    let r0 = cm + 2 * t0 * p0 - q0, r1 = cm + 2 * t1 * p1 - q1
                    let r2 = cm + 2 * t2 * p2 - q2, r3 = cm + 2 * t3 * p3 - q3
                    q0 = p0; p0 = r0; q1 = p1; p1 = r1; q2 = p2; p2 = r2; q3 = p3; p3 = r3
                    m -= 1
                }
                let h = [c[0] / 2 + t0 * p0 - q0, c[0] / 2 + t1 * p1 - q1, c[0] / 2 + t2 * p2 - q2, c[0] / 2 + t3 * p3 - q3]
                for (j, a) in [a0, a1, a2, a3].enumerated() where a.s > 1e-14 && interval.contains(xs[i + j]) {
                    out[i + j] = max(0, h[j] / (half * a.s * a.slope))
                }
                i += 4
            }
            while i < xs.count { out[i] = density(at: xs[i]); i += 1 }
        }
        return out
    }

    /// ∫_a^x ρ (0 below the interval, the mass above it).
    func integral(upTo x: Double) -> Double {
        if x <= interval.lowerBound { return 0 }
        if x >= interval.upperBound { return mass }
        let (t, s, _) = angle(x)
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

/// The plain cosine map of an interval [a, b], x = a + (b − a)(1 − cos θ)/2, θ ∈ [0, π], in the
/// forms that keep the distance to the nearer edge exact: x = a + (b − a) sin²(θ/2) in the lower
/// half and b − (b − a) cos²(θ/2) in the upper one (1 − cos θ is 0 in a Double for θ < 10⁻⁸, so the
/// plain form puts every point closer to an edge than ~10⁻¹⁶ of the width on the edge itself).
enum CosineMap {
    static func x(atTheta t: Double, in interval: ClosedRange<Double>) -> Double {
        let a = interval.lowerBound, b = interval.upperBound
        if t <= 0 { return a }
        if t >= Double.pi { return b }
        if t <= Double.pi / 2 { let s = Double.sin(t / 2); return min(b, a + (b - a) * s * s) }
        let c = Double.cos(t / 2)
        return max(a, b - (b - a) * c * c)
    }

    static func theta(of x: Double, in interval: ClosedRange<Double>) -> Double {
        let a = interval.lowerBound, b = interval.upperBound
        guard b > a else { return 0 }
        if x <= a { return 0 }
        if x >= b { return Double.pi }
        let lower = x - a, upper = b - x
        if lower <= upper { return 2 * Double.asin(min(1, (lower / (b - a)).squareRoot())) }
        return Double.pi - 2 * Double.asin(min(1, (upper / (b - a)).squareRoot()))
    }
}

extension LawSolver {
    /// The display grid's density: at each x the fit of the first support interval containing it, 0
    /// outside the support, as `xs.map { x in support.firstIndex { $0.contains(x) }.map { fits[$0].density(at: x) } ?? 0 }`
    /// but a run of points in one series-fitted interval evaluated together (`SupportSeries.densities`).
    static func gridDensities(_ xs: [Double], support: [ClosedRange<Double>], fits: [IntervalFit]) -> [Double] {
        var dens = [Double](repeating: 0, count: xs.count)
        var i = 0
        while i < xs.count {
            guard let k = support.firstIndex(where: { $0.contains(xs[i]) }) else { i += 1; continue }
            var j = i + 1
            while j < xs.count && support.firstIndex(where: { $0.contains(xs[j]) }) == k { j += 1 }
            switch fits[k] {
            case .series(let piece): dens.replaceSubrange(i..<j, with: piece.densities(at: xs[i..<j]))
            case .samples(let table): for m in i..<j { dens[m] = table.density(at: xs[m]) }
            }
            i = j
        }
        return dens
    }
}
