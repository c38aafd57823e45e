import ComplexModule
import RealModule

/// A complex number with one forward-mode tangent: (v, dv/dθ).
struct ComplexDual {
    var v: ComplexDouble
    var d: ComplexDouble

    @inline(__always) init(_ v: ComplexDouble, _ d: ComplexDouble = .zero) { self.v = v; self.d = d }
    @inline(__always) init(_ x: Double) { v = ComplexDouble(x); d = .zero }

    @inline(__always) static func + (a: Self, b: Self) -> Self { Self(a.v + b.v, a.d + b.d) }
    @inline(__always) static func - (a: Self, b: Self) -> Self { Self(a.v - b.v, a.d - b.d) }
    @inline(__always) static func * (a: Self, b: Self) -> Self { Self(a.v * b.v, a.d * b.v + a.v * b.d) }
    @inline(__always) static func * (a: Double, b: Self) -> Self { Self(b.v.multiplied(by: a), b.d.multiplied(by: a)) }
    @inline(__always) static func / (a: Self, b: Self) -> Self {
        let inv = fastReciprocal(b.v)
        let q = a.v * inv
        return Self(q, (a.d - q * b.d) * inv)
    }
}

/// 1/z without the overflow guards of the library division (the chain's values are moderate).
@inline(__always) func fastReciprocal(_ z: ComplexDouble) -> ComplexDouble {
    let n = z.real * z.real + z.imaginary * z.imaginary
    return ComplexDouble(z.real / n, -z.imaginary / n)
}

/// The result of solving the chain at one spectral point ζ.
struct PointSolution: Sendable {
    var u: [ComplexDouble]
    var stieltjes: ComplexDouble
    var iterations: Int
}

/// Newton's method on the chain's J unknowns jointly, with an exact Jacobian from forward-mode
/// differentiation (J directional passes of O(J) each).
struct ChainSolver {
    let chain: CombinationChain
    let J: Int
    private let gammas: [Double]
    private let b2: [Double]
    private let c: [Double]
    /// Distinct atoms of a discrete base law and their weights.
    private let baseValues: [Double]?
    private let baseWeights: [Double]

    // Work buffers.
    private var zm: [ComplexDual]
    private var zTop: [ComplexDual]
    private var numer: [ComplexDual]
    private var jac: [ComplexDouble]
    private var f: [ComplexDouble]
    private var pivots: [Int]
    // Values and gradients (row k holds d/du of quantity k) for the one-pass Jacobian.
    private var vzm: [ComplexDouble], vtop: [ComplexDouble], vnum: [ComplexDouble]
    private var gzm: [ComplexDouble], gtop: [ComplexDouble], gnum: [ComplexDouble]
    private var gT: [ComplexDouble], gTau0: [ComplexDouble], gP: [ComplexDouble], gTmp: [ComplexDouble]

    init(chain: CombinationChain) {
        self.chain = chain
        J = chain.levels
        gammas = chain.links.map(\.gamma)
        b2 = chain.links.map(\.b2)
        c = chain.coefficients
        if case .discrete(let law) = chain.base {
            baseValues = law.values
            baseWeights = law.weights
        } else {
            baseValues = nil
            baseWeights = []
        }
        zm = Array(repeating: ComplexDual(0), count: J + 1)
        zTop = Array(repeating: ComplexDual(0), count: J + 1)
        numer = Array(repeating: ComplexDual(0), count: J + 1)
        jac = Array(repeating: .zero, count: J * J)
        pivots = Array(repeating: 0, count: J)
        f = Array(repeating: .zero, count: J)
        vzm = Array(repeating: .zero, count: J + 1)
        vtop = Array(repeating: .zero, count: J + 1)
        vnum = Array(repeating: .zero, count: J + 1)
        gzm = Array(repeating: .zero, count: (J + 1) * max(J, 1))
        gtop = Array(repeating: .zero, count: (J + 1) * max(J, 1))
        gnum = Array(repeating: .zero, count: (J + 1) * max(J, 1))
        gT = Array(repeating: .zero, count: max(J, 1))
        gTau0 = Array(repeating: .zero, count: max(J, 1))
        gP = Array(repeating: .zero, count: max(J, 1))
        gTmp = Array(repeating: .zero, count: max(J, 1))
    }

