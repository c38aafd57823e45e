import Foundation

/// Truncated power series Σ_{j≤N} c_j t^j as coefficient arrays c_0 … c_N.
public enum PowerSeries {
    /// (a·b) truncated at order N: O(N²).
    public static func multiply(_ a: [Double], _ b: [Double], order n: Int) -> [Double] {
        var out = [Double](repeating: 0, count: n + 1)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { o in
                    let na = min(a.count - 1, n)
                    for i in 0...max(na, 0) where i < a.count {
                        let ai = a[i]
                        if ai == 0 { continue }
                        let jmax = min(b.count - 1, n - i)
                        if jmax < 0 { continue }
                        for j in 0...jmax { o[i + j] += ai * b[j] }
                    }
                }
            }
        }
        return out
    }

    /// outer(inner(t)) truncated at order N, by Horner's scheme. Requires inner[0] == 0, so that
    /// order-j coefficients only involve outer_0 … outer_j and the first N+1 coefficients of the
    /// result are exact. After the step that adds outer_k only orders ≤ N − k can still reach the
    /// result (they are multiplied by inner^k later), so each product is truncated there: about
    /// N³/6 multiply-adds. `step` is called after each of the steps (for progress and cancellation;
    /// returning false stops early, with a partial result).
    public static func compose(outer c: [Double], inner p: [Double], order n: Int,
                               step: ((Int) -> Bool)? = nil) -> [Double] {
        precondition(p.isEmpty || p[0] == 0, "inner series must vanish at 0")
        let top = min(c.count - 1, n)
        var r = [Double](repeating: 0, count: n + 1)
        guard top >= 0 else { return r }
        var next = [Double](repeating: 0, count: n + 1)
        r[0] = c[top]
        var used = 0   // r's highest non-zero order
        var k = top - 1
        while k >= 0 {
            // r ← r·p + c_k, kept to order n − k
            let limit = n - k
            next.withUnsafeMutableBufferPointer { o in
                for j in 0...limit { o[j] = 0 }
                r.withUnsafeBufferPointer { r in
                    p.withUnsafeBufferPointer { p in
                        let pTop = p.count - 1
                        for i in 0...min(used, limit) {
                            let ri = r[i]
                            if ri == 0 { continue }
                            let jmax = min(pTop, limit - i)
                            if jmax < 1 { continue }
                            for j in 1...jmax { o[i + j] += ri * p[j] }
                        }
                    }
                }
                o[0] += c[k]
            }
            swap(&r, &next)
            used = limit
            if let step, !step(top - k) { break }
            k -= 1
        }
        return r   // entries above `used` were never written: still 0
    }

    /// outer_m(inner(t)) for several outer series sharing one inner series (inner[0] == 0), truncated
    /// at order N, as Σ_k outer_m[k]·inner^k with the powers built one at a time: inner^k has no
    /// orders below k, so the product that makes inner^{k+1} costs about (N − k)²/2 and all the outer
    /// series together cost N³/6 — one Horner composition's work for all of them. All terms are
    /// ≥ 0 when the series are (no cancellation). `step` as in `compose`.
    public static func composeMany(outers: [[Double]], inner p: [Double], order n: Int,
                                   step: ((Int) -> Bool)? = nil) -> [[Double]] {
        precondition(p.isEmpty || p[0] == 0, "inner series must vanish at 0")
        var out = outers.map { c -> [Double] in
            var r = [Double](repeating: 0, count: n + 1)
            if let c0 = c.first { r[0] = c0 }
            return r
        }
        let top = min(n, outers.map { $0.count - 1 }.max() ?? 0)
        guard top >= 1 else { return out }
        var power = [Double](repeating: 0, count: n + 1)   // inner^k
        for j in 1...min(n, p.count - 1) { power[j] = p[j] }
        var next = [Double](repeating: 0, count: n + 1)
        let pTop = min(n, p.count - 1)
        for k in 1...top {
            // out_m += outer_m[k] · inner^k   (orders k … N)
            for m in outers.indices where k < outers[m].count {
                let c = outers[m][k]
                if c == 0 { continue }
                out[m].withUnsafeMutableBufferPointer { o in
                    power.withUnsafeBufferPointer { pw in for j in k...n { o[j] += c * pw[j] } }
                }
            }
            if k == top { break }
            // inner^{k+1} = inner^k · inner, orders k+1 … N
            next.withUnsafeMutableBufferPointer { o in
                for j in 0...n { o[j] = 0 }
                power.withUnsafeBufferPointer { pw in
                    p.withUnsafeBufferPointer { p in
                        for i in k...n {
                            let a = pw[i]
                            if a == 0 { continue }
                            let jmax = min(pTop, n - i)
                            if jmax < 1 { continue }
                            for j in 1...jmax { o[i + j] += a * p[j] }
                        }
                    }
                }
            }
            swap(&power, &next)
            if let step, !step(k) { break }
        }
        return out
    }

    /// Σ_j c_j x^j by Horner.
    public static func evaluate(_ c: [Double], at x: Double) -> Double {
        var s = 0.0
        for j in stride(from: c.count - 1, through: 0, by: -1) { s = s * x + c[j] }
        return s
    }

    /// The Taylor coefficients b_0 … b_N of g(s) = Σ_k a_k (c₀ + (1 − c₀) s)^k about s = 0, for
    /// 0 ≤ c₀ ≤ 1 and a_k ≥ 0: b_m = Σ_k a_k Binomial(m; k, 1 − c₀), so each a_k is spread over the
    /// orders m ≤ k with binomial weights — all terms non-negative, no cancellation, and
    /// Σ_m b_m = Σ_k a_k whenever k ≤ N for all a_k ≠ 0 (otherwise the mass that lands above N is
    /// the series' tail). This re-expands a dual kernel around the inner kernel's value at ρ = 0
    /// when that is not 0 (biases, uncentred σ).
    public static func recentre(_ a: [Double], at c0: Double, order n: Int) -> [Double] {
        var b = [Double](repeating: 0, count: n + 1)
        if c0 <= 0 {
            for k in 0...min(n, a.count - 1) { b[k] = a[k] }
            return b
        }
        if c0 >= 1 {
            b[0] = a.reduce(0, +)
            return b
        }
        let p = 1 - c0, lp = log(p), lq = log(c0)
        let kmax = a.count - 1
        var lf = [Double](repeating: 0, count: kmax + 1)   // log k!
        for k in 1..<max(1, kmax + 1) { lf[k] = lf[k - 1] + log(Double(k)) }
        b.withUnsafeMutableBufferPointer { b in
            for k in 0...kmax {
                let ak = a[k]
                if ak == 0 { continue }
                if k == 0 { b[0] += ak; continue }
                // the binomial's mass lies within ±(12 sd + 12) of its mean k·p
                let mean = Double(k) * p, sd = (Double(k) * p * c0).squareRoot()
                let lo = max(0, Int(mean - 12 * sd - 12)), hi = min(k, n, Int(mean + 12 * sd + 12))
                if lo > hi { continue }
                for m in lo...hi {
                    let lw = lf[k] - lf[m] - lf[k - m] + Double(m) * lp + Double(k - m) * lq
                    b[m] += ak * exp(lw)
                }
            }
        }
        return b
    }
}
