import Testing
import RealModule
@testable import LimitLaws

/// The Chebyshev series of a support interval computes its coefficients four at a time and the
/// display grid's densities four points at a time. Oracles: the plain DCT-I sum and the plain
/// Clenshaw evaluation of one point, which must give the same bits (the DCT: the same values to
/// rounding, it folds the sum); and for the DCT, the closed form
/// of the coefficients of h(θ) = sin²θ (c_0 = 1, c_2 = −½, the rest 0: sin²θ = (1 − cos 2θ)/2).
@Suite struct SupportSeriesTests {
    /// c_m = (2/N)(½(h_0 + (−1)^m h_N) + Σ_{k=1}^{N−1} h_k cos(kmπ/N)), one m at a time, in k order.
    static func plainCoefficients(_ values: [Double]) -> [Double] {
        let n = values.count - 1
        let table = (0..<(2 * n)).map { Double.cos(Double($0) * Double.pi / Double(n)) }
        return (0...n).map { m in
            var s = 0.5 * (values[0] + (m % 2 == 0 ? values[n] : -values[n]))
            for k in 1..<n { s += values[k] * table[(k * m) % (2 * n)] }
            return 2 * s / Double(n)
        }
    }

    static func samples(_ n: Int, seed: UInt64) -> [Double] {
        var state = seed
        return (0...n).map { k in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let noise = Double(state >> 11) / Double(1 << 53)
            let t = Double(k) * Double.pi / Double(n)
            return Double.sin(t) * Double.sin(t) * (1 + 0.3 * Double.cos(3 * t)) + 1e-3 * noise
        }
    }

    /// The folded, recursive DCT against the plain sums: the same coefficients up to rounding
    /// (the sums' rounding errors, random-walk-like, grow as √N ulps of max|h| in both: 2·10⁻¹⁶·√N·max|h|).
    @Test(arguments: [1, 2, 3, 5, 16, 17, 18, 20, 24, 32, 48, 64, 96, 128, 255, 256, 512, 1024])
    func coefficientsAreThePlainSums(order: Int) {
        let values = Self.samples(order, seed: UInt64(order))
        let series = SupportSeries(interval: 0.5...3, values: values, stretch: 0)
        let plain = Self.plainCoefficients(values)
        let bound = 2e-16 * Double(order).squareRoot() * values.map(abs).max()!
        #expect(series.coefficients.count == plain.count)
        for (m, (c, p)) in zip(series.coefficients, plain).enumerated() {
            #expect(abs(c - p) <= bound, "N = \(order), c_\(m): \(c) vs \(p)")
        }
    }

    @Test func coefficientsOfSineSquared() {
        let n = 32
        let values = (0...n).map { k -> Double in let s = Double.sin(Double(k) * Double.pi / Double(n)); return s * s }
        let c = SupportSeries(interval: 0...1, values: values, stretch: 0).coefficients
        for (m, v) in c.enumerated() {
            #expect(abs(v - (m == 0 ? 1 : m == 2 ? -0.5 : 0)) < 1e-14, "c_\(m) = \(v)")
        }
    }

    @Test(arguments: [(16, 0.0), (128, 0), (512, 0), (16, 6), (128, 6), (512, 6)])
    func batchedDensitiesArePointDensities(order: Int, stretch: Double) {
        let series = SupportSeries(interval: 0.25...4.5, values: Self.samples(order, seed: 7), stretch: stretch)
        // Inside, at both ends, just outside, and counts that are not multiples of four.
        for count in [1, 3, 4, 7, 256, 401] {
            let xs = (0..<count).map { 0.2 + 4.4 * Double($0) / Double(max(1, count - 1)) }
            let batched = series.densities(at: xs[...])
            #expect(batched.map(\.bitPattern) == xs.map { series.density(at: $0).bitPattern }, "\(count) points")
        }
    }

    /// The display grid over two intervals (one series, one Simpson table) and a gap.
    @Test func gridDensitiesAreTheFitsOfTheContainingIntervals() {
        let support: [ClosedRange<Double>] = [0.5...1.5, 2...4]
        let series = SupportSeries(interval: support[1], values: Self.samples(64, seed: 3), stretch: 0)
        let table = SimpsonSamples(interval: support[0], theta: (0...8).map { Double($0) * Double.pi / 8 },
                                   h: (0...8).map { Double.sin(Double($0) * Double.pi / 8) })
        let fits: [LawSolver.IntervalFit] = [.samples(table), .series(series)]
        let xs = (0..<257).map { 4.5 * Double($0) / 256 }
        let expected = xs.map { x in support.firstIndex { $0.contains(x) }.map { fits[$0].density(at: x) } ?? 0 }
        #expect(LawSolver.gridDensities(xs, support: support, fits: fits).map(\.bitPattern) == expected.map(\.bitPattern))
    }
}

