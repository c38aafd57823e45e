import Foundation
import LimitLaws
import PlotCanvas

extension DisplaySpectrum {
    /// The CDF F(x): the solver's (quadrature of its Chebyshev series plus atoms) when this law came
    /// from the engine, else the display grid integrated by the trapezoid rule plus the atoms ≤ x.
    public func cdf(_ t: Double) -> Double {
        if let law { return law.cdf(t) }
        var m = atoms.filter { $0.location <= t }.map(\.mass).reduce(0, +)
        guard x.count >= 2, t > x[0] else { return min(1, m) }
        let cols = DensityPlot.columnAverages(PlotCurve(role: .theory, x: x, y: density), range: x[0]...max(t, x[0].nextUp), count: 1)
        m += (cols.first ?? 0) * (t - x[0])
        return min(1, max(0, m))
    }

    /// The density at x, linear between the points of the finest grid drawn there (0 outside the grid).
    public func density(at t: Double) -> Double {
        let c = curve(in: t...t)
        guard let i = c.x.firstIndex(where: { $0 >= t }) else { return 0 }
        if i == 0 { return c.x[0] == t ? c.density[0] : 0 }
        let (x0, x1, y0, y1) = (c.x[i - 1], c.x[i], c.density[i - 1], c.density[i])
        guard y0.isFinite, y1.isFinite, x1 > x0 else { return y0.isFinite ? y0 : .nan }
        return y0 + (y1 - y0) * (t - x0) / (x1 - x0)
    }
}

/// Distances between two laws from their CDFs: KS = sup |F_A − F_B| and W1 = ∫ |F_A − F_B| dλ,
/// each law optionally in units of a scale (its mean: λ/E λ). Evaluated on 4000 points over the union
/// of the ranges plus both sides of every atom (where the CDFs jump).
public enum LawDistance {
    public static func between(_ a: DisplaySpectrum, _ b: DisplaySpectrum, scaleA: Double = 1, scaleB: Double = 1,
                               points: Int = 4000) -> (ks: Double, w1: Double) {
        let ra = a.fullRange, rb = b.fullRange
        let lo = min(ra.lowerBound / scaleA, rb.lowerBound / scaleB), hi = max(ra.upperBound / scaleA, rb.upperBound / scaleB)
        guard hi > lo else { return (.nan, .nan) }
        var xs = UniformGrid.points(lo...hi, count: points + 1)
        for t in a.atoms.map({ $0.location / scaleA }) + b.atoms.map({ $0.location / scaleB }) { xs += [t.nextDown, t] }
        xs.sort()
        var ks = 0.0, w1 = 0.0
        var previous: (x: Double, gap: Double)?
        for t in xs {
            let gap = abs(a.cdf(t * scaleA) - b.cdf(t * scaleB))
            if gap.isFinite { ks = max(ks, gap) }
            if let p = previous, gap.isFinite, p.gap.isFinite { w1 += 0.5 * (p.gap + gap) * (t - p.x) }
            previous = (t, gap)
        }
        return (ks, w1)
    }
}