    /// F(u) and, with `jacobian`, its full Jacobian in one pass: values once, gradients as
    /// J-vectors (O(J²)). Same equations as `evaluate`, differentiated by hand. Returns T = m(ζ).
    @discardableResult
    private mutating func evaluateWithJacobian(u: [ComplexDouble], zeta: ComplexDouble, jacobian: Bool = true) -> ComplexDouble {
        let n = J
        let shift = chain.shift
        return u.withUnsafeBufferPointer { u in
        c.withUnsafeBufferPointer { c in
        b2.withUnsafeBufferPointer { b2 in
        gammas.withUnsafeBufferPointer { gammas in
        vzm.withUnsafeMutableBufferPointer { vzm in
        vtop.withUnsafeMutableBufferPointer { vtop in
        vnum.withUnsafeMutableBufferPointer { vnum in
        gzm.withUnsafeMutableBufferPointer { gzm in
        gtop.withUnsafeMutableBufferPointer { gtop in
        gnum.withUnsafeMutableBufferPointer { gnum in
        gT.withUnsafeMutableBufferPointer { gT in
        gTau0.withUnsafeMutableBufferPointer { gTau0 in
        gP.withUnsafeMutableBufferPointer { gP in
        f.withUnsafeMutableBufferPointer { f in
        jac.withUnsafeMutableBufferPointer { jac in
            @inline(__always) func clear(_ a: UnsafeMutableBufferPointer<ComplexDouble>, _ row: Int) {
                for d in 0..<n { a[row * n + d] = .zero }
            }
            vzm[n] = ComplexDouble(shift) - zeta
            vtop[n] = ComplexDouble(c[n])
            if jacobian { clear(gzm, n); clear(gtop, n) }
            var j = n
            while j >= 1 {
                let bb = b2[j - 1]
                vzm[j - 1] = vzm[j] + u[j - 1].multiplied(by: 1 - bb)
                vtop[j - 1] = ComplexDouble(c[j - 1]) + u[j - 1].multiplied(by: bb)
                if jacobian {
                    for d in 0..<n { gzm[(j - 1) * n + d] = gzm[j * n + d] }
                    gzm[(j - 1) * n + (j - 1)] = gzm[(j - 1) * n + (j - 1)] + ComplexDouble(1 - bb)
                    clear(gtop, j - 1)
                    gtop[(j - 1) * n + (j - 1)] = ComplexDouble(bb)
                }
                j -= 1
            }
            var T: ComplexDouble, tau0: ComplexDouble
            if let values = baseValues {
                var t = ComplexDouble.zero, t0 = ComplexDouble.zero
                var a = ComplexDouble.zero, b = ComplexDouble.zero, cc = ComplexDouble.zero
                for (i, x) in values.enumerated() {
                    let baseWeight = baseWeights[i]
                    let inv = fastReciprocal(vzm[0] + vtop[0].multiplied(by: x))
                    t = t + inv.multiplied(by: baseWeight)
                    t0 = t0 + inv.multiplied(by: baseWeight * x)
                    if jacobian {
                        let inv2 = inv * inv
                        a = a + inv2.multiplied(by: baseWeight)
                        b = b + inv2.multiplied(by: baseWeight * x)
                        cc = cc + inv2.multiplied(by: baseWeight * x * x)
                    }
                }
                T = t; tau0 = t0
                if jacobian {
                    for d in 0..<n {
                        gT[d] = -(a * gzm[d] + b * gtop[d])
                        gTau0[d] = -(b * gzm[d] + cc * gtop[d])
                    }
                }
            } else {
                T = fastReciprocal(vzm[0] + vtop[0])
                tau0 = T
                if jacobian {
                    let t2 = T * T
                    for d in 0..<n {
                        gT[d] = -(t2 * (gzm[d] + gtop[d]))
                        gTau0[d] = gT[d]
                    }
                }
            }
            var P = ComplexDouble.zero
            if jacobian { for d in 0..<n { gP[d] = .zero } }
            for k in 0..<n {
                vnum[k] = ComplexDouble(1) - vzm[k] * T - P
                if jacobian {
                    for d in 0..<n { gnum[k * n + d] = -(gzm[k * n + d] * T + vzm[k] * gT[d]) - gP[d] }
                }
                if c[k] != 0 {
                    if k == 0 {
                        P = P + tau0.multiplied(by: c[k])
                        if jacobian { for d in 0..<n { gP[d] = gP[d] + gTau0[d].multiplied(by: c[k]) } }
                    } else {
                        let inv = fastReciprocal(vtop[k])
                        let tauK = vnum[k] * inv
                        P = P + tauK.multiplied(by: c[k])
                        if jacobian {
                            for d in 0..<n { gP[d] = gP[d] + ((gnum[k * n + d] - tauK * gtop[k * n + d]) * inv).multiplied(by: c[k]) }
                        }
                    }
                }
            }
            for j in 1...n {
                let g = gammas[j - 1], bb = b2[j - 1]
                let uj = u[j - 1]
                let top = vtop[j]
                let row = (j - 1) * n
                if c[j - 1] == 0 {
                    let a = ComplexDouble(1) + (top * T).multiplied(by: g * (1 - bb))
                    f[j - 1] = uj * a + (top * vnum[j - 1]).multiplied(by: g) - top
                    guard jacobian else { continue }
                    for d in 0..<n {
                        let dTop = gtop[j * n + d]
                        var v = (uj * (dTop * T + top * gT[d])).multiplied(by: g * (1 - bb))
                        v = v + (dTop * vnum[j - 1] + top * gnum[(j - 1) * n + d]).multiplied(by: g) - dTop
                        jac[row + d] = v
                    }
                    jac[row + (j - 1)] = jac[row + (j - 1)] + a
                } else {
                    let inv = fastReciprocal(vtop[j - 1])
                    let ratio = vnum[j - 1] * inv
                    let inner = T.multiplied(by: 1 - bb) + ratio.multiplied(by: bb)
                    let a = ComplexDouble(1) + (top * inner).multiplied(by: g)
                    f[j - 1] = uj * a - top
                    guard jacobian else { continue }
                    for d in 0..<n {
                        let dTop = gtop[j * n + d]
                        let dTerm = ((gnum[(j - 1) * n + d] - ratio * gtop[(j - 1) * n + d]) * inv).multiplied(by: bb)
                        let dInner = gT[d].multiplied(by: 1 - bb) + dTerm
                        jac[row + d] = (uj * (dTop * inner + top * dInner)).multiplied(by: g) - dTop
                    }
                    jac[row + (j - 1)] = jac[row + (j - 1)] + a
                }
            }
            return T
        }}}}}}}}}}}}}}}
    }

