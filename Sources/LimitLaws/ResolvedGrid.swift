import RealModule

/// Evenly spaced points over a range, for every uniform grid (the engine's display grid, the
/// plots' sample points, ρ grids): the range's two ends are points exactly, whatever rounding does to
/// the steps in between (`lo + (hi − lo)` is not `hi` when |lo| ≫ |hi|: −1e20 + (1 + 1e20) is 0).
public enum UniformGrid {
    /// `count` points (at least 2) from `range.lowerBound` to `range.upperBound`.
    public static func points(_ range: ClosedRange<Double>, count: Int) -> [Double] {
        let n = max(2, count), lo = range.lowerBound, hi = range.upperBound
        return (0..<n).map { k in k == n - 1 ? hi : lo + (hi - lo) * Double(k) / Double(n - 1) }
    }
}

/// A law written out on a grid for other programs: density and CDF at increasing x.
public struct DensityGrid: Sendable {
    public enum Kind: String, Sendable { case resolved, uniform }
    public let kind: Kind
    /// Increasing abscissae.
    public let x: [Double]
    /// Density of the continuous part at x (NaN where the solver failed).
    public let density: [Double]
    /// The law's CDF at x (`LimitSpectrum.cdf`: the continuous part and the atoms ≤ x).
    public let cdf: [Double]
    /// Σ over panels of |trapezoid − exact mass| of the continuous part inside the grid's range:
    /// a bound on the error of the trapezoid mass and of every cumulative trapezoid sum (0 when
    /// not computed, for a uniform grid).
    public let trapezoidError: Double

    /// The resolved grid's target: its trapezoid mass within this of the law's continuous mass.
    public static let resolvedTolerance = 2e-5

    /// A warning for a resolved grid that missed its target (`trapezoidError` above
    /// `resolvedTolerance`: points at the resolution of x far from 0, or the point cap), to be
    /// shown wherever the grid is written; nil otherwise.
    public var notice: LawNotice? {
        guard kind == .resolved, trapezoidError > Self.resolvedTolerance else { return nil }
        return LawNotice(severity: .warning, text: "the density grid's trapezoid integral is within \(trapezoidError) of the law's mass, not \(Self.resolvedTolerance) (its points reached the resolution of x or the point cap); the cdf column is the law's own CDF")
    }

    /// The trapezoid rule's integral of `density` over the grid.
    public var trapezoidMass: Double {
        var m = 0.0
        for k in 1..<max(1, x.count) { m += (x[k] - x[k - 1]) * (density[k] + density[k - 1]) / 2 }
        return m
    }
}

extension LimitSpectrum {
    /// The grid a user can plot and integrate (the default of `ntkscope density`).
    ///
    /// Every support interval is sampled in θ, x = a + (b − a)(1 − cos θ)/2 (points crowd at the
    /// edges, where a square-root density changes fastest), then panels are halved in θ, the
    /// worst first, until the sum over panels of |trapezoid − exact mass| is at most `tolerance`
    /// (the exact mass from the interval's fit: the series' integral, or Gauss–Legendre on the
    /// cubic interpolant of the Simpson samples). So a narrow bump or a fast change gets points
    /// because its panel's trapezoid is wrong, not because it was seen. The trapezoid mass of the
    /// grid is within `tolerance` of the mass of the fits (the law's continuous mass) and the
    /// cumulative trapezoid plus the atoms within `tolerance` of the CDF at every point (tests:
    /// a random sweep of models). Edges, atoms and the range's ends are points. At most
    /// `maxPoints` points (then `trapezoidError` says what was reached).
    ///
    /// `range` nil covers the support and the atoms with a margin of 4%.
    public func resolvedGrid(range: ClosedRange<Double>? = nil, tolerance: Double = DensityGrid.resolvedTolerance, maxPoints: Int = 50_000) -> DensityGrid {
        let window = range ?? defaultWindow
        var points = [(x: Double, density: Double)]()
        points.append((window.lowerBound, densityAt(window.lowerBound)))
        points.append((window.upperBound, densityAt(window.upperBound)))
        for a in atoms where window.contains(a.location) { points.append((a.location, densityAt(a.location))) }
        let totalMass = max(continuousMass, 1e-300)
        let pieces = support.indices.filter { $0 < fits.count && support[$0].overlaps(window) }
        var error = 0.0
        for k in pieces {
            let fit = fits[k], interval = support[k]
            let share = max(fit.mass / totalMass, 1e-3 / Double(pieces.count))
            let budget = tolerance * share
            let perInterval = max(64.0, Double(maxPoints) * max(share, 1 / Double(pieces.count)) / 2)
            let r = Self.refine(fit, interval: interval, window: window, budget: budget, maxPoints: Int(perInterval))
            points += r.points
            error += r.error
        }
        points.sort { $0.x < $1.x }
        var xs = [Double](), ds = [Double]()
        for p in points where xs.last != p.x { xs.append(p.x); ds.append(p.density) }
        return DensityGrid(kind: .resolved, x: xs, density: ds, cdf: cdfColumn(xs), trapezoidError: error)
    }