/// The stretched map x = a + (b − a)(e^{κu} − 1)/(e^κ − 1), u = (1 − cos θ)/2, on a density that
/// peaks next to its lower edge: Marcenko–Pastur with γ = 0.8, ρ(x) = √((b − x)(x − a))/(2πγx) on
/// [(1 − √γ)², (1 + √γ)²] = [0.0111, 3.589], mass 1. Oracles: the closed-form density, and its
/// integral by a fine trapezoid rule in the plain map's angle (independent of the stretch).
@Suite struct StretchedSeriesTests {
    static let gamma = 0.8
    static let a = (1 - gamma.squareRoot()) * (1 - gamma.squareRoot()), b = (1 + gamma.squareRoot()) * (1 + gamma.squareRoot())
    static func rho(_ x: Double) -> Double {
        x <= a || x >= b ? 0 : ((b - x) * (x - a)).squareRoot() / (2 * Double.pi * gamma * x)
    }
    /// The series of ρ with N + 1 nodes of the map with stretch κ.
    static func series(_ n: Int, stretch: Double) -> SupportSeries {
        let values = (0...n).map { k -> Double in
            let theta = Double(k) * Double.pi / Double(n)
            let m = SupportSeries.map((1 - Double.cos(theta)) / 2, stretch: stretch)
            return rho(a + (b - a) * m.g) * (b - a) / 2 * m.slope * Double.sin(theta)
        }
        return SupportSeries(interval: a...b, values: values, stretch: stretch)
    }
    /// ∫_a^x ρ by the trapezoid rule in t, x = a + (b − a)(1 − cos t)/2 (smooth, 0 at both ends).
    static func integral(upTo x: Double) -> Double {
        let top = Double.acos(1 - 2 * (x - a) / (b - a)), n = 200_000
        var sum = 0.0
        for k in 0...n {
            let t = top * Double(k) / Double(n)
            let f = rho(a + (b - a) * (1 - Double.cos(t)) / 2) * (b - a) / 2 * Double.sin(t)
            sum += (k == 0 || k == n ? 0.5 : 1) * f
        }
        return sum * top / Double(n)
    }

    @Test func theMapIsMonotoneFromEndToEnd() {
        for stretch in [-6.0, 0, 2, 6, 12] {
            #expect(SupportSeries.map(0, stretch: stretch).g == 0)
            #expect(abs(SupportSeries.map(1, stretch: stretch).g - 1) < 1e-15)
            var last = -1.0
            for k in 0...1000 {
                let m = SupportSeries.map(Double(k) / 1000, stretch: stretch)
                #expect(m.g > last && m.slope > 0)
                last = m.g
            }
        }
    }

    /// Next to either edge (10⁻⁶ to 10⁻¹⁶ of the width) the density stays within 10⁻⁶ of the
    /// closed form's peak (the display's accuracy). The floor there is the series' own rounding
    /// (about 10⁻¹⁵ of h) divided by dx/dθ = (b − a) g′(u) sin θ/2, which vanishes at the edges:
    /// 3·10⁻⁷ of the peak at 10⁻¹⁶ of the width for κ = 6, whose g′(0) = 0.015 slows the lower end.
    /// The inverse map adds nothing (cos θ comes from the smaller of u and 1 − u).
    @Test func theDensityNextToBothEdgesStaysWithinTheFloor() {
        let w = Self.b - Self.a
        let peak = (0...4000).map { Self.rho(Self.a + w * Double($0) / 4000) }.max()!
        for stretch in [0.0, 6] {
            let series = Self.series(stretch == 0 ? 512 : 256, stretch: stretch)
            for p in [1e-6, 1e-9, 1e-12, 1e-14, 1e-16] {
                for x in [Self.a + p * w, Self.b - p * w] {
                    #expect(abs(series.density(at: x) - Self.rho(x)) < 1e-6 * peak, "κ = \(stretch), x = a + \(x - Self.a)")
                }
            }
        }
    }

    @Test func aStretchedSeriesConvergesFasterAndGivesTheClosedForm() {
        let plain = Self.series(128, stretch: 0), stretched = Self.series(128, stretch: 6)
        #expect(stretched.tailRatio < plain.tailRatio / 100, "tails \(stretched.tailRatio) vs \(plain.tailRatio)")
        #expect(abs(stretched.mass - 1) < 1e-12, "mass \(stretched.mass)")
        let top = (Self.a...Self.b).lowerBound + 0.99 * (Self.b - Self.a)
        let peak = (0...2000).map { Self.rho(Self.a + (top - Self.a) * Double($0) / 2000) }.max()!
        for k in 0...400 {
            let x = Self.a + (Self.b - Self.a) * Double(k) / 400
            #expect(abs(stretched.density(at: x) - Self.rho(x)) <= 1e-10 * peak, "x = \(x)")
        }
        for x in [0.02, 0.05, 0.3, 1, 2.5, 3.5] {
            let exact = Self.integral(upTo: x)
            #expect(abs(stretched.integral(upTo: x) - exact) < 1e-10, "x = \(x): \(stretched.integral(upTo: x)) vs \(exact)")
        }
    }
}