    /// Evaluates F(u) with the tangent along unknown `direction` (or none when −1).
    /// Writes F into `f` (values) and the column `direction` of the Jacobian. Returns T = m(ζ).
    @discardableResult
    private mutating func evaluate(u: [ComplexDouble], zeta: ComplexDouble, direction: Int) -> ComplexDouble {
        @inline(__always) func U(_ j: Int) -> ComplexDual {   // level j = 1...J
            ComplexDual(u[j - 1], j - 1 == direction ? ComplexDouble(1) : .zero)
        }
        // Top-down: z^{(j)}_{−1} and z^{(j)}_j.
        zm[J] = ComplexDual(ComplexDouble(chain.shift) - zeta)
        zTop[J] = ComplexDual(c[J])
        var j = J
        while j >= 1 {
            let uj = U(j)
            zm[j - 1] = zm[j] + (1 - b2[j - 1]) * uj
            zTop[j - 1] = ComplexDual(c[j - 1]) + b2[j - 1] * uj
            j -= 1
        }
        // Base integrals: T = ∫ 1/(zm + zTop x) dμ_0, τ_0 = ∫ x/(zm + zTop x) dμ_0.
        var T = ComplexDual(0)
        var tau0 = ComplexDual(0)
        if let values = baseValues {
            for (i, x) in values.enumerated() {
                let baseWeight = baseWeights[i]
                let inv = ComplexDual(ComplexDouble(1)) / (zm[0] + x * zTop[0])
                T = T + baseWeight * inv
                tau0 = tau0 + (baseWeight * x) * inv
            }
        } else {
            T = ComplexDual(ComplexDouble(1)) / (zm[0] + zTop[0])
            tau0 = T
        }
        // Upward: N_k = 1 − z^{(k)}_{−1} T − Σ_{i<k} c_i τ_i, τ_k = N_k / z^{(k)}_k.
        var partial = ComplexDual(0)    // Σ_{i<k} c_i τ_i
        for k in 0..<J {
            numer[k] = ComplexDual(1) - zm[k] * T - partial
            if c[k] != 0 {
                let tauK = k == 0 ? tau0 : numer[k] / zTop[k]
                partial = partial + c[k] * tauK
            }
        }
        // Equations F_j, j = 1...J.
        for j in 1...J {
            let uj = U(j)
            let g = gammas[j - 1], bb = b2[j - 1]
            let value: ComplexDual
            if c[j - 1] == 0 {
                // b² τ_{j−1} = N_{j−1}/u_j, multiplied out so that u_j = 0 is harmless.
                value = uj * (ComplexDual(1) + (g * (1 - bb)) * (zTop[j] * T)) + g * (zTop[j] * numer[j - 1]) - zTop[j]
            } else {
                let term = bb * (numer[j - 1] / zTop[j - 1])
                value = uj * (ComplexDual(1) + g * (zTop[j] * ((1 - bb) * T + term))) - zTop[j]
            }
            f[j - 1] = value.v
            if direction >= 0 { jac[(j - 1) * J + direction] = value.d }
        }
        return T.v
    }