    /// The engine's uniform display grid with the CDF added.
    public var uniformGrid: DensityGrid {
        DensityGrid(kind: .uniform, x: x, density: density, cdf: cdfColumn(x), trapezoidError: 0)
    }

    /// `cdf` at increasing xs; for a purely atomic law (an input law of 10⁴ points: `cdf` sums the
    /// atoms at every point) by one walk over the atoms, with the same result.
    func cdfColumn(_ xs: [Double]) -> [Double] {
        guard continuousMass == 0 || cdfX.isEmpty, atoms.count > 16 else { return xs.map { cdf($0) } }
        let sorted = atoms.sorted { $0.location < $1.location }
        var j = 0, f = 0.0
        return xs.map { x in
            while j < sorted.count && sorted[j].location <= x { f += sorted[j].mass; j += 1 }
            return min(1, f)
        }
    }

    /// Density of the continuous part at x from the support intervals' fits (0 outside the support).
    public func densityAt(_ x: Double) -> Double {
        guard let k = support.firstIndex(where: { $0.contains(x) }), k < fits.count else { return 0 }
        return fits[k].density(at: x)
    }

    /// The continuous part's mass below x (not renormalised), between the CDF table's first and
    /// last points and outside the series: from the table point at or below x plus the integral of
    /// the Simpson samples' interpolant from there (the density's own integral; linear
    /// interpolation of the table was off by up to 6·10⁻⁴ between its points), or the table's
    /// linear interpolant in a gap or where no samples are kept.
    func continuousCDF(_ x: Double) -> Double {
        var lo = 0, hi = cdfX.count - 1
        guard hi > 0, x > cdfX[0] else { return cdfF.first ?? 0 }
        if x >= cdfX[hi] { return cdfF[hi] }
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if cdfX[mid] <= x { lo = mid } else { hi = mid }
        }
        if let k = support.firstIndex(where: { $0.contains(x) }), k < fits.count, case .samples(let table) = fits[k],
           support[k].contains(cdfX[lo]) {
            func theta(_ x: Double) -> Double { CosineMap.theta(of: x, in: support[k]) }
            let partial = table.integral(fromTheta: theta(cdfX[lo]), toTheta: theta(x))
            if partial.isFinite { return min(cdfF[hi], cdfF[lo] + partial) }
        }
        return piecewiseLinear(cdfX, cdfF, at: x)
    }

    /// The support and the atoms with a margin of 4% of their span on each side.
    var defaultWindow: ClosedRange<Double> {
        var lo = support.first?.lowerBound ?? .infinity, hi = support.last?.upperBound ?? -.infinity
        for a in atoms { lo = min(lo, a.location); hi = max(hi, a.location) }
        guard lo.isFinite, hi.isFinite else { return (x.first ?? 0)...(x.last ?? 1) }
        let pad = max(0.04 * (hi - lo), 1e-9 * max(abs(lo), abs(hi), 1))
        return (lo - pad)...(hi + pad)
    }

    /// One interval's points (inside `window`) and the sum of |trapezoid − exact| over its panels.
    static func refine(_ fit: LawSolver.IntervalFit, interval: ClosedRange<Double>, window: ClosedRange<Double>,
                       budget: Double, maxPoints: Int) -> (points: [(x: Double, density: Double)], error: Double) {
        guard interval.upperBound > interval.lowerBound else { return ([], 0) }
        func theta(_ x: Double) -> Double { CosineMap.theta(of: x, in: interval) }
        // the ends of the interval's part of the window are points exactly (the user's --x-min and
        // --x-max among them): x(θ(x)) is not always x
        let lo = max(interval.lowerBound, window.lowerBound), hi = min(interval.upperBound, window.upperBound)
        let t0 = theta(lo), t1 = theta(hi)
        guard t1 > t0 else { return ([], 0) }
        func xOf(_ t: Double) -> Double { t <= t0 ? lo : (t >= t1 ? hi : min(hi, max(lo, CosineMap.x(atTheta: t, in: interval)))) }
        // start: 16 panels, and the Simpson samples (placed where h varies)
        var ts = UniformGrid.points(t0...t1, count: 17)
        if case .samples(let table) = fit { ts += table.theta.filter { $0 > t0 && $0 < t1 } }
        ts.sort()
        struct Node { var t: Double; var x: Double; var d: Double }
        var nodes = [Node]()
        for t in ts where nodes.last.map({ t > $0.t }) ?? true {
            let x = xOf(t)
            nodes.append(Node(t: t, x: x, d: fit.density(at: x)))
        }
        func panelError(_ l: Node, _ r: Node) -> Double {
            let trapezoid = (r.x - l.x) * (l.d + r.d) / 2
            let exact = fit.mass(fromTheta: l.t, toTheta: r.t, interval: interval)
            let e = abs(trapezoid - exact)
            return e.isFinite ? e : 0   // a failed sample (NaN) cannot be resolved by more points
        }
        // Greedy: halve the worst panel until the sum is within the budget.
        var errors = (1..<nodes.count).map { panelError(nodes[$0 - 1], nodes[$0]) }
        var total = errors.reduce(0, +)
        let minWidth = (t1 - t0) * 1e-9
        // A panel at a hard edge (`HardEdgeZone`: a density ~ (x − a)^{−β}) is halved below
        // `minWidth` for as long as x resolves its midpoint: its trapezoid misses ~ F(x₁), which
        // shrinks only like x₁^{1−β}.
        var hardEnds: [Double] = []
        if case .samples(let table) = fit { hardEnds = table.zones.map { $0.side == 0 ? 0 : Double.pi } }
        func mayHalve(_ l: Node, _ r: Node) -> Bool {
            if r.t - l.t > minWidth { return true }
            // near a hard end: down to 10⁻⁴ of the panel's distance from it (it touches it: any width)
            guard let end = hardEnds.min(by: { abs($0 - l.t) < abs($1 - l.t) }),
                  r.t - l.t > 1e-4 * max(abs(end - l.t), abs(end - r.t)) || l.t == end || r.t == end else { return false }
            let x = xOf((l.t + r.t) / 2)
            return x != l.x && x != r.x
        }
        while total > budget && nodes.count < maxPoints {
            // refine every panel above the mean share of the budget at once (fewer passes)
            let threshold = max(budget / Double(errors.count) , 0)
            var next = [nodes[0]], nextErrors = [Double]()
            var split = false
            for k in 1..<nodes.count {
                let l = nodes[k - 1], r = nodes[k]
                if errors[k - 1] > threshold && mayHalve(l, r) {
                    let t = (l.t + r.t) / 2, x = xOf(t)
                    let m = Node(t: t, x: x, d: fit.density(at: x))
                    next.append(m); next.append(r)
                    nextErrors.append(panelError(l, m)); nextErrors.append(panelError(m, r))
                    split = true
                } else {
                    next.append(r); nextErrors.append(errors[k - 1])
                }
            }
            nodes = next; errors = nextErrors
            total = errors.reduce(0, +)
            if !split { break }
        }
        return (nodes.map { ($0.x, $0.d) }, total)
    }
}

