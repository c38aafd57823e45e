import ComplexModule
import RealModule

/// Everything a later solve can reuse from an earlier solve of the same kernel.
struct SolvedLaw: Sendable {
    var chain: CombinationChain
    var request: LawRequest
    var spectrum: LimitSpectrum
    /// Solutions at solved abscissae (sorted by x), for warm starts.
    var solvedX: [Double]
    var solvedU: [[ComplexDouble]]
}

struct LawRequest: Sendable, Hashable {
    var gridPoints: Int
    var xRange: ClosedRange<Double>?
    /// Integrate the CDF and the moments accurately (adaptive quadrature); otherwise they come
    /// from the display grid alone (the explorer's fast path while keys are pressed).
    var accurateCDF: Bool = true

    /// Only the support is wanted (a lower layer solved for its edges, which tighten the
    /// enclosures of the laws above it).
    var edgesOnly: Bool = false

    /// Whether a law solved for this request can stand for one solved for `other`
    /// (an accurate CDF serves a display-only request too; any solve serves an edges-only one).
    func covers(_ other: LawRequest) -> Bool {
        if other.edgesOnly { return true }
        return gridPoints == other.gridPoints && xRange == other.xRange && (accurateCDF || !other.accurateCDF)
    }
}

/// Linear extrapolation from the last two solved points of a sweep: a better first guess than
/// the last point alone, so Newton needs fewer steps.
struct SweepPredictor {
    private var x0 = 0.0, x1 = 0.0
    private var u0: [ComplexDouble]? = nil, u1: [ComplexDouble]? = nil

    mutating func add(_ x: Double, _ u: [ComplexDouble]) {
        x0 = x1; u0 = u1
        x1 = x; u1 = u
    }

    mutating func reset() { u0 = nil; u1 = nil }

    func guesses(at x: Double) -> [[ComplexDouble]] {
        guard let b = u1 else { return [] }
        guard let a = u0, x1 != x0 else { return [b] }
        let t = (x - x1) / (x1 - x0)
        if abs(t) > 4 { return [b] }
        var p = b
        for j in p.indices { p[j] = b[j] + (b[j] - a[j]).multiplied(by: t) }
        return [p, b]
    }
}

/// Computes one law: atoms, support edges, display-grid density, CDF and moments.
///
/// Pipeline: (1) a scan grid (uniform plus geometric near the lower end, where narrow
/// components sit) is swept by Newton tracking at Im z = η ≈ 1e−12·scale, with continuation
/// from large Im z as the fallback; (2) every change between "inside" and "outside" the support
/// is bisected to an edge; (3) each support interval is integrated on Chebyshev nodes (which
/// cluster at the square-root edges) to give the CDF and the moments, or by adaptive Simpson where
/// the series does not converge; (4) the display grid comes from the series or is interpolated
/// from Simpson's samples. With a previous solution the scan is replaced by a
/// local refinement of the old edges, and the result is checked (mass) and redone cold if needed.
struct LawSolver {
    let kernel: KernelID
    let chain: CombinationChain
    let request: LawRequest
    var solver: ChainSolver
    let bounds: ClosedRange<Double>
    let scale: Double
    let eta: Double
    let atoms: [Atom]
    let atomMass: Double
    /// The exact mean and variance (free moment recursion), computed once.
    let exact: (mean: Double, variance: Double)
    /// The exact mean: moments are accumulated about it (no cancellation in the variance).
    var center: Double { exact.mean }
    var stats = SolverStatistics()
    /// Solved points, for warm starts of the next points.
    var solved = WarmStartTable()
    /// Inside/outside of every point solved in this solve.
    var classified: [Double: Bool] = [:]
    /// Support intervals (by index) that go straight to the fallback quadrature.
    var seriesSkipped = Set<Int>()
    /// The stretches of the previous law's series (of this kernel, warm or not): an interval that
    /// overlaps one of them by half its width or more starts with that stretch.
    var previousStretches: [(interval: ClosedRange<Double>, stretch: Double)] = []
    /// Whether `previousStretches` come from a law whose chain is near this one (a warm solve):
    /// its map is then kept without trying the other.
    var previousIsNear = false
    /// Called once, with the support found by the scan (or the warm refinement) as its quadrature
    /// starts: the engine predicts this law's edge from it and starts the next law on another core.
    var supportFound: (([ClosedRange<Double>]) -> Void)?
    /// The right edge of the support the first quadrature started from (the one `supportFound`
    /// reported). A later scan finds the same edge again only to the bisection's tolerance, a
    /// few ulps to 10⁻¹² apart, and the laws above, started from the reported edge, were solved
    /// again for that (16% of the laws at depth 32 when a key changes every layer): a right edge
    /// found again within 10⁻⁹·scale of it (the bisection's tolerance) is given this value. It is
    /// kept through the warm→cold retry of `run`: the retry's edge is the one the pipeline was given.
    var reportedEdge: Double?

    static let scanUniform = 100
    static let scanGeometric = 96
    static let quadratureNodes = 128

    /// `knownEdges`: right edges of levels solved earlier (tightens the search interval).
    init(kernel: KernelID, chain: CombinationChain, request: LawRequest, knownEdges: [Int: Double] = [:]) {
        self.kernel = kernel
        self.chain = chain
        self.request = request
        solver = ChainSolver(chain: chain)
        bounds = chain.spectralBounds(known: knownEdges)
        scale = max(bounds.upperBound - bounds.lowerBound, 1e-9)
        eta = 1e-14 * scale
        atoms = chain.atoms
        atomMass = atoms.reduce(0) { $0 + $1.mass }
        exact = chain.exactMeanAndVariance
    }

    /// Inside the support Im m is of order |m|; outside it is of order η. A point is inside
    /// when the continuous part's Im m exceeds this fraction of |m| (atoms' terms removed).
    static let insideRatio = 1e-7

    // MARK: points

    /// Moves x off an atom so that subtracting the atom's Cauchy term stays meaningful: at a distance
    /// δ the term is p/δ and the solve's relative accuracy leaves an error of that order times the
    /// accepted residual in the continuous part, which `density(at:)` counts as noise (a point is
    /// inside only where Im m_c exceeds it). A clearance of 10⁻¹²·scale resolves a continuous edge
    /// that close to the atom (a layer with γ just above 1 puts its edge within ~(√γ − 1)² of the
    /// atom at 0: with 10⁻¹⁰·scale the mass next to the atom was off by up to 1%).
    static let atomClearance = 1e-12
    private func evaluationPoint(_ x: Double) -> Double {
        let clearance = Self.atomClearance * scale
        for a in atoms where abs(x - a.location) < clearance { return a.location + (x < a.location ? -clearance : clearance) }
        return x
    }

    /// The height above the real axis at which x is solved: 10⁻¹⁴·scale, but no more than 10⁻¹² of
    /// x's distance to the enclosure's lower end or to the nearest atom (floored at 10⁻³⁰·scale).
    /// Outside the support Im m/|m| is about η over the distance to the support, so a fixed
    /// 10⁻¹⁴·scale took the points below a continuous edge at 10⁻¹²·scale from 0 (a law whose
    /// outliers set a large scale, over a layer with γ near 1) for support.
    func etaAt(_ x: Double) -> Double {
        var d = abs(x - bounds.lowerBound)
        for a in atoms { d = min(d, abs(x - a.location)) }
        return max(min(eta, 1e-12 * d), 1e-30 * scale)
    }

    /// Density of the continuous part at x, from the Stieltjes transform at x + iη, and whether
    /// x is inside the support: Im m_c must exceed `insideRatio`·|m_c| and the noise left by
    /// subtracting the atoms' terms, max(10⁻¹³, 10·residual)·Σ p/|λ_a − ζ| (a root accepted at a
    /// rounding floor next to an atom can sit a little off the real axis).
    private func density(at x: Double, _ m: ComplexDouble, residual: Double = 0, height: Double? = nil) -> (density: Double, inside: Bool) {
        let height = height ?? etaAt(x)
        let continuous = continuousPart(m, at: x, height: height)
        let im = continuous.imaginary
        let noise = max(Self.cancellationFloor, 10 * residual) * atoms.reduce(0.0) { $0 + $1.mass / ComplexDouble($1.location - x, -height).length }
        let inside = im > Self.insideRatio * continuous.length && im > noise
        return (inside ? im / Double.pi : 0, inside)
    }

    /// The relative accuracy assumed of a converged solve when subtracting atoms' terms.
    static let cancellationFloor = 1e-13

    /// The continuous part's Stieltjes transform at x + i·height: m = m_c + Σ p/(λ_a − x − i·height),
    /// so each atom's term p/(λ_a − ζ) is subtracted.
    func continuousPart(_ m: ComplexDouble, at x: Double, height: Double) -> ComplexDouble {
        atoms.reduce(m) { $0 - ComplexDouble($1.mass) / ComplexDouble($1.location - x, -height) }
    }

    /// Solves at x from the given guesses, then from the nearest solved point, then by continuation.
    /// With `verifyOutside`, a point found outside the support is solved again by continuation,
    /// which cannot be misled by a neighbour on another branch (used inside known support intervals).
    mutating func solvePoint(_ xIn: Double, guesses: [[ComplexDouble]] = [], verifyOutside: Bool = false) -> (u: [ComplexDouble], density: Double, inside: Bool)? {
        if let r = solve(at: evaluationPoint(xIn), guesses: guesses, verifyOutside: verifyOutside) { return r }
        // Closer to an atom than 10⁻⁷·scale, a point the solver cannot reach is solved at the
        // nearest of 10⁻⁹, 10⁻⁸ and 10⁻⁷·scale from the atom that it can reach (its density is then
        // the one that far away: a component next to the atom may be far narrower than the scale).
        for clearance in [1e-9, 1e-8, 1e-7] {
            let wide = clearance * scale
            guard let a = atoms.first(where: { abs(xIn - $0.location) < wide }) else { continue }
            if let r = solve(at: a.location + (xIn < a.location ? -wide : wide), guesses: guesses, verifyOutside: verifyOutside) { return r }
        }
        return nil
    }

