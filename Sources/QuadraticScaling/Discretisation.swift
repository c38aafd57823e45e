import LimitLaws

/// H replaced by equal-weight atoms for the Marcenko–Pastur solve, with a proven bound on what
/// that moves.
///
/// The continuous part's cells [e_i, e_{i+1}] (and H's exact atoms) are ordered pieces; the
/// cumulative masses are rounded to multiples of 1/K (K micro-atoms) and each piece's micro-atoms
/// sit at its midpoint (an atom of H at its exact location). The quantile coupling then moves every
/// point of H by at most `wInfinity` (computed piece by piece from where the true quantiles of
/// each micro-atom's level range can lie), so W∞(H, H_K) ≤ `wInfinity`.
public struct DiscretisedPopulation: Sendable {
    /// K values, each of mass 1/K, sorted (a weighted atom is a repeated value).
    public let values: [Double]
    /// Distinct values (the cost of one Stieltjes evaluation).
    public let distinct: Int
    /// Proven bound on the Wasserstein-∞ distance between H and the discretised law.
    public let wInfinity: Double
    /// Exact moments of the discretised law.
    public let mean: Double
    public let secondMoment: Double
    /// Atoms plus continuous mass of H before rounding (1 up to quadrature error).
    public let totalMass: Double
    /// Per represented piece: the largest distance its mass moves, and its mass (for bounds that
    /// let a small mass move far: `tradeOff`).
    public let displacements: [(distance: Double, mass: Double)]
    /// Level measure whose quantile may lie in a neighbouring piece because the CDF table is only
    /// accurate to ~1e−10: 2·1e−10 per piece, counted as mass that may move anywhere.
    public let tableAllowance: Double

    /// min over the thresholds δ of cost(δ) + η(δ)·massCost, η(δ) the mass that moves farther than
    /// δ (plus the table's rounding allowance). Candidates: the 32 largest distinct displacements
    /// and a geometric sweep below them. Returns (value, δ, η).
    public func tradeOff(massCost: Double, cost: (Double) -> Double) -> (value: Double, distance: Double, mass: Double) {
        let sorted = displacements.sorted { $0.distance > $1.distance }
        var candidates = Set<Double>([wInfinity, 0])
        for d in sorted.prefix(32) { candidates.insert(d.distance) }
        var e = wInfinity
        while e > 1e-9 * max(wInfinity, 1e-300) && candidates.count < 96 { e *= 0.7; candidates.insert(e) }
        var best = (value: Double.infinity, distance: wInfinity, mass: 0.0)
        for delta in candidates {
            let moved = sorted.reduce(0) { $1.distance > delta ? $0 + $1.mass : $0 } + tableAllowance
            let value = cost(delta) + moved * massCost
            if value < best.value { best = (value, delta, moved) }
        }
        return best
    }
}

extension PopulationLaw {
    public func discretised(microAtoms K: Int = 1 << 16) -> DiscretisedPopulation {
        struct Piece { var left: Double; var right: Double; var rep: Double; var mass: Double }
        var pieces = [Piece]()
        let sortedAtoms = atoms.sorted { $0.location < $1.location }
        var nextAtom = 0
        func emitAtoms(upTo x: Double) {
            while nextAtom < sortedAtoms.count && sortedAtoms[nextAtom].location <= x {
                let a = sortedAtoms[nextAtom]
                pieces.append(Piece(left: a.location, right: a.location, rep: a.location, mass: a.mass))
                nextAtom += 1
            }
        }
        if edges.count >= 2 {
            for i in 0..<(edges.count - 1) {
                emitAtoms(upTo: edges[i])
                let m = continuousCDF[i + 1] - continuousCDF[i]
                if m > 0 {
                    pieces.append(Piece(left: edges[i], right: edges[i + 1], rep: 0.5 * (edges[i] + edges[i + 1]), mass: m))
                }
            }
        }
        emitAtoms(upTo: .infinity)
        let total = pieces.reduce(0) { $0 + $1.mass }
        var cumulative = [Double](repeating: 0, count: pieces.count)
        var running = 0.0
        for (k, p) in pieces.enumerated() { running += p.mass; cumulative[k] = running / total }
        let k = Double(K)
        var rounded = cumulative.map { Int(($0 * k).rounded()) }
        if !rounded.isEmpty { rounded[rounded.count - 1] = K }
        var values = [Double]()
        values.reserveCapacity(K)
        var displacements = [(distance: Double, mass: Double)]()
        var bound = extraDisplacement
        var previous = 0
        var lo = 0, hi = 0
        for (j, p) in pieces.enumerated() {
            let count = rounded[j] - previous
            defer { previous = rounded[j] }
            guard count > 0 else { continue }
            values.append(contentsOf: repeatElement(p.rep, count: count))
            // Levels (previous/K, rounded[j]/K]: their true quantiles lie between the left end of the
            // piece holding level previous/K⁺ and the right end of the piece holding rounded[j]/K.
            // Cumulative masses within 1e−12 of a level count as equal (their rounding, like the
            // table's error, is part of `tableAllowance`).
            let uLow = Double(previous) / k, uHigh = Double(rounded[j]) / k
            while lo < pieces.count - 1 && cumulative[lo] <= uLow + 1e-12 { lo += 1 }
            hi = max(hi, lo)
            while hi < pieces.count - 1 && cumulative[hi] < uHigh - 1e-12 { hi += 1 }
            let moved = max(p.rep - pieces[lo].left, pieces[hi].right - p.rep) + extraDisplacement
            bound = max(bound, moved)
            displacements.append((moved, Double(count) / k))
        }
        var distinct = 0
        var last = -Double.infinity
        var m1 = 0.0, m2 = 0.0
        for v in values {
            if v != last { distinct += 1; last = v }
            m1 += v; m2 += v * v
        }
        return DiscretisedPopulation(values: values, distinct: distinct, wInfinity: bound,
                                     mean: m1 / k, secondMoment: m2 / k, totalMass: total,
                                     displacements: displacements, tableAllowance: 2e-10 * Double(pieces.count) + 1e-10)
    }
}