    /// Residual norm relative to the scale of the unknowns (max-norms).
    private func residual(_ u: [ComplexDouble]) -> Double {
        var r = 0.0, s = 1e-300
        for j in 0..<J {
            r = max(r, f[j].magnitude)
            s = max(s, u[j].magnitude, abs(c[j + 1]))
        }
        return r / s
    }

    /// F(u) at ζ (for tests).
    mutating func residualVector(u: [ComplexDouble], zeta: ComplexDouble) -> [ComplexDouble] {
        evaluate(u: u, zeta: zeta, direction: -1)
        return f
    }

    /// The Jacobian by the forward-mode pass, for tests of the hand-differentiated one.
    mutating func jacobians(u: [ComplexDouble], zeta: ComplexDouble) -> (dual: [ComplexDouble], direct: [ComplexDouble]) {
        for dir in 0..<J { evaluate(u: u, zeta: zeta, direction: dir) }
        let dual = jac
        evaluateWithJacobian(u: u, zeta: zeta)
        return (dual, jac)
    }

    /// Newton from `initial` at ζ. Returns nil when it does not converge within the cap
    /// or lands off the physical branch (Im m < 0, or Im u_j > 0 when every c_j ≥ 0).
    mutating func solve(zeta: ComplexDouble, initial: [ComplexDouble], maxIterations: Int = 40) -> PointSolution? {
        if J == 0 { return nil }
        var u = initial
        var T = evaluateWithJacobian(u: u, zeta: zeta, jacobian: false)
        var res = residual(u)
        var delta = [ComplexDouble](repeating: .zero, count: J)
        var trial = u
        for iteration in 0..<maxIterations {
            if res < 1e-12 {
                return accept(u: u, T: T, iterations: iteration)
            }
            evaluateWithJacobian(u: u, zeta: zeta)
            for j in 0..<J { delta[j] = -f[j] }
            guard Self.factor(&jac, &pivots, J), Self.substitute(jac, pivots, &delta, J) else { return nil }
            var step = 1.0
            var accepted = false
            var stepSize = 0.0
            for _ in 0..<8 {
                for j in 0..<J { trial[j] = u[j] + delta[j].multiplied(by: step) }
                let tT = evaluateWithJacobian(u: trial, zeta: zeta, jacobian: false)
                let tRes = residual(trial)
                if tRes.isFinite && (tRes < res || tRes < 1e-13) {
                    stepSize = 0
                    for j in 0..<J { stepSize = max(stepSize, (delta[j].multiplied(by: step)).length / max(1e-300, trial[j].length)) }
                    swap(&u, &trial); T = tT; res = tRes; accepted = true
                    break
                }
                step *= 0.5
            }
            if !accepted { return nil }
            if stepSize < 1e-15 && res < 1e-10 { return accept(u: u, T: T, iterations: iteration + 1) }
        }
        return res < 1e-10 ? accept(u: u, T: T, iterations: maxIterations) : nil
    }

    private func accept(u: [ComplexDouble], T: ComplexDouble, iterations: Int) -> PointSolution? {
        guard T.real.isFinite, T.imaginary.isFinite else { return nil }
        if T.imaginary < -1e-9 * max(1, T.length) { return nil }
        // s_j ∈ C⁺ for every real coefficients with z_L ≠ 0 (Proposition 3.6), so u_j = 1/s_j ∈ C⁻.
        for x in u where x.imaginary > 1e-9 * max(1, x.length) { return nil }
        return PointSolution(u: u, stieltjes: T, iterations: iterations)
    }

