import Foundation
import LimitLaws

/// What the comparison needs from a limit law: its CDF (density integrated plus atoms),
/// its atoms and the support of its continuous part. `LimitSpectrum` conforms.
public protocol LimitDistribution {
    func cdf(_ x: Double) -> Double
    var atoms: [Atom] { get }
    var support: [ClosedRange<Double>] { get }
}

extension LimitSpectrum: LimitDistribution {}

/// An eigenvalue beyond the limit law's support.
public struct Outliers: Sendable, Equatable {
    public var below: [Double]
    public var above: [Double]
    /// Eigenvalues in gaps between support intervals (away from atoms).
    public var inGaps: [Double]
    public var count: Int { below.count + above.count + inGaps.count }
}

public struct SampleComparison: Sendable {
    /// sup_x |F_n(x) − F(x)|, F_n the empirical eigenvalue CDF, F the limit CDF.
    public let ks: Double
    /// Where the KS supremum is attained.
    public let ksLocation: Double
    /// ∫ |F_n(x) − F(x)| dx (the Wasserstein-1 distance between the two laws).
    public let w1: Double
    public let outliers: Outliers
    public let n: Int
}

public struct Histogram: Sendable, Equatable {
    /// Bin centres (the plot grid).
    public let centers: [Double]
    /// Density: count / (n · bin width), comparable with the limit density.
    public let density: [Double]
    public let counts: [Int]
    /// Eigenvalues left of the first bin and right of the last one.
    public let below: Int
    public let above: Int
}

public enum SpectrumStatistics {
    /// Eigenvalues within `tolerance` of an atom are moved onto the nearest such atom (rounding: e.g.
    /// the exact zeros of a rank-deficient Gram come out as ±1e-7·λ_max in float32).
    public static func snapToAtoms(_ sorted: [Double], atoms: [Atom], tolerance: Double) -> [Double] {
        guard !atoms.isEmpty, tolerance > 0 else { return sorted }
        return sorted.map { x in
            let near = atoms.filter { abs(x - $0.location) <= tolerance }
            return near.min { abs(x - $0.location) < abs(x - $1.location) }?.location ?? x
        }
    }

    /// Default atom tolerance: a precision-dependent multiple of the largest |eigenvalue|.
    public static func atomTolerance(_ eigenvalues: [Double], precision: Precision) -> Double {
        let m = eigenvalues.map(abs).max() ?? 0
        return (precision == .float32 ? 1e-4 : 1e-9) * max(m, 1e-300)
    }

    /// Kolmogorov–Smirnov and Wasserstein-1 distances between the empirical law of `eigenvalues`
    /// and `law`, plus the outliers beyond its support (widened by `edgeTolerance` × support width).
    public static func compare(_ eigenvalues: [Double], with law: some LimitDistribution,
                               precision: Precision = .float64, edgeTolerance: Double = 0.02,
                               w1GridPoints: Int = 4000) -> SampleComparison {
        let n = eigenvalues.count
        precondition(n > 0)
        let tol = atomTolerance(eigenvalues, precision: precision)
        let x = snapToAtoms(eigenvalues.sorted(), atoms: law.atoms, tolerance: tol)
        let nd = Double(n)

        // KS: at each distinct value v, compare F(v) with F_n(v) and F(v⁻) with F_n(v⁻).
        var ks = 0.0, ksAt = x[0]
        var i = 0
        while i < n {
            var j = i
            while j + 1 < n && x[j + 1] == x[i] { j += 1 }
            let v = x[i]
            let fv = law.cdf(v)
            let atomMass = law.atoms.filter { $0.location == v }.reduce(0) { $0 + $1.mass }
            let fvMinus = fv - atomMass
            let d1 = abs(Double(j + 1) / nd - fv), d2 = abs(Double(i) / nd - fvMinus)
            if max(d1, d2) > ks { ks = max(d1, d2); ksAt = v }
            i = j + 1
        }

        // W1 = ∫|F_n − F| dx over [min, max] of the eigenvalues ∪ support ∪ atoms, on the merged set of
        // eigenvalues, atoms and a uniform grid; F_n is constant between breakpoints, F is integrated by
        // Simpson's rule on each piece.
        var lo = x[0], hi = x[n - 1]
        for s in law.support { lo = min(lo, s.lowerBound); hi = max(hi, s.upperBound) }
        for a in law.atoms { lo = min(lo, a.location); hi = max(hi, a.location) }
        var pts = x + law.atoms.map(\.location)
        if hi > lo { pts += UniformGrid.points(lo...hi, count: w1GridPoints + 1) }
        pts.sort()
        var w1 = 0.0
        var k = 0  // number of eigenvalues ≤ current left point
        for p in 0..<(pts.count - 1) {
            let a = pts[p], b = pts[p + 1]
            while k < n && x[k] <= a { k += 1 }
            guard b > a else { continue }
            let fn = Double(k) / nd
            let m = 0.5 * (a + b)
            // F at the piece's ends: right limit at a, left limit at b (atoms sit on breakpoints).
            let fa = law.cdf(a + 1e-12 * max(1, abs(a)))
            let fb = law.cdf(b - 1e-12 * max(1, abs(b)))
            let fm = law.cdf(m)
            w1 += (b - a) * (abs(fn - fa) + 4 * abs(fn - fm) + abs(fn - fb)) / 6
        }

        return SampleComparison(ks: ks, ksLocation: ksAt, w1: w1,
                                  outliers: outliers(x, law: law, edgeTolerance: edgeTolerance, atomTolerance: tol), n: n)
    }

