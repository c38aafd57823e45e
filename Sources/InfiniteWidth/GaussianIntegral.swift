import Foundation

/// Composite Gauss–Legendre integration against the standard normal density, with panel
/// boundaries at the activation's kinks so that piecewise-smooth integrands are integrated to
/// near machine precision.
enum GaussianIntegral {
    /// Half-width of the integration range; e^{-R²/2} underflows far beyond it.
    static let range = 40.0

    /// Nodes and weights of the n-point Gauss–Legendre rule on [−1, 1] (Newton on P_n).
    static func gaussLegendre(_ n: Int) -> (nodes: [Double], weights: [Double]) {
        var x = [Double](repeating: 0, count: n), w = [Double](repeating: 0, count: n)
        for i in 0..<(n + 1) / 2 {
            var z = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            var dp = 0.0
            for _ in 0..<100 {
                var p0 = 1.0, p1 = z
                for k in 2...max(n, 2) where n >= 2 {
                    let p2 = (Double(2 * k - 1) * z * p1 - Double(k - 1) * p0) / Double(k)
                    p0 = p1; p1 = p2
                }
                if n == 1 { p1 = z; p0 = 1 }
                dp = Double(n) * (z * p1 - p0) / (z * z - 1)
                let dz = p1 / dp
                z -= dz
                if abs(dz) < 1e-16 { break }
            }
            x[i] = -z; x[n - 1 - i] = z
            let wi = 2 / ((1 - z * z) * dp * dp)
            w[i] = wi; w[n - 1 - i] = wi
        }
        return (x, w)
    }

    static let rule24 = gaussLegendre(24)

    /// Panel edges on [−range, range] of width ≤ `width`, always including the breakpoints.
    static func panels(width: Double, breakpoints: [Double], range: Double = GaussianIntegral.range) -> [Double] {
        var edges = Set<Double>()
        for b in breakpoints where abs(b) < range { edges.insert(b) }
        edges.insert(-range); edges.insert(range)
        let sorted = edges.sorted()
        var out: [Double] = [sorted[0]]
        for i in 1..<sorted.count {
            let a = sorted[i - 1], b = sorted[i]
            let m = max(1, Int(((b - a) / width).rounded(.up)))
            for j in 1...m { out.append(a + (b - a) * Double(j) / Double(m)) }
        }
        return out
    }

    /// Nodes x and weights w with Σ w f(x) ≈ E f(ξ), ξ ~ N(0, 1), the normal density folded in.
    static func normalRule(width: Double = 0.5, breakpoints: [Double] = [0]) -> (nodes: [Double], weights: [Double]) {
        let edges = panels(width: width, breakpoints: breakpoints)
        let (gx, gw) = rule24
        var nodes: [Double] = [], weights: [Double] = []
        nodes.reserveCapacity(edges.count * gx.count)
        let c = 1 / (2 * Double.pi).squareRoot()
        for i in 1..<edges.count {
            let a = edges[i - 1], b = edges[i]
            let h = (b - a) / 2, m = (a + b) / 2
            for j in gx.indices {
                let x = m + h * gx[j]
                nodes.append(x)
                weights.append(h * gw[j] * c * exp(-x * x / 2))
            }
        }
        return (nodes, weights)
    }

    static func expectation(breakpoints: [Double] = [0], _ f: (Double) -> Double) -> Double {
        let (x, w) = normalRule(breakpoints: breakpoints)
        var s = 0.0
        for i in x.indices { s += w[i] * f(x[i]) }
        return s
    }
}