    private mutating func solve(at x: Double, guesses: [[ComplexDouble]], verifyOutside: Bool) -> (u: [ComplexDouble], density: Double, inside: Bool)? {
        stats.points += 1
        let zeta = ComplexDouble(x, etaAt(x))
        var candidates = guesses
        if let near = solved.nearest(to: x) { candidates.append(near) }
        for g in candidates where g.count == chain.levels {
            if let s = solver.solve(zeta: zeta, initial: g) {
                if verifyOutside {
                    let d = density(at: x, s.stieltjes, residual: s.residual)
                    if !d.inside { break }
                }
                stats.iterations += s.iterations
                solved.insert(x, s.u)
                let d = density(at: x, s.stieltjes, residual: s.residual)
                classified[x] = d.inside
                return (s.u, d.density, d.inside)
            }
        }
        stats.continuations += 1
        if let s = solver.solveByContinuation(x: x, eta: etaAt(x), scale: scale) {
            stats.iterations += s.iterations
            solved.insert(x, s.u)
            let d = density(at: x, s.stieltjes, residual: s.residual)
            classified[x] = d.inside
            return (s.u, d.density, d.inside)
        }
        return nil
    }

    private mutating func isInside(_ x: Double, guess: [ComplexDouble]?) -> Bool? {
        guard let r = solvePoint(x, guesses: guess.map { [$0] } ?? []) else { return nil }
        return r.inside
    }

    // MARK: support

    /// Bisects an edge between an outside point and an inside point.
    /// Near a square-root edge the density squared is linear in x, so once two inside points
    /// are close to the edge, the secant of ρ² predicts it; the prediction is accepted after
    /// checking a point just inside and one just outside it. Falls back to plain bisection.
    mutating func bisectEdge(outside: Double, inside: Double) -> Double {
        var out = outside, ins = inside
        var guess: [ComplexDouble]? = solved.nearest(to: inside)
        var insidePoints: [(x: Double, d: Double)] = []
        var steps = 0
        // 10⁻⁹·scale, or 10⁻⁶ of the starting bracket where that is finer (an edge 10⁻¹²·scale
        // from 0 is bracketed by the scan's first geometric point; a bracket of the uniform scan,
        // scale/100, keeps 10⁻⁹·scale), above the rounding of x.
        let tolerance = max(min(1e-9 * scale, 1e-6 * abs(inside - outside)), 8 * max(abs(inside), abs(outside)).ulp)
        while abs(ins - out) > tolerance && steps < 60 {
            steps += 1
            var next = 0.5 * (out + ins)
            if insidePoints.count >= 2, abs(ins - out) < 1e-3 * scale {
                let p = insidePoints[insidePoints.count - 1], q = insidePoints[insidePoints.count - 2]
                let (a, b) = (p.d * p.d, q.d * q.d)
                if abs(a - b) > 0 {
                    let e = p.x - a * (p.x - q.x) / (a - b)
                    let lo = min(out, ins), hi = max(out, ins)
                    if e > lo && e < hi {
                        // Probe just inside and just outside the predicted edge.
                        let inward = ins > out ? 1.0 : -1.0
                        let probeIn = e + inward * 2 * tolerance
                        let probeOut = e - inward * 2 * tolerance
                        // The outside probe is solved by continuation: a neighbour's guess could
                        // land on a spurious real root and fake an edge.
                        if let r = solvePoint(probeIn, guesses: guess.map { [$0] } ?? []), r.inside,
                           let o = solvePoint(probeOut, verifyOutside: true), !o.inside {
                            // The edge lies between the probes. The secant of ρ² through the inner
                            // probe and one point 2 tolerances further in pins it down far more
                            // finely (over 4 tolerances ρ² is linear even for a narrow component).
                            let further = probeIn + inward * 2 * tolerance
                            guard let f = solvePoint(further, guesses: [r.u]), f.inside else { return e }
                            let (c, d) = (r.density * r.density, f.density * f.density)
                            guard abs(d - c) > 0 else { return e }
                            let refined = probeIn - c * (probeIn - further) / (c - d)
                            return min(max(refined, min(probeIn, probeOut)), max(probeIn, probeOut))
                        }
                        next = e
                    }
                }
            }
            guard let r = solvePoint(next, guesses: guess.map { [$0] } ?? []) else { break }
            if r.inside {
                ins = next; guess = r.u
                insidePoints.append((next, r.density))
            } else {
                out = next
            }
            if abs(ins - out) <= tolerance, out != outside {
                // Confirm the outside end by continuation before accepting the edge.
                if let c = solvePoint(out, verifyOutside: true), c.inside {
                    ins = out; guess = c.u
                    insidePoints = []
                    out = outside
                }
            }
        }
        // The secant of ρ² through the bracket's inside end and a point 2 tolerances further in
        // locates the edge far more precisely than the bracket's midpoint (ρ² is linear at a
        // square-root edge); it is kept inside the final bracket.
        let inward = ins > out ? 1.0 : -1.0
        if abs(ins - out) <= tolerance,
           let r = solvePoint(ins, guesses: guess.map { [$0] } ?? []), r.inside,
           let f = solvePoint(ins + inward * 2 * tolerance, guesses: [r.u]), f.inside {
            let (c, d) = (r.density * r.density, f.density * f.density)
            if abs(d - c) > 0 {
                let e = ins - c * (2 * tolerance * inward) / (c - d)
                return min(max(e, min(out, ins)), max(out, ins))
            }
        }
        return 0.5 * (out + ins)
    }

    /// Support intervals from a full scan.
    /// With `verifyEvery` = k > 0, every k-th point found outside is re-solved by continuation
    /// (a robust but slower scan, used when the fast one lost mass).
    private mutating func scanSupport(verifyEvery: Int = 0) -> [ClosedRange<Double>] {
        let xs = scanGrid
        var inside = [Bool]()
        var predictor = SweepPredictor()
        for (i, x) in xs.enumerated() {
            let verify = verifyEvery > 0 && i % verifyEvery == 0
            if let r = solvePoint(x, guesses: predictor.guesses(at: x), verifyOutside: verify) {
                inside.append(r.inside)
                predictor.add(x, r.u)
            } else {
                inside.append(false)
            }
        }
        return keepingReportedEdge(intervals(xs: xs, inside: inside))
    }

    /// The scan's abscissae: uniform over the enclosure plus geometric towards its lower end.
    var scanGrid: [Double] {
        let lo = bounds.lowerBound, hi = bounds.upperBound
        var xs = (0...Self.scanUniform).map { lo + (hi - lo) * Double($0) / Double(Self.scanUniform) }
        for k in 0..<Self.scanGeometric {
            let e = -9.0 + 8.5 * Double(k) / Double(Self.scanGeometric - 1)
            xs.append(lo + (hi - lo) * Double.pow(10, e))
        }
        return xs.sorted()
    }

    mutating func intervals(xs: [Double], inside insideIn: [Bool]) -> [ClosedRange<Double>] {
        // A scan point next to the support that was found outside is checked by continuation:
        // tracking from a neighbour can land on a spurious real root and hide part of the support.
        var inside = insideIn
        var checked = Set<Int>()
        var changed = true
        while changed {
            changed = false
            for i in xs.indices where !inside[i] && !checked.contains(i) {
                let nearSupport = (i > 0 && inside[i - 1]) || (i + 1 < xs.count && inside[i + 1])
                guard nearSupport else { continue }
                checked.insert(i)
                if let r = solvePoint(xs[i], verifyOutside: true), r.inside {
                    inside[i] = true
                    changed = true
                }
            }
        }
        var result = [ClosedRange<Double>]()
        var start: Double? = nil
        for i in xs.indices {
            if inside[i] && start == nil {
                start = i == 0 ? xs[0] : bisectEdge(outside: xs[i - 1], inside: xs[i])
            } else if !inside[i], let s = start {
                let e = bisectEdge(outside: xs[i], inside: xs[i - 1])
                if e > s { result.append(s...e) }
                start = nil
            }
        }
        if let s = start { result.append(s...xs[xs.count - 1]) }
        return result
    }