    /// The large-|ζ| solution (T → 0): u_j = z^{(j)}_j = c_j + b²_{j+1} u_{j+1}.
    var asymptoticGuess: [ComplexDouble] {
        var u = [ComplexDouble](repeating: .zero, count: J)
        var above = ComplexDouble.zero
        var j = J
        while j >= 1 {
            let top = j == J ? ComplexDouble(c[J]) : ComplexDouble(c[j]) + above.multiplied(by: b2[j])
            u[j - 1] = top
            above = top
            j -= 1
        }
        return u
    }

    /// Solves at x + iη by continuation from a large imaginary part down to η.
    mutating func solveByContinuation(x: Double, eta: Double, scale: Double) -> PointSolution? {
        var guess = asymptoticGuess
        var currentEta = max(10 * scale, 10 * eta)
        var totalIterations = 0
        var factor = 0.2
        var steps = 0
        while steps < 400 {
            steps += 1
            let target = max(eta, currentEta)
            if let s = solve(zeta: ComplexDouble(x, target), initial: guess) {
                guess = s.u
                totalIterations += s.iterations
                if target <= eta {
                    var out = s
                    out.iterations = totalIterations
                    return out
                }
                currentEta = target * factor
                factor = max(factor * 0.8, 0.05)
            } else {
                // Back off: a smaller step from the last good point.
                currentEta = currentEta / factor * (factor + (1 - factor) * 0.5)
                factor = factor + (1 - factor) * 0.5
                if factor > 0.98 { return nil }
            }
        }
        return nil
    }

    /// Solves a row-major n×n complex system (for tests and one-off use).
    static func solveLinear(_ a: inout [ComplexDouble], _ b: inout [ComplexDouble], _ n: Int) -> Bool {
        var pivots = [Int](repeating: 0, count: n)
        return factor(&a, &pivots, n) && substitute(a, pivots, &b, n)
    }

    /// LU factorisation in place with partial pivoting (multipliers below the diagonal).
    /// Pivots by |Re| + |Im| (within a factor √2 of the modulus, and far cheaper than `length`).
    static func factor(_ a: inout [ComplexDouble], _ pivots: inout [Int], _ n: Int) -> Bool {
        @inline(__always) func size(_ z: ComplexDouble) -> Double { abs(z.real) + abs(z.imaginary) }
        return a.withUnsafeMutableBufferPointer { a in
            pivots.withUnsafeMutableBufferPointer { pivots in
                for col in 0..<n {
                    var pivot = col
                    var best = size(a[col * n + col])
                    var r = col + 1
                    while r < n {
                        let s = size(a[r * n + col])
                        if s > best { best = s; pivot = r }
                        r += 1
                    }
                    if !(best > 0) || !best.isFinite { return false }
                    pivots[col] = pivot
                    if pivot != col {
                        for k in 0..<n { a.swapAt(col * n + k, pivot * n + k) }
                    }
                    let inv = fastReciprocal(a[col * n + col])
                    r = col + 1
                    while r < n {
                        let factor = a[r * n + col] * inv
                        a[r * n + col] = factor
                        var k = col + 1
                        while k < n { a[r * n + k] = a[r * n + k] - factor * a[col * n + k]; k += 1 }
                        r += 1
                    }
                }
                return true
            }
        }
    }

    /// Solves with the factors of `factor`; false when the solution is not finite.
    static func substitute(_ a: [ComplexDouble], _ pivots: [Int], _ b: inout [ComplexDouble], _ n: Int) -> Bool {
        a.withUnsafeBufferPointer { a in
            pivots.withUnsafeBufferPointer { pivots in
                b.withUnsafeMutableBufferPointer { b in
                    // Every interchange first (the factors' rows were swapped whole), then L and U.
                    for col in 0..<n where pivots[col] != col { b.swapAt(col, pivots[col]) }
                    for col in 0..<n {
                        let bc = b[col]
                        var r = col + 1
                        while r < n { b[r] = b[r] - a[r * n + col] * bc; r += 1 }
                    }
                    var r = n - 1
                    while r >= 0 {
                        var s = b[r]
                        var k = r + 1
                        while k < n { s = s - a[r * n + k] * b[k]; k += 1 }
                        s = s * fastReciprocal(a[r * n + r])
                        guard s.real.isFinite && s.imaginary.isFinite else { return false }
                        b[r] = s
                        r -= 1
                    }
                    return true
                }
            }
        }
    }
}
