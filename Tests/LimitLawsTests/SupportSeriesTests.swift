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
        let series = SupportSeries(interval: 0.5...3, values: values)
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
        let c = SupportSeries(interval: 0...1, values: values).coefficients
        for (m, v) in c.enumerated() {
            #expect(abs(v - (m == 0 ? 1 : m == 2 ? -0.5 : 0)) < 1e-14, "c_\(m) = \(v)")
        }
    }

    @Test(arguments: [16, 128, 512])
    func batchedDensitiesArePointDensities(order: Int) {
        let series = SupportSeries(interval: 0.25...4.5, values: Self.samples(order, seed: 7))
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
        let series = SupportSeries(interval: support[1], values: Self.samples(64, seed: 3))
        let table = SimpsonSamples(interval: support[0], theta: (0...8).map { Double($0) * Double.pi / 8 },
                                   h: (0...8).map { Double.sin(Double($0) * Double.pi / 8) })
        let fits: [LawSolver.IntervalFit] = [.samples(table), .series(series)]
        let xs = (0..<257).map { 4.5 * Double($0) / 256 }
        let expected = xs.map { x in support.firstIndex { $0.contains(x) }.map { fits[$0].density(at: x) } ?? 0 }
        #expect(LawSolver.gridDensities(xs, support: support, fits: fits).map(\.bitPattern) == expected.map(\.bitPattern))
    }
}