    /// Refines previous edges locally; nil when the structure changed and a scan is needed.
    private mutating func refineSupport(previous: [ClosedRange<Double>]) -> [ClosedRange<Double>]? {
        var result = [ClosedRange<Double>]()
        for interval in previous {
            let width = interval.upperBound - interval.lowerBound
            let delta = max(0.02 * width, 1e-6 * scale)
            let midpoint = 0.5 * (interval.lowerBound + interval.upperBound)
            guard isInside(midpoint, guess: nil) == true else { return nil }
            var edges = [Double]()
            for (edge, outward) in [(interval.lowerBound, -1.0), (interval.upperBound, 1.0)] {
                // An edge close to the enclosure's lower end is bracketed relative to its distance
                // from it, as the scan's geometric points do: a bracket of 2% of the width made the
                // bisection's tolerance (10⁻⁶ of the bracket) 10⁻⁷ absolute, and a deep linear
                // network's CK layer 63, lower edge 5.33·10⁻⁷, came out 12% low when solved warm.
                let room = edge - bounds.lowerBound
                var step = room > 0 && room < 4 * delta ? max(0.25 * room, 1e-12 * scale) : delta
                var found: Double? = nil
                for _ in 0..<6 {
                    let outsidePoint = edge + outward * step
                    let insidePoint = max(min(edge - outward * step, interval.upperBound), interval.lowerBound)
                    let inwardOK = outward < 0 ? insidePoint < midpoint : insidePoint > midpoint
                    let inPoint = inwardOK ? insidePoint : midpoint
                    guard let o = isInside(outsidePoint, guess: nil), let i = isInside(inPoint, guess: nil) else { return nil }
                    if !o && i {
                        found = bisectEdge(outside: outsidePoint, inside: inPoint)
                        break
                    }
                    if o && outward < 0 && outsidePoint <= bounds.lowerBound { found = bounds.lowerBound; break }
                    step *= 4
                }
                // The enclosure is guaranteed to hold the support: an edge refined from the wrong
                // side of a hard edge at its end (a point 2·10⁻⁹ below 0 taken for support next to
                // a density that diverges at 0) is its end.
                guard let f = found else { return nil }
                edges.append(min(max(f, bounds.lowerBound), bounds.upperBound))
            }
            guard edges[1] > edges[0] else { return nil }
            result.append(edges[0]...edges[1])
        }
        for k in 1..<max(1, result.count) where result[k].lowerBound <= result[k - 1].upperBound { return nil }
        return result
    }

    // MARK: the whole law

    /// Solves the law, warm from `previous` when its chain is near this one. A warm solve that
    /// fails its self-check is solved again cold and the result with the smaller check error is
    /// kept: an old edge refined from the wrong side of a hard edge at 0 made a linear network's
    /// CK layer 1 over δ₁ inputs 1.2·10⁻⁶ too heavy (support from −2.4·10⁻⁹) where a cold solve passes.
    mutating func run(previous: SolvedLaw?) -> SolvedLaw {
        let law = solveOnce(previous: previous)
        guard let p = previous, chain.isNear(p.chain), let check = law.spectrum.check, !check.passed else { return law }
        solved = WarmStartTable(); classified = [:]; seriesSkipped = []; previousStretches = []
        let cold = solveOnce(previous: nil)
        return (cold.spectrum.check?.largestError ?? .infinity) <= check.largestError ? cold : law
    }

    private mutating func solveOnce(previous: SolvedLaw?) -> SolvedLaw {
        let warm = previous.flatMap { chain.isNear($0.chain) ? $0 : nil }
        previousStretches = previous?.spectrum.series.map { ($0.interval, $0.stretch) } ?? []
        previousIsNear = warm != nil
        if let p = warm {
            solved = WarmStartTable(sortedX: p.solvedX, sortedU: p.solvedU)
        }
        var support: [ClosedRange<Double>]
        var warmSupport = false
        if let p = warm, !p.spectrum.support.isEmpty,
           let refined = refineSupport(previous: p.spectrum.support) {
            support = refined
            warmSupport = true
            // Intervals whose series did not converge last time will not now either.
            let old = p.spectrum
            for (k, interval) in old.support.enumerated() where !old.series.contains(where: { $0.interval == interval }) {
                seriesSkipped.insert(k)
            }
        } else {
            support = scanSupport()
        }
        if support.isEmpty && atomMass < 1 - 1e-9 {
            // No continuous part found but the atoms do not carry all the mass: the tracking
            // followed a spurious branch. Scan again, checking points by continuation.
            support = scanSupport(verifyEvery: 4)
        }
        var quadrature = integrateSplittingAtGaps(&support)
        func massLost(_ q: Quadrature) -> Bool {
            abs(q.mass + atomMass - 1) > 1e-4
        }
        if warmSupport && massLost(quadrature) {
            seriesSkipped = []
            support = scanSupport()
            quadrature = integrate(support)
        }
        if massLost(quadrature) {
            seriesSkipped = []
            support = scanSupport(verifyEvery: 4)
            quadrature = integrate(support)
        }
        // Still short: look for components narrower than the scan spacing, again while each
        // round finds some (each round looks at the 16 most promising cells; a discrete input law of
        // m eigenvalues can hide up to ~2m components, so up to 12 rounds). Then split intervals at
        // points found outside them, and look again: a split can uncover a gap the search had
        // counted as support. For an accurate solve the search starts at a shortfall of 2·10⁻⁷
        // (the self-check's tolerance is 10⁻⁶).
        func massShort(_ q: Quadrature) -> Bool {
            let deficit = 1 - atomMass - q.mass
            if abs(deficit) > (request.accurateCDF ? 2e-7 : 1e-4) { return true }
            return request.accurateCDF && deficit > 0 && !selfCheck(q).passed
        }
        for pass in 0..<3 {
            var foundAny = false
            for _ in 0..<12 where massShort(quadrature) {
                let hidden = hiddenSupport(found: support, quadrature: quadrature, deficit: 1 - atomMass - quadrature.mass)
                if hidden.isEmpty { break }
                foundAny = true
                seriesSkipped = []
                support = mergeSlivers((support + hidden).sorted { $0.lowerBound < $1.lowerBound })
                quadrature = integrate(support)
            }
            guard !quadrature.gaps.isEmpty else { break }
            seriesSkipped = []
            support = mergeSlivers(splitAtGaps(support, gaps: quadrature.gaps))
            quadrature = integrate(support)
            if !foundAny && pass > 0 { break }
        }
        // An interval where every Simpson point failed, while the mass is whole without it, holds
        // no mass: it is not support (a near-singular point the scan took for support) and its
        // failed points are not failures of the law.
        let dead = Set(quadrature.fits.indices.filter { k in
            guard case .samples(let table) = quadrature.fits[k] else { return false }
            let inner = table.h.dropFirst().dropLast()
            return !inner.isEmpty && inner.allSatisfy(\.isNaN)
        })
        if !dead.isEmpty && abs(quadrature.mass + atomMass - 1) < 1e-6 {
            support = keepingReportedEdge(support.indices.filter { !dead.contains($0) }.map { support[$0] })
            seriesSkipped = []
            quadrature = integrate(support)
        }
        // A law that fails its self-check over Simpson intervals may hide a gap between two samples
        // (Simpson's estimate cannot see a zero of the density that no sample falls in: an NTK
        // 4.3·10⁻⁶ over, across a gap of width 0.24 inside a panel of width 1): look for gaps where
        // a sample's slope points at a square-root edge before its neighbour, split there, and
        // integrate again; the result with the smaller check error is kept.
        if request.accurateCDF, usesSimpson(quadrature), selfCheck(quadrature).largestError > 5e-7 {
            let gaps = gapsBetweenSamples(quadrature)
            if !gaps.isEmpty {
                seriesSkipped = []
                let split = mergeSlivers(splitAtGaps(support, gaps: gaps))
                let again = integrate(split)
                if selfCheck(again).largestError < selfCheck(quadrature).largestError { support = split; quadrature = again }
            }
        }
        // A law that fails its self-check over Simpson intervals is integrated again from 16 times as
        // many initial panels: a bump or a dip narrower than the first panels can pass Simpson's
        // error estimate unseen (an NTK 1.9·10⁻⁵ short, another 4.3·10⁻⁶ over). The result with
        // the smaller check error is kept.
        if request.accurateCDF, usesSimpson(quadrature), selfCheck(quadrature).largestError > 5e-7 {
            let finer = integrate(support, simpsonPanels: 256)
            if selfCheck(finer).largestError < selfCheck(quadrature).largestError { quadrature = finer }
        }
        let (xs, dens) = displayGrid(support, fits: quadrature.fits)
        stats.failures = quadrature.failures
        var law = assemble(support: support, xs: xs, dens: dens, mass: quadrature.mass, moments: quadrature.moments,
                           cdfX: quadrature.cdfX, cdfF: quadrature.cdfF)
        law.spectrum.series = quadrature.fits.compactMap { if case .series(let piece) = $0 { return piece } else { return nil } }
        law.spectrum.fits = quadrature.fits
        return law
    }

    /// The first quadrature of a support: an interval whose series meets a gap is split there at
    /// once and the support integrated again (up to 8 times), before any Simpson pass; then, if it
    /// still stops at a gap that splits nothing, the plain quadrature (Simpson where needed).
    mutating func integrateSplittingAtGaps(_ support: inout [ClosedRange<Double>]) -> Quadrature {
        for _ in 0..<8 {
            let q = integrate(support, stopAtGaps: true)
            guard q.stoppedAtGap else { return q }
            let split = mergeSlivers(splitAtGaps(support, gaps: q.gaps))
            if split == support || split.isEmpty { break }
            seriesSkipped = []
            support = split
        }
        return integrate(support)
    }

    private func usesSimpson(_ q: Quadrature) -> Bool {
        q.fits.contains { if case .samples = $0 { return true } else { return false } }
    }

