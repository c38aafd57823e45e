import Testing
import RealModule
@testable import LimitLaws

/// The series' mass error estimate against the true error of the trapezoid rule on a periodic
/// analytic integrand with a closed-form integral: ∫_0^π dθ / (a − cos θ) = π / √(a² − 1).
@Suite struct SeriesMassErrorTests {
    static func trapezoid(_ a: Double, _ n: Int) -> Double {
        // The N + 1 points kπ/N, ends halved (the DCT-I's c_0 · π/2).
        var sum = 0.5 * (1 / (a - 1) + 1 / (a + 1))
        for k in 1..<n { sum += 1 / (a - Double.cos(Double(k) * Double.pi / Double(n))) }
        return sum * Double.pi / Double(n)
    }

    @Test(arguments: [1.001, 1.01, 1.03, 1.1])
    func estimateBoundsTheTrueErrorOnceConvergenceIsGeometric(a: Double) {
        let exact = Double.pi / (a * a - 1).squareRoot()
        var n = 16
        var previous = Self.trapezoid(a, 8)
        var previousChange: Double? = nil, earlierChange: Double? = nil
        var usedRatio = false
        while n <= 4096 {
            let m = Self.trapezoid(a, n)
            let change = abs(m - previous)
            let estimate = LawSolver.massError(change: change, previousChange: previousChange, earlierChange: earlierChange)
            let error = abs(m - exact)
            // Above the rounding of the sums (16 roundings of the largest term, 1/(a − 1), times π),
            // the estimate never understates the error.
            if error > 16 * Double.ulpOfOne * Double.pi / (a - 1) {
                #expect(estimate >= error, "a = \(a), N = \(n): estimate \(estimate) < error \(error)")
            }
            if estimate < change { usedRatio = true }
            earlierChange = previousChange
            previousChange = change
            previous = m
            n *= 2
        }
        #expect(usedRatio, "a = \(a): the geometric estimate was never used")
    }

    @Test func slowOrUnsteadyDecayKeepsThePlainChange() {
        // A change only halving (q = 1/2): no extrapolation.
        #expect(LawSolver.massError(change: 1e-6, previousChange: 2e-6, earlierChange: 4e-6) == 1e-6)
        // Missing or zero history.
        #expect(LawSolver.massError(change: 1e-6, previousChange: nil, earlierChange: nil) == 1e-6)
        #expect(LawSolver.massError(change: 1e-6, previousChange: 1e-3, earlierChange: nil) == 1e-6)
        #expect(LawSolver.massError(change: 1e-6, previousChange: 0, earlierChange: 1e-3) == 1e-6)
        // One small change after a slow stretch (errors oscillating in sign can make one change
        // small by accident): the ratio before it, 1/2, is not that of geometric convergence.
        #expect(LawSolver.massError(change: 1e-9, previousChange: 1e-5, earlierChange: 2e-5) == 1e-9)
        // At the thresholds: q = 1/100 after 1/10 is extrapolated, q just above 1/100 is not.
        #expect(LawSolver.massError(change: 1e-8, previousChange: 1e-6, earlierChange: 1e-5) < 1e-9)
        #expect(LawSolver.massError(change: 1.0001e-8, previousChange: 1e-6, earlierChange: 1e-5) == 1.0001e-8)
        // An algebraic decay N⁻⁷: err(N) = change · q / (1 − q) exactly.
        let err = { (n: Double) in Double.pow(n, -7) }
        let (c0, c1, c2) = (err(32) - err(64), err(64) - err(128), err(128) - err(256))
        let estimate = LawSolver.massError(change: c2, previousChange: c1, earlierChange: c0)
        #expect(abs(estimate - err(256)) <= 1e-12 * err(256))
    }
}
