import Testing
import ComplexModule
import RealModule
@testable import LimitLaws

/// The SIMD base sums of a discrete input law against the plain complex sums, term by term with
/// swift-numerics' complex division: every count from 1 to 11 (whole blocks of four and each tail),
/// points spread over six decades, ζ near and far from the real axis.
@Suite struct DiscreteBaseSumsTests {
    @Test(arguments: 1...11)
    func simdSumsAgreeWithPlainComplexSums(count: Int) {
        var g = SplitMix(seed: UInt64(count))
        for trial in 0..<20 {
            let xs = (0..<count).map { _ in Double.pow(10, 6 * g.next() - 3) }
            let raw = (0..<count).map { _ in g.next() + 0.01 }
            let total = raw.reduce(0, +)
            let ws = raw.map { $0 / total }
            let z0 = Complex<Double>(4 * g.next() - 2, -Double.pow(10, -6 * g.next()))
            let v0 = Complex<Double>(2 * g.next() - 1, -g.next())
            var t = Complex<Double>.zero, t0 = t, a = t, b = t, c = t
            for (x, w) in zip(xs, ws) {
                let inv = Complex<Double>(1) / (z0 + v0 * Complex(x))
                t += inv * Complex(w); t0 += inv * Complex(w * x)
                a += inv * inv * Complex(w); b += inv * inv * Complex(w * x); c += inv * inv * Complex(w * x * x)
            }
            var values = xs, weights = ws
            let sums = values.withUnsafeMutableBufferPointer { vp in
                weights.withUnsafeMutableBufferPointer { wp in
                    DiscreteBaseSums(z0: z0, v0: v0, values: vp.baseAddress!, weights: wp.baseAddress!, count: count, derivatives: true)
                }
            }
            let plain = DiscreteBaseSums(z0: z0, v0: v0, values: &values, weights: &weights, count: count, derivatives: false)
            for (got, want) in [(sums.t, t), (sums.t0, t0), (sums.a, a), (sums.b, b), (sums.c, c), (plain.t, t), (plain.t0, t0)] {
                #expect((got - want).length <= 1e-12 * max(1, want.length), "count \(count) trial \(trial): \(got) vs \(want)")
            }
            #expect(plain.a == .zero && plain.b == .zero && plain.c == .zero)
        }
    }

    /// A reproducible uniform generator on [0, 1) for this test.
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
    }
}