    /// Points outside the support between adjacent samples of the Simpson intervals. Next to a
    /// square-root edge at e, ρ(x) ≈ C·√|x − e|, so 2ρ/|ρ′| is the distance to the edge the slope
    /// points at. Where that is less than the distance to the neighbouring sample on that side, the
    /// span between them is probed at 8 points (each found outside is confirmed by continuation).
    /// ρ′ is a central difference over 10⁻⁶ of the nearer neighbour's distance.
    private mutating func gapsBetweenSamples(_ q: Quadrature) -> [Double] {
        var found = [Double]()
        for fit in q.fits {
            guard case .samples(let s) = fit, s.theta.count >= 3 else { continue }
            let a = s.interval.lowerBound, half = (s.interval.upperBound - a) / 2
            let xs = s.theta.map { a + half * (1 - Double.cos($0)) }
            for k in 1..<(xs.count - 1) {
                let rho = s.h[k] / (half * Double.sin(s.theta[k]))
                guard rho.isFinite, rho > 0 else { continue }
                let dx = 1e-6 * min(xs[k] - xs[k - 1], xs[k + 1] - xs[k])
                guard dx > 0, let l = solvePoint(xs[k] - dx), let r = solvePoint(xs[k] + dx), l.inside, r.inside else { continue }
                let slope = (r.density - l.density) / (2 * dx)
                let neighbour = slope > 0 ? xs[k - 1] : xs[k + 1]
                guard 2 * rho < abs(slope) * abs(neighbour - xs[k]) else { continue }
                for j in 1...8 {
                    let x = xs[k] + (neighbour - xs[k]) * Double(j) / 9
                    if let p = solvePoint(x, verifyOutside: true), !p.inside { found.append(x); break }
                }
            }
        }
        return found
    }

    /// Moments about the exact mean, atoms included, from the continuous part's `moments`.
    private func centralMoments(_ moments: [Double]) -> [Double] {
        var central = moments
        for k in 0..<central.count { for a in atoms { central[k] += a.mass * Double.pow(a.location - center, k + 1) } }
        return central
    }

    /// The law's self-check: its mass, mean and variance against the exact ones.
    private func selfCheck(mass: Double, central: [Double]) -> SolverCheck {
        SolverCheck(exactMean: exact.mean, exactVariance: exact.variance, mass: mass + atomMass,
                    meanDifference: central[0], variance: central[1] - central[0] * central[0],
                    tolerance: request.accurateCDF ? 1e-6 : 1e-3)
    }

    private func selfCheck(_ q: Quadrature) -> SolverCheck {
        selfCheck(mass: q.mass, central: centralMoments(q.moments))
    }

    /// The display grid: each support interval's density from its fit (series or Simpson samples),
    /// 0 outside the support.
    private func displayGrid(_ support: [ClosedRange<Double>], fits: [IntervalFit]) -> (xs: [Double], dens: [Double]) {
        let range = displayRange(support)
        let xs = UniformGrid.points(range, count: request.gridPoints)
        return (xs, Self.gridDensities(xs, support: support, fits: fits))
    }

    private func assemble(support: [ClosedRange<Double>], xs: [Double], dens: [Double], mass: Double, moments: [Double], cdfX: [Double], cdfF: [Double]) -> SolvedLaw {
        let central = centralMoments(moments)
        var stats = stats
        stats.denseNewtonSteps = solver.denseSteps
        var spectrum = LimitSpectrum(
            kernel: kernel, x: xs, density: dens, atoms: atoms, support: support,
            mean: exact.mean, secondMoment: exact.variance + exact.mean * exact.mean, continuousMass: mass,
            numericalMoments: LimitSpectrum.rawMoments(central: central, about: center), statistics: stats, cdfX: cdfX, cdfF: cdfF)
        spectrum.exactVariance = exact.variance
        spectrum.centralMoments = central
        spectrum.check = selfCheck(mass: mass, central: central)
        let table = solved.sorted
        return SolvedLaw(chain: chain, request: request, spectrum: spectrum, solvedX: table.x, solvedU: table.u)
    }

    /// `support` with its right edge set to `reportedEdge` where the two are the same edge to the
    /// bisection's tolerance (10⁻⁹·scale).
    func keepingReportedEdge(_ support: [ClosedRange<Double>]) -> [ClosedRange<Double>] {
        guard let e = reportedEdge, let last = support.last, last.upperBound != e,
              abs(last.upperBound - e) <= 1e-9 * scale, e > last.lowerBound else { return support }
        var kept = support
        kept[kept.count - 1] = last.lowerBound...e
        return kept
    }