extension LawSolver.IntervalFit {
    /// The same fit on the interval moved by `offset` (θ and h are relative to the interval).
    func translated(by offset: Double) -> Self {
        switch self {
        case .series(let piece): return .series(piece.translated(by: offset))
        case .samples(let table):
            let moved = (table.interval.lowerBound + offset)...(table.interval.upperBound + offset)
            return .samples(SimpsonSamples(interval: moved, theta: table.theta, h: table.h, zones: table.zones))
        }
    }

    /// ∫ ρ dx over the interval.
    var mass: Double {
        switch self {
        case .series(let piece): return piece.mass
        case .samples(let table): return table.integral(fromTheta: 0, toTheta: Double.pi)
        }
    }

    /// ∫ ρ dx between x(θ0) and x(θ1): exact for the series, Gauss–Legendre on the samples' interpolant.
    func mass(fromTheta t0: Double, toTheta t1: Double, interval: ClosedRange<Double>) -> Double {
        switch self {
        case .series(let piece):
            let a = interval.lowerBound, half = (interval.upperBound - a) / 2
            func xOf(_ t: Double) -> Double { t <= 0 ? a : (t >= Double.pi ? interval.upperBound : a + half * (1 - Double.cos(t))) }
            return piece.integral(upTo: xOf(t1)) - piece.integral(upTo: xOf(t0))
        case .samples(let table):
            return table.integral(fromTheta: t0, toTheta: t1)
        }
    }
}

