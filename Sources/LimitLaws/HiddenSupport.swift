import ComplexModule

/// The search for support components that the scan stepped over.
///
/// A component narrower than the scan spacing can fall between two scan points (a rank-deficient
/// layer's atom at 0 becomes, through a very wide layer, a bump of width ~4√γ·(1 − b²)). The
/// real-axis scan cannot see it, but the Stieltjes transform at a height ε above the axis sees
/// every mass within about ε: the smoothed mass w(x) = ε·Im m(x + iε) = ∫ ε²/((t − x)² + ε²) dμ(t)
/// is at least 0.8·M for a component of mass M within ε/2 of x. So each scan cell outside the
/// found support is probed at its midpoint with ε = its width; the found support's own share of
/// w is subtracted; a cell whose excess is a fair share of the missing mass is rescanned finely,
/// and its sub-cells are probed the same way, down to `depth` levels.
extension LawSolver {
    static let hiddenCellsPerLevel = 16
    static let hiddenSubdivisions = 16
    static let hiddenDepth = 6

    /// Support intervals outside `found` that carry the missing `deficit` (empty when none is found).
    mutating func hiddenSupport(found: [ClosedRange<Double>], quadrature: Quadrature, deficit: Double) -> [ClosedRange<Double>] {
        guard deficit > 0 else { return [] }
        let pieces = foundPieces(found, quadrature: quadrature)
        let grid = scanGrid
        var cells = [ClosedRange<Double>]()
        for i in 1..<grid.count where grid[i] > grid[i - 1] {
            // The cell minus the found support (a hidden component can sit right next to it).
            var lower = grid[i - 1]
            for interval in found where interval.upperBound > lower && interval.lowerBound < grid[i] {
                if interval.lowerBound > lower { cells.append(lower...interval.lowerBound) }
                lower = interval.upperBound
            }
            if grid[i] > lower { cells.append(lower...grid[i]) }
        }
        // The nearest end of the found support (or of the enclosure) below and above a point.
        let enclosure = bounds
        let limits = (lower: { (x: Double) in found.map(\.upperBound).filter { $0 <= x }.max() ?? enclosure.lowerBound },
                      upper: { (x: Double) in found.map(\.lowerBound).filter { $0 >= x }.min() ?? enclosure.upperBound })
        var result = [ClosedRange<Double>]()
        for _ in 0..<Self.hiddenDepth {
            // Several components can be missing at once (a wide layer over a discrete input law
            // makes one or two bumps per eigenvalue, each a small share of the deficit): a cell is
            // flagged for 0.2% of the deficit, the largest excesses first.
            let flagged = flag(cells, pieces: pieces, threshold: 0.002 * deficit)
            if flagged.isEmpty { break }
            var next = [ClosedRange<Double>]()
            for cell in flagged {
                let step = (cell.upperBound - cell.lowerBound) / Double(Self.hiddenSubdivisions)
                let xs = (0...Self.hiddenSubdivisions).map { cell.lowerBound + step * Double($0) }
                var inside = [Bool]()
                for (k, x) in xs.enumerated() {
                    if k == 0 || k == xs.count - 1 { inside.append(false); continue }
                    inside.append(solvePoint(x, verifyOutside: true)?.inside ?? false)
                }
                if inside.contains(true) {
                    // The cell's ends were taken for outside unsolved; where one is inside after
                    // all (`intervals` checks them), the component reaches past the cell: its edge
                    // is looked for beyond it, up to the found support or the enclosure.
                    for found in intervals(xs: xs, inside: inside) {
                        let lower = found.lowerBound == xs[0] ? edgeBeyond(found.lowerBound, towards: limits.lower(found.lowerBound), step: step) : found.lowerBound
                        let upper = found.upperBound == xs[xs.count - 1] ? edgeBeyond(found.upperBound, towards: limits.upper(found.upperBound), step: step) : found.upperBound
                        result.append(lower...upper)
                    }
                } else {
                    for k in 1..<xs.count { next.append(xs[k - 1]...xs[k]) }
                }
            }
            cells = next
        }
        return result
    }

    /// The edge of the support beyond `inside` (a point of the support at the end of a searched
    /// cell), towards `limit`: steps outwards, from `step` and doubling, to the first point found
    /// outside (confirmed by continuation), then bisects the edge; `limit` when every step up to it
    /// is inside.
    private mutating func edgeBeyond(_ inside: Double, towards limit: Double, step: Double) -> Double {
        let direction: Double = limit > inside ? 1 : -1
        var last = inside, distance = step
        while distance > 0 {
            let x = direction > 0 ? min(last + distance, limit) : max(last - distance, limit)
            if x == limit { return limit }
            if let r = solvePoint(x, verifyOutside: true), !r.inside { return bisectEdge(outside: x, inside: last) }
            last = x
            distance *= 2
        }
        return inside
    }

    /// The cells (at most `hiddenCellsPerLevel`, largest excess first) whose smoothed mass
    /// exceeds the found support's share by more than `threshold`.
    private mutating func flag(_ cells: [ClosedRange<Double>], pieces: [(x: Double, mass: Double)], threshold: Double) -> [ClosedRange<Double>] {
        var scored = [(cell: ClosedRange<Double>, excess: Double)]()
        for cell in cells {
            let epsilon = cell.upperBound - cell.lowerBound
            let x = 0.5 * (cell.lowerBound + cell.upperBound)
            guard epsilon > 1e-12 * scale, let s = solver.solveByContinuation(x: x, eta: epsilon, scale: scale) else { continue }
            stats.continuations += 1
            stats.iterations += s.iterations
            let m = continuousPart(s.stieltjes, at: x, height: epsilon)
            var known = 0.0
            for p in pieces { let d = p.x - x; known += p.mass * epsilon * epsilon / (d * d + epsilon * epsilon) }
            let excess = epsilon * m.imaginary - known
            if excess > threshold { scored.append((cell, excess)) }
        }
        return scored.sorted { $0.excess > $1.excess }.prefix(Self.hiddenCellsPerLevel).map(\.cell)
    }

    /// The found continuous mass as small pieces (midpoint, mass): 64 per interval.
    private func foundPieces(_ found: [ClosedRange<Double>], quadrature: Quadrature) -> [(x: Double, mass: Double)] {
        var pieces = [(x: Double, mass: Double)]()
        for (k, interval) in found.enumerated() {
            let count = 64
            let width = (interval.upperBound - interval.lowerBound) / Double(count)
            func cdf(_ x: Double) -> Double {
                if case .series(let piece) = quadrature.fits[k] { return piece.integral(upTo: x) }
                return piecewiseLinear(quadrature.cdfX, quadrature.cdfF, at: x)
            }
            var previous = cdf(interval.lowerBound)
            for j in 1...count {
                let right = interval.lowerBound + width * Double(j)
                let value = cdf(right)
                pieces.append((right - width / 2, max(0, value - previous)))
                previous = value
            }
        }
        return pieces
    }
}