    /// Joins intervals separated by gaps narrower than 10⁻⁷ × scale (numerical slivers). Every
    /// support rebuilt after the first quadrature (split, hidden components) passes here or
    /// through `scanSupport`: both keep the reported right edge (`keepingReportedEdge`).
    private func mergeSlivers(_ support: [ClosedRange<Double>]) -> [ClosedRange<Double>] {
        var result = [ClosedRange<Double>]()
        for r in support {
            if let last = result.last, r.lowerBound - last.upperBound < 1e-7 * scale {
                result[result.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                result.append(r)
            }
        }
        return keepingReportedEdge(result)
    }

    /// Splits support intervals at points found outside the support, bisecting the new edges.
    private mutating func splitAtGaps(_ support: [ClosedRange<Double>], gaps: [Double]) -> [ClosedRange<Double>] {
        var result = [ClosedRange<Double>]()
        for interval in support {
            let inGap = gaps.filter { interval.contains($0) }.sorted()
            if inGap.isEmpty { result.append(interval); continue }
            // Rebuild the interval's runs from the points classified in this solve (solutions
            // kept from an earlier solve for warm starts say nothing about the present support).
            var xs = [interval.lowerBound]
            var inside = [true]
            for (x, isInside) in classified.sorted(by: { $0.key < $1.key }) where x > interval.lowerBound && x < interval.upperBound {
                xs.append(x)
                // A point found outside from a neighbour's guess may sit on a spurious real root:
                // only a point confirmed by continuation splits the interval.
                let outside = inGap.contains(x) || (!isInside && solvePoint(x, verifyOutside: true).map { !$0.inside } ?? false)
                inside.append(!outside)
            }
            xs.append(interval.upperBound)
            inside.append(true)
            var start: Double? = interval.lowerBound
            for i in 1..<xs.count {
                if inside[i] && start == nil {
                    start = bisectEdge(outside: xs[i - 1], inside: xs[i])
                } else if !inside[i], let st = start {
                    let e = bisectEdge(outside: xs[i], inside: xs[i - 1])
                    if e > st { result.append(st...e) }
                    start = nil
                }
            }
            if let st = start, interval.upperBound > st { result.append(st...interval.upperBound) }
        }
        return result
    }

    private func displayRange(_ support: [ClosedRange<Double>]) -> ClosedRange<Double> {
        if let r = request.xRange { return r }
        var lo = support.first?.lowerBound ?? bounds.lowerBound
        var hi = support.last?.upperBound ?? bounds.upperBound
        for a in atoms { lo = min(lo, a.location); hi = max(hi, a.location) }
        if support.isEmpty, let first = atoms.first, let last = atoms.last { lo = first.location - 0.5; hi = last.location + 0.5 }
        let width = max(hi - lo, 1e-9)
        if lo - bounds.lowerBound < 0.15 * width && bounds.lowerBound <= lo { lo = bounds.lowerBound } else { lo -= 0.04 * width }
        hi += 0.04 * width
        return lo...hi
    }

    /// Mass, CDF table, moments and series of the continuous part, interval by interval.
    struct Quadrature {
        var mass: Double
        var cdfX: [Double] = [], cdfF: [Double] = []
        var moments = [Double](repeating: 0, count: 4)
        var failures = 0
        /// Points inside an interval found outside the support.
        var gaps: [Double] = []
        /// Integration stopped at the first interval with a gap (`integrate(…, stopAtGaps: true)`):
        /// mass, moments and fits cover only the intervals before it.
        var stoppedAtGap = false
        /// Per interval: its Chebyshev series, or Simpson's samples where the series did not converge.
        var fits: [IntervalFit] = []
    }

    /// How one support interval's density is represented.
    enum IntervalFit {
        case series(SupportSeries)
        case samples(SimpsonSamples)

        func density(at x: Double) -> Double {
            switch self {
            case .series(let piece): return piece.density(at: x)
            case .samples(let table): return table.density(at: x)
            }
        }
    }

    /// Series tolerances and largest order. The coefficient tail must fall below `seriesTolerance`
    /// (relative to the largest coefficient) and the mass must settle to `seriesMassTolerance`
    /// (relative change from N/2 to N). The tail has a floor ~ √(edge error)/N, which is why it is
    /// not asked to be smaller: the mass and the CDF converge far faster than the last coefficients.
    /// Intervals whose series does not converge (non-square-root edges, components that merge)
    /// fall back to adaptive Simpson. The display-only solve (drawn first,
    /// then replaced by the accurate one) asks only for plot accuracy: its density stays within
    /// 4·10⁻⁴ of the peak of the accurate one on the tested models (DisplaySolveTests: ≤ 1%).
    private var seriesTolerance: Double { request.accurateCDF ? 1e-6 : 3e-3 }
    private var seriesMassTolerance: Double { request.accurateCDF ? 1e-9 : 1e-4 }
    private var seriesMaxOrder: Int { request.accurateCDF ? 512 : 128 }
    /// Adaptive Simpson's tolerance on the mass (relative to the interval's mass, per unit θ), where
    /// the series does not converge.
    private var simpsonTolerance: Double { request.accurateCDF ? 1e-7 : 1e-4 }
    /// Evaluations per interval before Simpson stops refining (a law spread over several decades,
    /// with most of its mass at one end, needs tens of thousands in an accurate solve).
    private var simpsonEvaluationCap: Int { request.accurateCDF ? 60000 : 6000 }

    /// `simpsonPanels`: adaptive Simpson's first panels per interval (256 when a law that failed its
    /// check is integrated again).
    /// With `stopAtGaps`, an interval whose series found a point outside the support ends the
    /// integration at once (`Quadrature.stoppedAtGap`): the caller splits the interval there and
    /// integrates again instead of running Simpson over a span that is about to be split.
    private mutating func integrate(_ support: [ClosedRange<Double>], simpsonPanels: Int = 16, stopAtGaps: Bool = false) -> Quadrature {
        if reportedEdge == nil { reportedEdge = support.last?.upperBound }
        if let found = supportFound { supportFound = nil; found(support) }
        var q = Quadrature(mass: 0)
        var running = 0.0
        for (k, interval) in support.enumerated() {
            let gapsBefore = q.gaps.count
            if !seriesSkipped.contains(k),
               var piece = chebyshevSeries(interval, gaps: &q.gaps, failures: &q.failures, moments: &q.moments) {
                piece.start = running
                q.cdfX.append(interval.lowerBound); q.cdfF.append(running)
                running += piece.mass
                q.cdfX.append(interval.upperBound); q.cdfF.append(running)
                q.fits.append(.series(piece))
            } else if stopAtGaps && q.gaps.count > gapsBefore {
                q.stoppedAtGap = true
                return q
            } else {
                // The room around each end free of other support (for the contour at a hard edge).
                let room = (left: k > 0 ? interval.lowerBound - support[k - 1].upperBound : Double.infinity,
                            right: k + 1 < support.count ? support[k + 1].lowerBound - interval.upperBound : Double.infinity)
                let r = adaptiveSimpson(interval, start: running, panels: simpsonPanels, room: room, gaps: &q.gaps)
                q.failures += r.failures
                for j in 0..<4 { q.moments[j] += r.moments[j] }
                q.cdfX += r.cdfX; q.cdfF += r.cdfF
                running = r.cdfF.last ?? running
                q.fits.append(.samples(r.samples))
            }
        }
        q.mass = running
        return q
    }

    /// The stretch a series over `interval` starts with: that of the previous law's series that
    /// overlaps it most, if by half the wider of the two or more; else 0 (the plain map).
    func preferredStretch(_ interval: ClosedRange<Double>) -> (stretch: Double, matched: Bool) {
        let width = interval.upperBound - interval.lowerBound
        var best = (overlap: 0.0, stretch: 0.0)
        for p in previousStretches {
            let overlap = min(interval.upperBound, p.interval.upperBound) - max(interval.lowerBound, p.interval.lowerBound)
            if overlap >= 0.5 * max(width, p.interval.upperBound - p.interval.lowerBound), overlap > best.overlap {
                best = (overlap, p.stretch)
            }
        }
        return (best.stretch, best.overlap > 0)
    }

    /// The stretch tried against the plain map (`SupportSeries`).
    static let trialStretch = 6.0
    /// The tail ratio at N = 32 above which the other map is tried: below it the series is about
    /// to converge.
    static let stretchTrialTail = 1e-2

    /// The interval's Chebyshev series, doubling N from 16 until its tail and its mass settle.
    /// Adds the interval's moments (trapezoid rule in θ, spectrally accurate here) when it succeeds.
    /// It starts with the map of the previous law's series over the same stretch of the axis
    /// (`preferredStretch`), else the plain one. When the series has a tail above `stretchTrialTail`
    /// at N = 32, the other map (the plain one, or the one stretched towards the lower edge,
    /// κ = `trialStretch`) is tried at N = 32 too (31 more points), and kept when its tail is 8
    /// times smaller: a density that peaks next to its lower edge (every CK layer of a deep network)
    /// then converges at N = 64–256 instead of 512.
    private mutating func chebyshevSeries(_ interval: ClosedRange<Double>, gaps: inout [Double], failures: inout Int, moments: inout [Double]) -> SupportSeries? {
        let a = interval.lowerBound
        let half = (interval.upperBound - a) / 2
        guard half > 0 else { return nil }
        let gapsBefore = gaps.count
        let preferred = preferredStretch(interval)
        var stretch = preferred.stretch
        // A warm solve keeps the map its previous series used; otherwise the other map may be tried.
        let mayTry = !(preferred.matched && previousIsNear)
        var n = 16
        var values = [Double](repeating: 0, count: n + 1)
        var nodes = [Double](repeating: a, count: n + 1)
        var us = [[ComplexDouble]](repeating: [], count: n + 1)
        var previous: SupportSeries? = nil
        /// |mass(N/2) − mass(N/4)| and |mass(N/4) − mass(N/8)|, for the error estimate at N.
        var previousChange: Double? = nil, earlierChange: Double? = nil
        var predictor = SweepPredictor()
        /// h at node k of n; nil at a failed point (not counted for a `trial` node: the trial is
        /// dropped and the series goes on with its map) or one outside the support (recorded as a
        /// gap either way: it is a fact about the support, whichever map found it).
        func node(_ k: Int, of n: Int, stretch: Double, trial: Bool = false, guesses: [[ComplexDouble]], _ solver: inout LawSolver) -> (x: Double, h: Double, u: [ComplexDouble])? {
            let theta = Double(k) * Double.pi / Double(n)
            let (x, slope): (Double, Double)
            if stretch == 0 {
                (x, slope) = (a + half * (1 - Double.cos(theta)), 1)
            } else {
                let m = SupportSeries.map((1 - Double.cos(theta)) / 2, stretch: stretch)
                (x, slope) = (min(a + 2 * half * m.g, interval.upperBound), m.slope)
            }
            guard let r = solver.solvePoint(x, guesses: guesses + predictor.guesses(at: x), verifyOutside: true) else {
                if !trial { failures += 1 }
                return nil
            }
            predictor.add(x, r.u)
            if !r.inside { gaps.append(x); return nil }
            return (x, r.density * half * slope * Double.sin(theta), r.u)
        }
        for k in 1..<n {
            guard let v = node(k, of: n, stretch: stretch, guesses: [], &self) else { return nil }
            nodes[k] = v.x; values[k] = v.h; us[k] = v.u
        }
        nodes[n] = interval.upperBound
        while true {
            var piece = SupportSeries(interval: interval, values: values, stretch: stretch)
            if n == 32, mayTry, piece.tailRatio > Self.stretchTrialTail {
                // The other map at N = 32: kept when its tail is clearly smaller.
                let other = stretch == 0 ? Self.trialStretch : 0
                var trialValues = [Double](repeating: 0, count: n + 1)
                var trialNodes = [Double](repeating: a, count: n + 1)
                var trialU = [[ComplexDouble]](repeating: [], count: n + 1)
                predictor.reset()
                var complete = true
                for k in 1..<n {
                    guard let v = node(k, of: n, stretch: other, trial: true, guesses: [], &self) else {
                        // A point outside the support ends the series as it would with either map.
                        if gaps.count > gapsBefore { return nil }
                        complete = false
                        break
                    }
                    trialNodes[k] = v.x; trialValues[k] = v.h; trialU[k] = v.u
                }
                trialNodes[n] = interval.upperBound
                let trial = SupportSeries(interval: interval, values: trialValues, stretch: other)
                if complete && trial.tailRatio < piece.tailRatio / 8 {
                    (values, nodes, us, stretch, piece) = (trialValues, trialNodes, trialU, other, trial)
                    // The mass history belongs to the other map.
                    previous = nil; previousChange = nil
                }
            }
            let change = previous.map { abs(piece.mass - $0.mass) }
            if let change, piece.tailRatio < seriesTolerance,
               Self.massError(change: change, previousChange: previousChange, earlierChange: earlierChange) < seriesMassTolerance * max(piece.mass, 1e-300) {
                let w = Double.pi / Double(n)
                for k in 1..<n {
                    var power = 1.0
                    for j in 0..<4 { power *= nodes[k] - center; moments[j] += w * power * values[k] }
                }
                return piece
            }
            if n >= seriesMaxOrder { return nil }
            // Give up early when even geometric convergence from here (each doubling squaring the
            // last improvement) could not reach the tolerance by the largest order: an interior
            // non-analytic point (two components merging) makes the coefficients decay slowly.
            if let p = previous, n >= 64, p.tailRatio > 0 {
                var rate = min(1, piece.tailRatio / p.tailRatio)
                var predicted = piece.tailRatio
                var m = n
                while m < seriesMaxOrder { predicted *= rate; rate *= rate; m *= 2 }
                if predicted > 10 * seriesTolerance { return nil }
            }
            previous = piece
            earlierChange = previousChange
            previousChange = change
            // Double N: the old nodes are the even ones; solve the new odd ones in order, each
            // from the cubic interpolant in θ of its old neighbours (u is smooth in θ, edges included).
            var finer = [Double](repeating: 0, count: 2 * n + 1)
            var finerNodes = [Double](repeating: a, count: 2 * n + 1)
            var finerU = [[ComplexDouble]](repeating: [], count: 2 * n + 1)
            for k in 0...n { finer[2 * k] = values[k]; finerNodes[2 * k] = nodes[k]; finerU[2 * k] = us[k] }
            predictor.reset()
            for k in stride(from: 1, to: 2 * n, by: 2) {
                let guess = Self.midpointGuesses(us, between: (k - 1) / 2)
                guard let v = node(k, of: 2 * n, stretch: stretch, guesses: guess, &self) else { return nil }
                finerNodes[k] = v.x; finer[k] = v.h; finerU[k] = v.u
            }
            n *= 2
            values = finer
            nodes = finerNodes
            us = finerU
        }
    }

    /// A bound on the error of the series' mass at N from its last three changes: `change` =
    /// |m_N − m_{N/2}|, `previousChange` = |m_{N/2} − m_{N/4}|, `earlierChange` = |m_{N/4} − m_{N/8}|.
    /// The trapezoid rule in θ converges geometrically here, err(N) ≈ C r^N, so the change from N/2
    /// to N is about err(N/2) and the ratio q of successive changes is r^{N/4}:
    /// err(N) ≈ change · q² ≤ change · q. The estimate change · q/(1 − q) is used only where
    /// q ≤ 1/100 and the ratio before it was ≤ 1/10 (two ratios: one change that happens to be
    /// small, as where the errors oscillate in sign, is not taken for convergence); it also bounds
    /// an algebraic decay N^{−p} that fast (p ≥ 6.6, where err(N) = change · q/(1 − q) exactly).
    /// Otherwise the change itself, as before. CK layer 5 of Figure 1 changed by 7.5·10⁻⁴,
    /// 2.4·10⁻⁶, then 1.25·10⁻⁹ (tail 2.3·10⁻⁸): its N = 512 series was thrown away for Simpson over
    /// a change 1.25 times the tolerance; the estimate is 6·10⁻¹³.
    static func massError(change: Double, previousChange: Double?, earlierChange: Double?) -> Double {
        guard let before = previousChange, let earlier = earlierChange, before > 0, earlier > 0, change.isFinite else { return change }
        let q = change / before
        return q <= 0.01 && before / earlier <= 0.1 ? change * q / (1 - q) : change
    }

    /// Guesses for the point halfway between equally spaced solved points i and i + 1 of `us`
    /// (empty entries are unsolved ends): the cubic midpoint rule (−1, 9, 9, −1)/16, a one-sided
    /// quadratic at the ends, and the plain average.
    static func midpointGuesses(_ us: [[ComplexDouble]], between i: Int) -> [[ComplexDouble]] {
        func solved(_ j: Int) -> [ComplexDouble]? { j >= 0 && j < us.count && !us[j].isEmpty ? us[j] : nil }
        func combine(_ terms: [([ComplexDouble], Double)]) -> [ComplexDouble] {
            var out = [ComplexDouble](repeating: .zero, count: terms[0].0.count)
            for (u, w) in terms { for j in out.indices { out[j] = out[j] + u[j].multiplied(by: w) } }
            return out
        }
        var result = [[ComplexDouble]]()
        if let a = solved(i - 1), let b = solved(i), let c = solved(i + 1), let d = solved(i + 2) {
            result.append(combine([(a, -1.0 / 16), (b, 9.0 / 16), (c, 9.0 / 16), (d, -1.0 / 16)]))
        } else if solved(i) == nil, let b = solved(i + 1), let c = solved(i + 2), let d = solved(i + 3) {
            // At x_i − ½h... from the right: nodes at +½h, +3/2 h, +5/2 h.
            result.append(combine([(b, 15.0 / 8), (c, -10.0 / 8), (d, 3.0 / 8)]))
        } else if solved(i + 1) == nil, let a = solved(i - 2), let b = solved(i - 1), let c = solved(i) {
            result.append(combine([(c, 15.0 / 8), (b, -10.0 / 8), (a, 3.0 / 8)]))
        }
        if let b = solved(i), let c = solved(i + 1) { result.append(combine([(b, 0.5), (c, 0.5)])) }
        return result
    }

    /// The continuous part's mass and its first four moments about `center` ([mass, ∫(x − c),
    /// ∫(x − c)², ∫(x − c)³, ∫(x − c)⁴]) over the stretch between a support edge and a point x of the
    /// same interval, by Cauchy's theorem instead of along the axis. With m(ζ) = ∫ dμ(λ)/(λ − ζ)
    /// (Im m > 0 above the axis) and the upper half circle P: ζ = e + r·e^{iφ}, φ ∈ [0, π], r = |x − e|,
    /// the closed contour P ∪ P̄ encloses the stretch, and by the symmetry m(ζ̄) = conj m(ζ)
    /// ∫_stretch (λ − c)^k dμ = −Im ∫_P (ζ − c)^k m_c(ζ) dζ / π.
    /// The circle stays at distance r from the edge, where a hard edge (density ~ |x − e|^{−β}) is
    /// singular and no rule along the axis converges; along P the integrand is analytic (it continues
    /// across the axis at x, where the density is smooth), so Gauss–Legendre in φ converges
    /// geometrically. Rules of 16 and 32 points must agree to `tolerance` (absolute, on the mass),
    /// else nil; nil also when a point does not solve. The caller ensures that no other part of the
    /// support lies within 2r of the edge. `guess`: the chain's solution at x.
    mutating func edgeMoments(edge: Double, to x: Double, guess: [ComplexDouble]?, tolerance: Double) -> [Double]? {
        let r = abs(x - edge)
        guard r > 0, r.isFinite else { return nil }
        func rule(_ n: Int, _ solver: inout LawSolver) -> [Double]? {
            let gl = GaussianQuadrature.gaussLegendre(count: n)
            // Nodes in the order of the walk from x (φ = 0 at a left edge, π at a right edge).
            var order = Array(gl.nodes.indices)
            if x < edge { order.reverse() }
            var u = guess
            var sums = [ComplexDouble](repeating: .zero, count: 5)
            for k in order {
                let phi = Double.pi / 2 * (gl.nodes[k] + 1)
                let e = ComplexDouble(Double.cos(phi), Double.sin(phi))
                let zeta = ComplexDouble(edge) + e.multiplied(by: r)
                solver.stats.points += 1
                var s = u.flatMap { solver.solver.solve(zeta: zeta, initial: $0) }
                if s == nil { s = solver.solver.solveByContinuation(x: zeta.real, eta: zeta.imaginary, scale: solver.scale) }
                guard let sol = s else { return nil }
                u = sol.u
                let m = solver.continuousPart(sol.stieltjes, at: zeta.real, height: zeta.imaginary)
                var term = m * ComplexDouble(0, r) * e
                term = term.multiplied(by: gl.weights[k] * Double.pi / 2)
                for j in 0..<5 {
                    sums[j] = sums[j] + term
                    term = term * (zeta - ComplexDouble(solver.center))
                }
            }
            return sums.map { -$0.imaginary / Double.pi }
        }
        guard let coarse = rule(16, &self), let fine = rule(32, &self),
              fine.allSatisfy(\.isFinite), abs(fine[0] - coarse[0]) <= tolerance, fine[0] >= 0 else { return nil }
        return fine
    }

    /// The zone next to a hard edge (`HardEdgeZone`), for an end panel of width `panel` (in θ) whose
    /// inner half has mass `mass`: the Simpson samples of the end panel, and new
    /// point solves at s = panel/8, panel/16, … (halving down to panel/1024, then quartering; each
    /// solved from the last, `guess` first), each at the
    /// height 10⁻¹²·(distance to the edge) above the axis. They stop where the mass left below is
    /// under 10⁻¹³ of the zone's (by the local power law: it falls fast where the density stops
    /// growing towards the edge, as where the true edge lies a little beyond the reported one),
    /// where the distance to the edge falls
    /// below 10⁻¹⁴⁰·scale (the chain's values, ~ distance^{−1}, must square within a Double) or
    /// 10⁻⁹·|edge|, at a point that does not solve or lies outside the support, or after 300 solves.
    /// nil when the samples do not make a zone (fewer than 4, or no mass left below the first).
    private mutating func hardEdgeZone(side: Int, interval: ClosedRange<Double>, samples: SimpsonSamples, panel: Double,
                                       mass: Double, guess: [ComplexDouble]?) -> HardEdgeZone? {
        let a = interval.lowerBound, b = interval.upperBound
        let edge = side == 0 ? a : b, half = (b - a) / 2
        let reach = panel   // the end panel: beyond it the Simpson samples and their CDF table agree
        var points: [(s: Double, h: Double)] = []
        for (t, h) in zip(samples.theta, samples.h) {
            let s = side == 0 ? t : Double.pi - t
            if s > 0 && s <= reach && h > 0 && h.isFinite { points.append((s, h)) }
        }
        points.sort { $0.s < $1.s }
        guard var smallest = points.first, smallest.s <= panel / 4 * 1.000001 else { return nil }
        var guess = guess
        var solves = 0
        /// The largest s found outside the support: the true edge lies beyond the reported one.
        var outsideAt = 0.0, closingIn = 0
        /// x at distance s (in θ) from the edge, and its distance from the edge in x (exact there).
        func point(_ s: Double) -> (x: Double, delta: Double) {
            let sine = Double.sin(s / 2)
            let delta = (b - a) * sine * sine
            return (side == 0 ? a + delta : b - delta, delta)
        }
        /// h at distance s from the edge, solved at height 10⁻¹²·(x − edge) from `start` (else by
        /// continuation); nil outside the support or where it does not solve.
        func solveH(_ s: Double, from start: [ComplexDouble]?, _ solver: inout LawSolver) -> (h: Double, u: [ComplexDouble])? {
            let (x, delta) = point(s)
            solves += 1
            solver.stats.points += 1
            let height = 1e-12 * delta
            let zeta = ComplexDouble(x, height)
            var found: PointSolution? = (start ?? solver.solved.nearest(to: x)).flatMap { solver.solver.solve(zeta: zeta, initial: $0) }
            if found == nil {
                solver.stats.continuations += 1
                found = solver.solver.solveByContinuation(x: x, eta: height, scale: solver.scale)
            }
            guard let solution = found else { return nil }
            solver.stats.iterations += solution.iterations
            solver.solved.insert(x, solution.u)
            let d = solver.density(at: x, solution.stieltjes, residual: solution.residual, height: height)
            if !d.inside && solution.stieltjes.real.isFinite { outsideAt = max(outsideAt, s) }
            guard d.inside, d.density > 0, d.density.isFinite else { return nil }
            return (d.density * half * Double.sin(s), solution.u)
        }
        // The display-only solve (drawn first, then replaced) samples less and does not refine.
        let (descentCap, totalCap) = request.accurateCDF ? (300, 900) : (12, 12)
        while solves < descentCap {
            // steps of 2 while the samples join the Simpson ones, then of 4; once a point was outside
            // the support (the true edge lies beyond the reported one), halfway (in log s) to it
            let next = outsideAt > 0 ? (smallest.s * outsideAt).squareRoot() : smallest.s / (smallest.s > panel / 1024 ? 2 : 4)
            // (at most 12 such steps, none in the display-only solve: each outside point is solved
            // by continuation)
            if outsideAt > 0 && (smallest.s < outsideAt * 1.001 || closingIn >= (request.accurateCDF ? 12 : 0)) { break }
            if outsideAt > 0 { closingIn += 1 }
            let (x, delta) = point(next)
            guard x != edge, delta >= 1e-140 * scale, delta >= 1e-9 * abs(edge) else { break }
            // The mass below `smallest` by the local power law of the two smallest samples.
            if points.count >= 2 {
                let q = Double.log(points[1].h / points[0].h) / Double.log(points[1].s / points[0].s)
                if q > -1, smallest.h * smallest.s / (q + 1) < 1e-13 * mass { break }
            }
            guard let r = solveH(next, from: guess, &self) else {
                if outsideAt == next { continue }   // outside: close in on the edge
                break
            }
            smallest = (s: next, h: r.h)
            points.insert(smallest, at: 0)
            guess = r.u
        }
        // Refinement: the geometric midpoint of each pair of neighbours is solved and kept where the
        // cubic in log s misses it by more than 10⁻⁶ (relative), until every midpoint agrees — a
        // feature between the samples (a shoulder where the density turns from one power to
        // another: leaky ReLU 0.994 at γ = 1 lost 10⁻³ of mass to one) is then resolved, not
        // smoothed over. At most 900 solves in all (12, and no refinement, for the display-only solve).
        var logS = points.map { Double.log($0.s) }, logH = points.map { Double.log($0.h) }
        // From the outer end inwards (where the mass is), each pair until its midpoint agrees.
        var i = points.count - 2
        while i >= 0 && solves < totalCap && points.count >= 4 {
            let (left, right) = (points[i], points[i + 1])
            guard right.s > left.s * (1 + 1e-9) else { i -= 1; continue }
            let middle = (left.s * right.s).squareRoot()
            guard let r = solveH(middle, from: nil, &self) else { i -= 1; continue }
            let predicted = SortedSamples.cubic(logS, logH, at: Double.log(middle))
            if abs(predicted - Double.log(r.h)) > 1e-6 {
                points.insert((middle, r.h), at: i + 1)
                logS.insert(Double.log(middle), at: i + 1)
                logH.insert(Double.log(r.h), at: i + 1)
                i += 1   // the upper half [middle, right] next, then the lower one
            } else {
                i -= 1
            }
        }
        return HardEdgeZone(side: side, s: points.map(\.s), h: points.map(\.h), massBelow: (panel / 2, mass),
                            outsideBelow: outsideAt < points[0].s ? outsideAt : 0)
    }

    /// Adaptive Simpson integration of one interval in θ, where x = a + (b − a)(1 − cos θ)/2
    /// (the substitution smooths the square-root edges): the fallback when the series does not
    /// converge. Returns a CDF table (starting at `start`) and the first four moments about
    /// `center`; appends
    /// points found outside the support to `gaps`.
    private mutating func adaptiveSimpson(_ interval: ClosedRange<Double>, start: Double, panels initial: Int,
                                          room: (left: Double, right: Double) = (.infinity, .infinity), gaps gapPoints: inout [Double]) -> (cdfX: [Double], cdfF: [Double], moments: [Double], failures: Int, samples: SimpsonSamples) {
        var cdfX = [Double](), cdfF = [Double]()
        var moments = [Double](repeating: 0, count: 4)
        var failures = 0
        let a = interval.lowerBound, b = interval.upperBound
        let half = (b - a) / 2
        func xOf(_ t: Double) -> Double { a + half * (1 - Double.cos(t)) }
        typealias U = [ComplexDouble]
        var failedThetas = Set<Double>()
        func g(_ t: Double, guesses: [U], _ solver: inout LawSolver) -> (f: Double, u: U?) {
            if t <= 0 || t >= Double.pi { return (0, nil) }
            if let r = solver.solvePoint(xOf(t), guesses: guesses, verifyOutside: true) {
                if !r.inside { gapPoints.append(xOf(t)) }
                return (r.density * half * Double.sin(t), r.u)
            }
            failures += 1
            failedThetas.insert(t)
            return (0, nil)
        }
        /// Guesses at the quarter points of a panel from the quadratic through its three points.
        func quarterGuesses(_ u0: U?, _ u1: U?, _ u2: U?, left: Bool) -> [U] {
            func mix(_ terms: [(U, Double)]) -> U {
                var out = U(repeating: .zero, count: terms[0].0.count)
                for (u, w) in terms { for j in out.indices { out[j] = out[j] + u[j].multiplied(by: w) } }
                return out
            }
            var result = [U]()
            if let a = u0, let b = u1, let c = u2 {
                result.append(left ? mix([(a, 0.375), (b, 0.75), (c, -0.125)]) : mix([(a, -0.125), (b, 0.75), (c, 0.375)]))
            }
            if let a = left ? u0 : u2, let b = u1 { result.append(mix([(a, 0.5), (b, 0.5)])) }
            if let b = u1 { result.append(b) }
            return result
        }
        // Panels [t0, t2] with midpoint t1, refined until Simpson's error estimate is small.
        struct Panel { var t0, t1, t2, f0, f1, f2: Double; var u0, u1, u2: U?; var depth: Int }
        let h = Double.pi / Double(initial)
        var (f0, u0) = g(0, guesses: [], &self)
        var panels = [Panel]()
        var last: U? = nil
        for k in 0..<initial {
            let t0 = Double(k) * h, t2 = t0 + h, t1 = t0 + h / 2
            let (f1, u1) = g(t1, guesses: last.map { [$0] } ?? [], &self)
            let (f2, u2) = g(t2, guesses: (u1 ?? last).map { [$0] } ?? [], &self)
            last = u2 ?? u1 ?? last
            panels.append(Panel(t0: t0, t1: t1, t2: t2, f0: f0, f1: f1, f2: f2, u0: u0, u1: u1, u2: u2, depth: 0))
            f0 = f2; u0 = u2
        }
        var stack: [Panel] = panels.reversed()
        // `exact`: the panel's mass and moments about the centre from the contour at an edge.
        var done = [(t0: Double, t2: Double, integral: Double, f0: Double, f1: Double, f2: Double, exact: [Double]?)]()
        // Relative to the interval's mass (first estimate from the initial panels): a far, light
        // component carries the variance and needs the same relative accuracy as a heavy one.
        let estimate = panels.reduce(0) { $0 + ($1.t2 - $1.t0) / 6 * ($1.f0 + 4 * $1.f1 + $1.f2) }
        let tolerance = simpsonTolerance * (estimate > 0 ? estimate : 1)
        let varianceScale = max(exact.variance, 1e-300)
        var evaluations = 0
        var hardEdges = [HardEdge(), HardEdge()]
        // The ends whose end panel's inner half took its mass from the contour or the tail fit (a
        // hard edge): the end panel's width, that half's mass and the solution at its midpoint.
        var zoneRequests: [(panel: Double, mass: Double, guess: [ComplexDouble]?)?] = [nil, nil]
        while let p = stack.popLast() {
            let w = p.t2 - p.t0
            let whole = w / 6 * (p.f0 + 4 * p.f1 + p.f2)
            let ta = (p.t0 + p.t1) / 2, tb = (p.t1 + p.t2) / 2
            let (fa, ua) = g(ta, guesses: quarterGuesses(p.u0, p.u1, p.u2, left: true), &self)
            let (fb, ub) = g(tb, guesses: quarterGuesses(p.u0, p.u1, p.u2, left: false), &self)
            evaluations += 2
            var left = w / 12 * (p.f0 + 4 * fa + p.f1)
            var right = w / 12 * (p.f1 + 4 * fb + p.f2)
            // A hard edge (density ~ (x − a)^{−β}, e.g. Fuss–Catalan laws at 0) leaves h ~ θ^α with
            // −1 < α < 1 at an end of the interval, where Simpson (with h = 0 at the end) does not
            // converge and points closer than ~10⁻⁵ in θ are too near the edge to solve accurately.
            // The end half of the end panel is then integrated as C s^α (s the distance to the end),
            // with α extrapolated (Aitken) from its estimates at three successive depths; the end
            // value is replaced by the one that gives Simpson's rule that integral, so the CDF and
            // the moments agree (x varies by ~10⁻⁸ of the interval over such a panel).
            // Weighted by (x − mean)²/variance where that exceeds 1: far from the mean a panel's
            // error counts that much more in the variance than in the mass.
            let distance = xOf(p.t1) - center
            let err = abs(left + right - whole) * max(1, distance * distance / varianceScale)
            let converged = err < 15 * tolerance * w / Double.pi && p.depth >= 1
            if p.t0 <= 0 || p.t2 >= Double.pi {
                let side = p.t0 <= 0 ? 0 : 1
                let inner = side == 0 ? [fa, p.f1, fb, p.f2] : [fb, p.f1, fa, p.f0]
                let tail = hardEdges[side].tail(inner: inner, width: w, depth: p.depth)
                // An end panel still refining at depth 6 (a hard edge, where Simpson converges
                // slowly or not at all): its two halves' mass and moments from the contour about
                // the edge (`edgeMoments`), when nothing else of the support is within 2r of it.
                let edge = side == 0 ? a : b
                let (mid, far) = (xOf(p.t1), xOf(side == 0 ? p.t2 : p.t0))
                if !converged, p.depth >= 6, 2 * abs(far - edge) < (side == 0 ? room.left : room.right),
                   let near = edgeMoments(edge: edge, to: mid, guess: p.u1, tolerance: 1e-3 * tolerance),
                   let whole = edgeMoments(edge: edge, to: far, guess: side == 0 ? p.u2 : p.u0, tolerance: 1e-3 * tolerance),
                   whole[0] >= near[0] {
                    let outer = zip(whole, near).map { $0 - $1 }
                    if side == 0 {
                        done.append((p.t0, p.t1, near[0], 12 * near[0] / w - 4 * fa - p.f1, fa, p.f1, near))
                        done.append((p.t1, p.t2, outer[0], p.f1, fb, p.f2, outer))
                    } else {
                        done.append((p.t0, p.t1, outer[0], p.f0, fa, p.f1, outer))
                        done.append((p.t1, p.t2, near[0], p.f1, fb, 12 * near[0] / w - 4 * fb - p.f1, near))
                    }
                    zoneRequests[side] = (panel: w, mass: near[0], guess: side == 0 ? ua : ub)
                    continue
                }
                if let tail {
                    if side == 0 {
                        left = tail
                        done.append((p.t0, p.t1, left, 12 * tail / w - 4 * fa - p.f1, fa, p.f1, nil))
                        done.append((p.t1, p.t2, right, p.f1, fb, p.f2, nil))
                    } else {
                        right = tail
                        done.append((p.t0, p.t1, left, p.f0, fa, p.f1, nil))
                        done.append((p.t1, p.t2, right, p.f1, fb, 12 * tail / w - 4 * fb - p.f1, nil))
                    }
                    zoneRequests[side] = (panel: w, mass: tail, guess: side == 0 ? ua : ub)
                    continue
                }
            }
            if converged || p.depth >= 14 || evaluations > simpsonEvaluationCap {
                let value = left + right + (left + right - whole) / 15
                done.append((p.t0, p.t1, left, p.f0, fa, p.f1, nil))
                done.append((p.t1, p.t2, value - left, p.f1, fb, p.f2, nil))
            } else {
                stack.append(Panel(t0: p.t1, t1: tb, t2: p.t2, f0: p.f1, f1: fb, f2: p.f2, u0: p.u1, u1: ub, u2: p.u2, depth: p.depth + 1))
                stack.append(Panel(t0: p.t0, t1: ta, t2: p.t1, f0: p.f0, f1: fa, f2: p.f1, u0: p.u0, u1: ua, u2: p.u1, depth: p.depth + 1))
            }
        }
        done.sort { $0.t0 < $1.t0 }
        var running = start
        cdfX.append(a); cdfF.append(running)
        // A failed point counts as 0 in the integrals (and in `failures`) and is NaN in the samples.
        var samples = SimpsonSamples(interval: interval, theta: [0], h: [done.first?.f0 ?? 0])
        for d in done {
            let w = d.t2 - d.t0
            let tm = (d.t0 + d.t2) / 2
            samples.theta += [tm, d.t2]
            samples.h += [failedThetas.contains(tm) ? .nan : d.f1, failedThetas.contains(d.t2) ? .nan : d.f2]
            // Moments by Simpson on the same panel.
            let xs = [xOf(d.t0) - center, xOf(tm) - center, xOf(d.t2) - center]
            let fs = [d.f0, d.f1, d.f2]
            var p = [1.0, 1.0, 1.0]
            for j in 0..<4 {
                for i in 0..<3 { p[i] *= xs[i] }
                moments[j] += d.exact.map { $0[j + 1] } ?? w / 6 * (fs[0] * p[0] + 4 * fs[1] * p[1] + fs[2] * p[2])
            }
            running += d.integral
            cdfX.append(xOf(d.t2)); cdfF.append(running)
        }
        for side in 0...1 {
            guard let request = zoneRequests[side] else { continue }
            if let zone = hardEdgeZone(side: side, interval: interval, samples: samples, panel: request.panel,
                                       mass: request.mass, guess: request.guess) {
                samples.zones.append(zone)
            } else if request.mass <= 1e-9 * max(estimate, 1e-300) {
                // Not a hard edge after all: the stretch holds no mass worth a zone (the density
                // vanishes there; a reported edge a little outside a thin end). Its end value is 0.
                samples.h[side == 0 ? 0 : samples.h.count - 1] = 0
            } else {
                // The end's sample is a stand-in (the value that gives Simpson's rule the half
                // panel's mass): NaN, so that no density is interpolated from it (mass and moments
                // stand), and a failed point, so that the law says so.
                samples.h[side == 0 ? 0 : samples.h.count - 1] = .nan
                failures += 1
            }
        }
        return (cdfX, cdfF, moments, failures, samples)
    }
}

/// The end of a support interval where h(θ) ~ C s^α, −1 < α < 1 (s the distance in θ to the end):
/// the exponents estimated at successive depths of the end panel, and the tail integral once they
/// converge geometrically.
struct HardEdge {
    private var alphas: [(depth: Int, alpha: Double)] = []

