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

    /// outer(inner(t)) truncated at order N, by Horner's scheme: N truncated multiplications.
    /// Requires inner[0] == 0, so that order-j coefficients only involve outer_0 … outer_j and
    /// the first N+1 coefficients of the result are exact.
    public static func compose(outer c: [Double], inner p: [Double], order n: Int) -> [Double] {
        precondition(p.isEmpty || p[0] == 0, "inner series must vanish at 0")
        let top = min(c.count - 1, n)
        var r = [Double](repeating: 0, count: n + 1)
        guard top >= 0 else { return r }
        r[0] = c[top]
        var k = top - 1
        while k >= 0 {
            // r ← r·p + c_k; r·p has no constant term. Only orders ≤ n − k can still matter.
            var next = multiply(r, p, order: n)
            next[0] += c[k]
            r = next
            k -= 1
        }
        return r
    }

    /// Σ_j c_j x^j by Horner.
    public static func evaluate(_ c: [Double], at x: Double) -> Double {
        var s = 0.0
        for j in stride(from: c.count - 1, through: 0, by: -1) { s = s * x + c[j] }
        return s
    }
}
