import Testing
import ComplexModule
@testable import LimitLaws

/// The buffered warm-start table against a plain list searched exhaustively: the nearest recorded
/// x (ties to the lower x), replacements at a repeated x, and the sorted export.
@Suite struct WarmStartTableTests {
    /// The oracle: every recorded (x, tag), nearest by (distance, x).
    static func bruteNearest(_ points: [Double: Double], _ x: Double) -> Double? {
        points.min { a, b in
            let da = abs(a.key - x), db = abs(b.key - x)
            return da != db ? da < db : a.key < b.key
        }?.value
    }

    @Test(arguments: [1, 7, 31, 32, 33, 200, 1000])
    func nearestMatchesExhaustiveSearch(count: Int) {
        var g = DiscreteBaseSumsTests.SplitMix(seed: UInt64(count))
        var table = WarmStartTable()
        var oracle = [Double: Double]()
        for i in 0..<count {
            // A lattice of 64 values, so that repeats (replacements) and exact ties both occur.
            let x = Double(Int(g.next() * 64)) / 8 - 4
            let tag = Double(i)
            table.insert(x, [ComplexDouble(tag)])
            oracle[x] = tag
            for _ in 0..<3 {
                // Lattice midpoints give ties; other points do not.
                let q = g.next() < 0.5 ? Double(Int(g.next() * 70)) / 16 - 4.5 : 10 * g.next() - 5
                #expect(table.nearest(to: q)?.first?.real == Self.bruteNearest(oracle, q), "after \(i + 1) inserts, at \(q)")
            }
        }
        let sorted = table.sorted
        #expect(sorted.x == oracle.keys.sorted())
        #expect(sorted.u.map { $0[0].real } == oracle.keys.sorted().map { oracle[$0]! })
        // Rebuilt from its sorted export, it answers the same.
        let rebuilt = WarmStartTable(sortedX: sorted.x, sortedU: sorted.u)
        for k in 0..<50 {
            let q = Double(k) / 5 - 5
            #expect(rebuilt.nearest(to: q)?.first?.real == Self.bruteNearest(oracle, q))
        }
    }

    @Test func emptyTableHasNoNearest() {
        #expect(WarmStartTable().nearest(to: 1) == nil)
        #expect(WarmStartTable().isEmpty)
    }
}

/// The series' mass error estimate against the true error of the trapezoid rule on a periodic
/// analytic integrand with a closed-form integral: ∫_0^π dθ / (a − cos θ) = π / √(a² − 1).
@Suite struct SeriesMassErrorTests {
    static func trapezoid(_ a: Double, _ n: Int) -> Double {
        // The N + 1 points kπ/N, ends halved (the DCT-I's c_0 · π/2).
        var sum = 0.5 * (1 / (a - 1) + 1 / (a + 1))
        for k in 1..<n { sum += 1 / (a - Double.cos(Double(k) * Double.pi / Double(n))) }
        return sum * Double.pi / Double(n)
    }

    @Test(arguments: [1.001, 1.01, 1.1, 2.0])
    func estimateBoundsTheTrueErrorOnceConvergenceIsGeometric(a: Double) {
        let exact = Double.pi / (a * a - 1).squareRoot()
        var n = 16
        var previous = Self.trapezoid(a, 8)
        var previousChange: Double? = nil
        var usedRatio = false
        while n <= 4096 {
            let m = Self.trapezoid(a, n)
            let change = abs(m - previous)
            let estimate = LawSolver.massError(change: change, previousChange: previousChange)
            let error = abs(m - exact)
            // Above the rounding of the sums (16 roundings of the largest term, 1/(a − 1), times π),
            // the estimate never understates the error.
            if error > 16 * Double.ulpOfOne * Double.pi / (a - 1) {
                #expect(estimate >= error, "a = \(a), N = \(n): estimate \(estimate) < error \(error)")
            }
            if let p = previousChange, p > 0, change / p <= 0.01 { usedRatio = true }
            previousChange = change
            previous = m
            n *= 2
        }
        #expect(usedRatio, "a = \(a): the geometric estimate was never used")
    }

    @Test func slowDecayKeepsThePlainChange() {
        // A change only halving (q = 1/2): no extrapolation.
        #expect(LawSolver.massError(change: 1e-6, previousChange: 2e-6) == 1e-6)
        #expect(LawSolver.massError(change: 1e-6, previousChange: nil) == 1e-6)
        #expect(LawSolver.massError(change: 1e-6, previousChange: 0) == 1e-6)
        // An algebraic decay N⁻⁷: err(N) = change · q / (1 − q) exactly.
        let err = { (n: Double) in Double.pow(n, -7) }
        let (c1, c2) = (err(64) - err(128), err(128) - err(256))
        let estimate = LawSolver.massError(change: c2, previousChange: c1)
        #expect(abs(estimate - err(256)) <= 1e-12 * err(256))
    }
}