    /// ∫_0^{w/2} C s^α ds from h at s = w/4, w/2, 3w/4 and w (`inner`, nearest first), or nil while
    /// the exponent is not yet pinned down: its estimates over the panel must agree to 10⁻³, and the
    /// last three depths' estimates must converge geometrically (their Aitken extrapolation is α).
    mutating func tail(inner f: [Double], width w: Double, depth: Int) -> Double? {
        guard f.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
        let a1 = Double.log(f[1] / f[0]) / Double.log(2)
        let a2 = Double.log(f[3] / f[1]) / Double.log(2)
        let a3 = Double.log(f[2] / f[1]) / Double.log(1.5)
        guard abs(a1 - a2) < 1e-3, abs(a3 - a1) < 1e-3, a2 > -1, a2 < 1 else { alphas = []; return nil }
        if let last = alphas.last, last.depth != depth - 1 { alphas = [] }
        alphas.append((depth, a2))
        guard depth >= 9, alphas.count >= 3 else { return nil }
        let n = alphas.count
        let d1 = alphas[n - 2].alpha - alphas[n - 3].alpha, d2 = alphas[n - 1].alpha - alphas[n - 2].alpha
        let alpha: Double
        if d2 == 0 {
            alpha = alphas[n - 1].alpha
        } else {
            guard d1 * d2 > 0, abs(d2) < 0.9 * abs(d1) else { return depth >= 14 ? Self.integral(f[0], a2, w) : nil }
            alpha = alphas[n - 1].alpha - d2 * d2 / (d2 - d1)
        }
        guard alpha > -1, alpha < 1 else { return nil }
        return Self.integral(f[0], alpha, w)
    }

