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
                // Lattice points and midpoints over the whole lattice give exact matches and ties.
                let q = g.next() < 0.5 ? Double(Int(g.next() * 131)) / 16 - 4.0625 : 10 * g.next() - 5
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

    /// Points on one side whose distances round to the same double, and infinite x: the answer of a
    /// binary search of one sorted array (the nearer neighbour, the largest x for +∞, the smallest
    /// for −∞), whether the points are buffered or merged.
    @Test(arguments: [false, true])
    func roundingTiesAndInfinitiesAsOneSortedArray(merged: Bool) {
        var table = WarmStartTable()
        for x in [1.0, 2.0, -3.0] { table.insert(x, [ComplexDouble(x)]) }
        if merged { table = WarmStartTable(sortedX: table.sorted.x, sortedU: table.sorted.u) }
        #expect(table.nearest(to: 1e17)?.first?.real == 2)
        #expect(table.nearest(to: .infinity)?.first?.real == 2)
        #expect(table.nearest(to: -.infinity)?.first?.real == -3)
        #expect(table.nearest(to: -1e17)?.first?.real == -3)
    }
}