    /// Eigenvalues outside the support (intervals widened by `edgeTolerance` × the hull's width) that are not at an atom.
    public static func outliers(_ sorted: [Double], law: some LimitDistribution, edgeTolerance: Double = 0.02,
                                atomTolerance: Double = 0) -> Outliers {
        let sup = law.support.sorted { $0.lowerBound < $1.lowerBound }
        var out = Outliers(below: [], above: [], inGaps: [])
        guard let first = sup.first, let last = sup.last else { return out }
        let width = max(last.upperBound - first.lowerBound, 1e-12)
        let pad = edgeTolerance * width
        let loEdge = min(first.lowerBound - pad, law.atoms.map(\.location).min().map { $0 - atomTolerance } ?? .infinity)
        let hiEdge = max(last.upperBound + pad, law.atoms.map(\.location).max().map { $0 + atomTolerance } ?? -.infinity)
        for v in sorted {
            if law.atoms.contains(where: { abs($0.location - v) <= atomTolerance }) { continue }
            if v < loEdge { out.below.append(v); continue }
            if v > hiEdge { out.above.append(v); continue }
            if !sup.contains(where: { v >= $0.lowerBound - pad && v <= $0.upperBound + pad }) { out.inGaps.append(v) }
        }
        return out
    }

    /// Histogram on the display grid of a limit law (`LimitSpectrum.x`), for overlays on its density.
    public static func histogram(_ eigenvalues: [Double], on law: LimitSpectrum) -> Histogram {
        histogram(eigenvalues, centers: law.x)
    }

    /// Histogram of `eigenvalues` on the plot grid `centers` (uniform or not): bin edges are the
    /// midpoints between centres, the outer bins extend half a spacing beyond the first/last centre.
    public static func histogram(_ eigenvalues: [Double], centers: [Double]) -> Histogram {
        let m = centers.count
        guard m > 0 else { return Histogram(centers: [], density: [], counts: [], below: 0, above: eigenvalues.count) }
        var edges = [Double](repeating: 0, count: m + 1)
        if m == 1 {
            edges = [centers[0] - 0.5, centers[0] + 0.5]
        } else {
            for i in 1..<m { edges[i] = 0.5 * (centers[i - 1] + centers[i]) }
            edges[0] = centers[0] - (edges[1] - centers[0])
            edges[m] = centers[m - 1] + (centers[m - 1] - edges[m - 1])
        }
        var counts = [Int](repeating: 0, count: m)
        var below = 0, above = 0
        for v in eigenvalues {
            if v < edges[0] { below += 1; continue }
            if v >= edges[m] { above += 1; continue }
            // binary search for the bin: edges[b] ≤ v < edges[b+1]
            var lo = 0, hi = m
            while hi - lo > 1 { let mid = (lo + hi) / 2; if edges[mid] <= v { lo = mid } else { hi = mid } }
            counts[lo] += 1
        }
        let nd = Double(max(1, eigenvalues.count))
        let density = (0..<m).map { Double(counts[$0]) / (nd * (edges[$0 + 1] - edges[$0])) }
        return Histogram(centers: centers, density: density, counts: counts, below: below, above: above)
    }
}