    /// C (w/4)^α = f0  ⇒  ∫_0^{w/2} C s^α ds = f0 2^α (w/2) / (α + 1).
    private static func integral(_ f0: Double, _ alpha: Double, _ w: Double) -> Double {
        f0 * Double.pow(2, alpha) * (w / 2) / (alpha + 1)
    }
}

/// The adaptive Simpson rule's samples of h(θ) = ρ(x(θ))·(b − a)/2·sin θ on one interval, sorted
/// in θ: the display grid is interpolated from them instead of solved again. h is smooth in θ
/// (square-root edges included) and the panels are refined where it varies, so the 4-point
/// Lagrange interpolant in θ is as accurate as the quadrature (tests: 10⁻⁶ of the peak against
/// point solves).
struct SimpsonSamples: Sendable {
    let interval: ClosedRange<Double>
    var theta: [Double]
    var h: [Double]
    /// The ends that are hard edges: there the density and its integral come from the zone.
    var zones: [HardEdgeZone] = []

    /// The zone holding θ and the distance s from its edge, if any.
    func zone(atTheta t: Double) -> (zone: HardEdgeZone, s: Double)? {
        for z in zones {
            let s = z.side == 0 ? t : Double.pi - t
            if s <= z.width { return (z, s) }
        }
        return nil
    }

    func density(at x: Double) -> Double {
        let a = interval.lowerBound, half = (interval.upperBound - a) / 2
        guard half > 0, theta.count >= 4 else { return 0 }
        for z in zones {
            // s from the distance to the edge (x = edge ± 2·half·sin²(s/2)): exact next to it.
            let d = z.side == 0 ? x - a : interval.upperBound - x
            guard d > 0 else { continue }
            let s = 2 * Double.asin(min(1, (d / (2 * half)).squareRoot()))
            if s <= z.width { return z.h(atDistance: s) / (half * Double.sin(s)) }
        }
        let c = min(1, max(-1, 1 - (x - a) / half))
        let t = Double.acos(c)
        let s = Double.sin(t)
        guard s > 1e-12 else { return 0 }
        return h(atTheta: t) / (half * s)   // NaN: a failed sample nearby
    }
}