extension SimpsonSamples {
    /// The interpolant of h at θ (the 4-point Lagrange stencil of `density(at:)`).
    func h(atTheta t: Double) -> Double {
        guard theta.count >= 4 else { return 0 }
        if let (zone, s) = zone(atTheta: t) { return zone.h(atDistance: s) }
        let value = SortedSamples.cubic(theta, h, at: t)
        return value.isNaN ? .nan : max(0, value)
    }

    /// ∫ h dθ from t0 to t1: 5-point Gauss–Legendre between consecutive samples (where the
    /// interpolant is one cubic, so the rule is exact up to the clamp at 0).
    func integral(fromTheta t0: Double, toTheta t1: Double) -> Double {
        guard t1 > t0, theta.count >= 4 else { return 0 }
        // The parts in a hard edge's zone from the zone, the rest from the interpolant.
        for z in zones {
            if z.side == 0, t0 < z.width {
                let inside = z.integral(upTo: min(t1, z.width)) - z.integral(upTo: t0)
                return inside + (t1 > z.width ? integral(fromTheta: z.width, toTheta: t1) : 0)
            }
            if z.side == 1, t1 > Double.pi - z.width {
                let lower = max(t0, Double.pi - z.width)
                let inside = z.integral(upTo: Double.pi - lower) - z.integral(upTo: Double.pi - t1)
                return inside + (t0 < lower ? integral(fromTheta: t0, toTheta: lower) : 0)
            }
        }
        let nodes = [-0.9061798459386640, -0.5384693101056831, 0, 0.5384693101056831, 0.9061798459386640]
        let weights = [0.2369268850561891, 0.4786286704993665, 0.5688888888888889, 0.4786286704993665, 0.2369268850561891]
        // the samples strictly between t0 and t1 (theta is sorted)
        func firstAbove(_ t: Double) -> Int {
            var lo = 0, hi = theta.count
            while lo < hi { let mid = (lo + hi) / 2; if theta[mid] <= t { lo = mid + 1 } else { hi = mid } }
            return lo
        }
        var breaks = [t0]
        var k = firstAbove(t0)
        while k < theta.count && theta[k] < t1 { breaks.append(theta[k]); k += 1 }
        breaks.append(t1)
        var sum = 0.0
        for k in 1..<breaks.count {
            let l = breaks[k - 1], r = breaks[k], c = (l + r) / 2, w = (r - l) / 2
            for (n, g) in zip(nodes, weights) { sum += g * w * h(atTheta: c + w * n) }
        }
        return sum
    }
}
