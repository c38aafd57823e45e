import RealModule

/// Expectations over a standard Gaussian ξ ~ N(0, 1), computed by quadrature.
///
/// Smooth integrands use Gauss–Hermite quadrature; integrands with kinks (ReLU-like activations)
/// are split at their breakpoints and integrated piece by piece with composite Gauss–Legendre
/// rules over [−14, 14] (the Gaussian tail beyond 14 is below 1e−43), so a kink costs no accuracy.
public enum GaussianQuadrature {
    /// Nodes and weights of the Gauss–Hermite rule for E f(ξ), ξ ~ N(0,1): E f ≈ Σ w_i f(x_i).
    public static let hermite: (nodes: [Double], weights: [Double]) = gaussHermite(count: 160)

    /// Nodes and weights of the 20-point Gauss–Legendre rule on [−1, 1].
    static let legendre: (nodes: [Double], weights: [Double]) = gaussLegendre(count: 20)
    /// The 8-point Gauss–Legendre rule on [−1, 1].
    static let legendre8: (nodes: [Double], weights: [Double]) = gaussLegendre(count: 8)

    /// E f(ξ) for a smooth f.
    public static func expectation(_ f: (Double) -> Double) -> Double {
        var sum = 0.0
        let (x, w) = hermite
        for i in x.indices { sum += w[i] * f(x[i]) }
        return sum
    }

    /// E f(ξ) for an f that is smooth between the given breakpoints.
    public static func expectation(breakpoints: [Double], _ f: (Double) -> Double) -> Double {
        let cut = 14.0
        var edges = [-cut] + breakpoints.filter { abs($0) < cut }.sorted() + [cut]
        edges = edges.reduce(into: [Double]()) { acc, e in if acc.last != e { acc.append(e) } }
        var sum = 0.0
        let (t, w) = legendre
        let panelWidth = 0.5
        for k in 0..<(edges.count - 1) {
            let a = edges[k], b = edges[k + 1]
            let panels = max(1, Int(((b - a) / panelWidth).rounded(.up)))
            let h = (b - a) / Double(panels)
            for p in 0..<panels {
                let lo = a + Double(p) * h
                let mid = lo + h / 2, half = h / 2
                for i in t.indices {
                    let x = mid + half * t[i]
                    sum += half * w[i] * f(x) * standardNormalDensity(x)
                }
            }
        }
        return sum
    }

    @inline(__always)
    public static func standardNormalDensity(_ x: Double) -> Double {
        Double.exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
    }

    /// Gauss–Hermite rule (physicists' weight e^{−x²}) by Newton iteration on the orthonormal
    /// recurrence, rescaled to the standard normal: nodes √2·x_i, weights w_i/√π.
    static func gaussHermite(count n: Int) -> (nodes: [Double], weights: [Double]) {
        var x = [Double](repeating: 0, count: n)
        var w = [Double](repeating: 0, count: n)
        let pim4 = 0.7511255444649425 // π^{-1/4}
        var z = 0.0
        let m = (n + 1) / 2
        for i in 0..<m {
            switch i {
            case 0: z = (Double(2 * n + 1)).squareRoot() - 1.85575 * Double.pow(Double(2 * n + 1), -0.16667)
            case 1: z -= 1.14 * Double.pow(Double(n), 0.426) / z
            case 2: z = 1.86 * z - 0.86 * x[0]
            case 3: z = 1.91 * z - 0.91 * x[1]
            default: z = 2.0 * z - x[i - 2]
            }
            var pp = 0.0
            for _ in 0..<100 {
                var p1 = pim4, p2 = 0.0
                for j in 0..<n {
                    let p3 = p2
                    p2 = p1
                    p1 = z * (2.0 / Double(j + 1)).squareRoot() * p2 - (Double(j) / Double(j + 1)).squareRoot() * p3
                }
                pp = (2.0 * Double(n)).squareRoot() * p2
                let z1 = z
                z = z1 - p1 / pp
                if abs(z - z1) <= 1e-15 * max(1, abs(z)) { break }
            }
            x[i] = z
            x[n - 1 - i] = -z
            w[i] = 2.0 / (pp * pp)
            w[n - 1 - i] = w[i]
        }
        let sqrtPi = Double.pi.squareRoot()
        return (x.map { $0 * 2.0.squareRoot() }.reversed(), w.map { $0 / sqrtPi }.reversed())
    }

    /// Gauss–Legendre rule on [−1, 1] by Newton iteration on the Legendre recurrence.
    static func gaussLegendre(count n: Int) -> (nodes: [Double], weights: [Double]) {
        var x = [Double](repeating: 0, count: n)
        var w = [Double](repeating: 0, count: n)
        for i in 0..<((n + 1) / 2) {
            var z = Double.cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            var pp = 0.0
            for _ in 0..<100 {
                var p1 = 1.0, p2 = 0.0
                for j in 0..<n {
                    let p3 = p2
                    p2 = p1
                    p1 = ((2.0 * Double(j) + 1.0) * z * p2 - Double(j) * p3) / Double(j + 1)
                }
                pp = Double(n) * (z * p1 - p2) / (z * z - 1.0)
                let z1 = z
                z = z1 - p1 / pp
                if abs(z - z1) <= 1e-16 { break }
            }
            x[i] = -z
            x[n - 1 - i] = z
            w[i] = 2.0 / ((1.0 - z * z) * pp * pp)
            w[n - 1 - i] = w[i]
        }
        return (x, w)
    }
}
