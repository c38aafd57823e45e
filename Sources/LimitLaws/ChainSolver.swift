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

/// The base integrals of a discrete input law μ_0 = Σ_i w_i δ_{x_i} at (Z_0, V_0):
/// t = Σ w_i/(Z_0 + V_0 x_i) (= T), t0 = Σ w_i x_i/(Z_0 + V_0 x_i) (= τ_0) and, with `derivatives`,
/// a, b, c = Σ w_i x_i^k/(Z_0 + V_0 x_i)² for k = 0, 1, 2 (minus the derivatives of T and τ_0 with
/// respect to Z_0 and V_0). Four points at a time in SIMD lanes (one division per point); a law of
/// 10⁴ points spends nearly all of its solve here.
struct DiscreteBaseSums {
    var t = ComplexDouble.zero, t0 = ComplexDouble.zero
    var a = ComplexDouble.zero, b = ComplexDouble.zero, c = ComplexDouble.zero

    @inline(__always)
    init(z0: ComplexDouble, v0: ComplexDouble, values: UnsafeMutablePointer<Double>, weights: UnsafeMutablePointer<Double>,
         count: Int, derivatives: Bool) {
        typealias V4 = SIMD4<Double>
        let zr = V4(repeating: z0.real), zi = V4(repeating: z0.imaginary)
        let vr = V4(repeating: v0.real), vi = V4(repeating: v0.imaginary)
        var tr = V4(), ti = V4(), t0r = V4(), t0i = V4()
        var ar = V4(), ai = V4(), br = V4(), bi = V4(), cr = V4(), ci = V4()
        @inline(__always) func add(_ x: V4, _ w: V4) {
            let p = zr + vr * x, q = zi + vi * x
            let r = 1 / (p * p + q * q)
            let ir = p * r, ii = -(q * r)
            let wx = w * x
            tr += w * ir; ti += w * ii
            t0r += wx * ir; t0i += wx * ii
            if derivatives {
                let sr = ir * ir - ii * ii, si = 2 * (ir * ii)
                let wxx = wx * x
                ar += w * sr; ai += w * si
                br += wx * sr; bi += wx * si
                cr += wxx * sr; ci += wxx * si
            }
        }
        let x4 = UnsafeRawPointer(values), w4 = UnsafeRawPointer(weights)
        let blocks = count / 4
        for k in 0..<blocks {
            add(x4.loadUnaligned(fromByteOffset: 32 * k, as: V4.self), w4.loadUnaligned(fromByteOffset: 32 * k, as: V4.self))
        }
        if count > 4 * blocks {
            // The last 1–3 points, padded with the last point at weight 0 (a term that is 0, or
            // not finite exactly when that point's own term already is).
            var x = V4(repeating: values[count - 1]), w = V4()
            for i in (4 * blocks)..<count { x[i - 4 * blocks] = values[i]; w[i - 4 * blocks] = weights[i] }
            add(x, w)
        }
        t = ComplexDouble(tr.sum(), ti.sum()); t0 = ComplexDouble(t0r.sum(), t0i.sum())
        if derivatives { a = ComplexDouble(ar.sum(), ai.sum()); b = ComplexDouble(br.sum(), bi.sum()); c = ComplexDouble(cr.sum(), ci.sum()) }
    }
}

/// The result of solving the chain at one spectral point ζ.
struct PointSolution: Sendable {
    var u: [ComplexDouble]
    var stieltjes: ComplexDouble
    var iterations: Int
    /// The relative residual ‖F‖/‖u‖ (max-norms) at which the point was accepted: below 10⁻¹² when
    /// Newton converged, up to 10⁻¹⁰ at a rounding floor.
    var residual: Double = 0
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
    private var jac: [ComplexDouble]
    private var f: [ComplexDouble]
    private var pivots: [Int]
    // Values and gradients (row k holds d/du of quantity k) for the one-pass Jacobian.
    private var vzm: [ComplexDouble], vtop: [ComplexDouble], vnum: [ComplexDouble]
    private var gzm: [ComplexDouble], gtop: [ComplexDouble], gnum: [ComplexDouble]
    private var gT: [ComplexDouble], gTau0: [ComplexDouble], gP: [ComplexDouble], gTmp: [ComplexDouble]
    /// The structured Newton solver's memory.
    private let ws: ChainWorkspace
    /// Newton steps taken by the O(J) structured solve, and those that fell back to the dense LU.
    private(set) var structuredSteps = 0, denseSteps = 0

    /// Every coefficient below the top is 0 (a CK law): the structured step's fast path.
    private let isSingleTerm: Bool
    /// A pivot of the structured step counts as vanishing when its modulus is at most this fraction
    /// of the sizes of the products it is the difference of (cancellation leaves no correct digits);
    /// the step is then taken from the dense Jacobian's LU. `.infinity` forces the dense step (tests).
    var pivotTolerance = 1e-12

    init(chain: CombinationChain) {
        self.chain = chain
        J = chain.levels
        isSingleTerm = chain.coefficients.dropLast().allSatisfy { $0 == 0 }
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
        ws = ChainWorkspace(chain: chain)
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

    /// F(u) (into `ws.f`) with the quantities the structured Newton step needs: Z_k, V_k, N_k, P_k
    /// and, with `derivatives`, the derivatives of the base integrals T and τ_0 with respect to Z_0
    /// and V_0. The same arithmetic as `evaluateWithJacobian` without its Jacobian, except that a
    /// discrete base is summed in SIMD lanes (`DiscreteBaseSums`: another order, so values agree to
    /// rounding). Returns T = m(ζ).
    @discardableResult
    private func evaluateValues(_ u: UnsafeMutablePointer<ComplexDouble>, zeta: ComplexDouble, derivatives: Bool) -> ComplexDouble {
        let n = J
        let w = ws
        let c = w.c, b2 = w.b2, gammas = w.gamma
        let Z = w.Z, V = w.V, N = w.N, P = w.P, f = w.f
        Z[n] = ComplexDouble(chain.shift) - zeta
        V[n] = ComplexDouble(c[n])
        var j = n
        while j >= 1 {
            let bb = b2[j - 1]
            Z[j - 1] = Z[j] + u[j - 1].multiplied(by: 1 - bb)
            V[j - 1] = ComplexDouble(c[j - 1]) + u[j - 1].multiplied(by: bb)
            j -= 1
        }
        var T: ComplexDouble, tau0: ComplexDouble
        if w.baseCount > 0 {
            let sums = DiscreteBaseSums(z0: Z[0], v0: V[0], values: w.baseValues, weights: w.baseWeights,
                                        count: w.baseCount, derivatives: derivatives)
            T = sums.t; tau0 = sums.t0
            w.dT = (-sums.a, -sums.b); w.dTau0 = (-sums.b, -sums.c)
        } else {
            T = fastReciprocal(Z[0] + V[0])
            tau0 = T
            let d = -(T * T)
            w.dT = (d, d); w.dTau0 = (d, d)
        }
        var p = ComplexDouble.zero
        for k in 0..<n {
            P[k] = p
            N[k] = ComplexDouble(1) - Z[k] * T - p
            if c[k] != 0 {
                if k == 0 {
                    p = p + tau0.multiplied(by: c[k])
                } else {
                    let inv = fastReciprocal(V[k])
                    let tauK = N[k] * inv
                    p = p + tauK.multiplied(by: c[k])
                }
            }
        }
        // The residual (`residual`) is gathered on the way: the largest |F_j| and |u_j|.
        var largestF = 0.0, largestU = w.coefficientScale
        for j in 1...n {
            let g = gammas[j - 1], bb = b2[j - 1]
            let uj = u[j - 1]
            let top = V[j]
            let fj: ComplexDouble
            if c[j - 1] == 0 {
                let a = ComplexDouble(1) + (top * T).multiplied(by: g * (1 - bb))
                fj = uj * a + (top * N[j - 1]).multiplied(by: g) - top
            } else {
                let inv = fastReciprocal(V[j - 1])
                let ratio = N[j - 1] * inv
                let inner = T.multiplied(by: 1 - bb) + ratio.multiplied(by: bb)
                let a = ComplexDouble(1) + (top * inner).multiplied(by: g)
                fj = uj * a - top
            }
            f[j - 1] = fj
            largestF = max(largestF, fj.magnitude)
            largestU = max(largestU, uj.magnitude)
        }
        w.residual = largestF / largestU
        w.T = T
        return T
    }

    /// The Newton step δ = −J⁻¹F at the point of the last `evaluateValues(…, derivatives: true)`
    /// pass, in O(J) instead of the dense Jacobian's O(J²) and its LU's O(J³) (docs/math.md,
    /// *The structured Newton step*). The linearised chain has three kinds of coupling: the
    /// suffix sums δZ_k (levels above k), the prefix sums δP_k (levels below) and δT (every level).
    /// Going down from level J, each level's equation and its P-recurrence give (δu_j, δP_j) as affine
    /// functions of (δT, δP_{j−1}) by a 2×2 solve, and δZ_{j−1}, δV_{j−1} follow as affine functions
    /// of the same; at the base δP_0 = 0 and T's own linearisation fixes δT; going up, the maps give
    /// every δu_j. For a CK law (c_k = 0 below the top) each 2×2 is unit triangular: a back
    /// substitution. Returns false when a pivot vanishes or the step is not finite.
    private func structuredStep(_ u: UnsafeMutablePointer<ComplexDouble>, into delta: UnsafeMutablePointer<ComplexDouble>) -> Bool {
        let n = J
        let w = ws
        let T = w.T
        let dT = w.dT, dTau0 = w.dTau0
        let c = w.c, b2 = w.b2, gammas = w.gamma
        let Z = w.Z, V = w.V, N = w.N, P = w.P, f = w.f, maps = w.maps
        if isSingleTerm {
            // A CK law: P ≡ 0, every level's equation is F_j = u_j − V_j(1 − γ + γ T Z_j), and
            // δu_j = x0 + x1 δT by back substitution from the top.
            var v0 = ComplexDouble.zero, v1 = ComplexDouble.zero
            var z0 = ComplexDouble.zero, z1 = ComplexDouble.zero
            var j = n
            while j >= 1 {
                let g = gammas[j - 1], bb = b2[j - 1], wj = 1 - bb
                let gTop = V[j].multiplied(by: g)
                let cV = (ComplexDouble(1) - Z[j] * T).multiplied(by: g) - ComplexDouble(1)
                let gTopT = gTop * T
                let x0 = gTopT * z0 - f[j - 1] - cV * v0
                let x1 = gTopT * z1 + gTop * Z[j] - cV * v1
                maps[2 * j] = x0; maps[2 * j + 1] = x1
                v0 = x0.multiplied(by: bb); v1 = x1.multiplied(by: bb)
                z0 = z0 + x0.multiplied(by: wj); z1 = z1 + x1.multiplied(by: wj)
                j -= 1
            }
            let denominator = ComplexDouble(1) - dT.z * z1 - dT.v * v1
            guard pivotIsSafe(denominator, 1 + l1(dT.z * z1) + l1(dT.v * v1)) else { return false }
            let t = (dT.z * z0 + dT.v * v0) * fastReciprocal(denominator)
            for j in 1...n {
                let x = maps[2 * j] + maps[2 * j + 1] * t
                guard x.real.isFinite, x.imaginary.isFinite else { return false }
                delta[j - 1] = x
            }
            return true
        }
        // δV_j = v0 + v1 δT + v2 δP_j and δZ_j = z0 + z1 δT + z2 δP_j for the level being solved.
        var v0 = ComplexDouble.zero, v1 = ComplexDouble.zero, v2 = ComplexDouble.zero
        var z0 = ComplexDouble.zero, z1 = ComplexDouble.zero, z2 = ComplexDouble.zero
        var j = n
        while j >= 1 {
            let g = gammas[j - 1], bb = b2[j - 1], wj = 1 - bb
            let uj = u[j - 1], top = V[j]
            let cBelow = c[j - 1]
            // Level j's equation: ax·δu_j + cV·δV_j + cZ·δZ_j + cT·δT + cP·δP_{j−1} = −F_j.
            let ax: ComplexDouble, cV: ComplexDouble, cZ: ComplexDouble, cT: ComplexDouble, cP: ComplexDouble
            if cBelow == 0 {
                // F_j = u_j − V_j(1 − γ + γ(T Z_j + P_{j−1})) as a function: ∂/∂u_j is exactly 1.
                let gTop = top.multiplied(by: g)
                ax = ComplexDouble(1)
                cV = (ComplexDouble(1) - Z[j] * T - P[j - 1]).multiplied(by: g) - ComplexDouble(1)
                cZ = -(gTop * T)
                cT = -(gTop * Z[j])
                cP = -gTop
            } else {
                let inv = fastReciprocal(V[j - 1])
                let ratio = N[j - 1] * inv
                let inner = T.multiplied(by: wj) + ratio.multiplied(by: bb)
                let dN = (uj * top * inv).multiplied(by: g * bb)
                let dVm = -(dN * ratio)
                ax = ComplexDouble(1) + (top * inner).multiplied(by: g) - (dN * T).multiplied(by: wj) + dVm.multiplied(by: bb)
                cV = (uj * inner).multiplied(by: g) - ComplexDouble(1)
                cZ = -(dN * T)
                cT = (uj * top).multiplied(by: g * wj) - dN * Z[j - 1]
                cP = -dN
            }
            // Row 1: m11 x + m12 y = r10 + r11 t + r12 p (x = δu_j, y = δP_j, t = δT, p = δP_{j−1}).
            let m11 = ax, m12 = cV * v2 + cZ * z2
            let r10 = -f[j - 1] - cV * v0 - cZ * z0
            let r11 = -(cV * v1) - cZ * z1 - cT
            let r12 = -cP
            // Row 2: the P-recurrence δP_j = δP_{j−1} + c_{j−1} δτ_{j−1}.
            var m21 = ComplexDouble.zero, m22 = ComplexDouble(1)
            var r20 = ComplexDouble.zero, r21 = ComplexDouble.zero, r22 = ComplexDouble(1)
            if cBelow != 0 {
                if j == 1 {
                    // δτ_0 = (∂τ_0/∂Z_0) δZ_0 + (∂τ_0/∂V_0) δV_0, δZ_0 = δZ_1 + w δu_1, δV_0 = b² δu_1.
                    let cz = dTau0.z.multiplied(by: cBelow)
                    m21 = -(cz.multiplied(by: wj) + dTau0.v.multiplied(by: cBelow * bb))
                    m22 = ComplexDouble(1) - cz * z2
                    r20 = cz * z0
                    r21 = cz * z1
                } else {
                    // δτ_{j−1} = (δN_{j−1} − τ_{j−1} δV_{j−1}) / V_{j−1}.
                    let inv = fastReciprocal(V[j - 1])
                    let cv = inv.multiplied(by: cBelow)
                    let tau = N[j - 1] * inv
                    m21 = cv * (T.multiplied(by: wj) + tau.multiplied(by: bb))
                    m22 = ComplexDouble(1) + cv * T * z2
                    r20 = -(cv * T * z0)
                    r21 = -(cv * (T * z1 + Z[j - 1]))
                    r22 = ComplexDouble(1) - cv
                }
            }
            let d1 = m11 * m22, d2 = m12 * m21
            let det = d1 - d2
            guard pivotIsSafe(det, l1(d1) + l1(d2)) else { return false }
            let invDet = fastReciprocal(det)
            let x0 = (m22 * r10 - m12 * r20) * invDet, x1 = (m22 * r11 - m12 * r21) * invDet, x2 = (m22 * r12 - m12 * r22) * invDet
            let y0 = (m11 * r20 - m21 * r10) * invDet, y1 = (m11 * r21 - m21 * r11) * invDet, y2 = (m11 * r22 - m21 * r12) * invDet
            let base = 6 * j
            maps[base] = x0; maps[base + 1] = x1; maps[base + 2] = x2
            maps[base + 3] = y0; maps[base + 4] = y1; maps[base + 5] = y2
            // The level below: δV_{j−1} = b² δu_j, δZ_{j−1} = δZ_j + w δu_j, in terms of (t, δP_{j−1}).
            v0 = x0.multiplied(by: bb); v1 = x1.multiplied(by: bb); v2 = x2.multiplied(by: bb)
            let nz0 = z0 + z2 * y0 + x0.multiplied(by: wj)
            let nz1 = z1 + z2 * y1 + x1.multiplied(by: wj)
            let nz2 = z2 * y2 + x2.multiplied(by: wj)
            z0 = nz0; z1 = nz1; z2 = nz2
            j -= 1
        }
        // δT = (∂T/∂Z_0) δZ_0 + (∂T/∂V_0) δV_0 with δP_0 = 0.
        let denominator = ComplexDouble(1) - dT.z * z1 - dT.v * v1
        guard pivotIsSafe(denominator, 1 + l1(dT.z * z1) + l1(dT.v * v1)) else { return false }
        let t = (dT.z * z0 + dT.v * v0) * fastReciprocal(denominator)
        var p = ComplexDouble.zero
        for j in 1...n {
            let base = 6 * j
            let x = maps[base] + maps[base + 1] * t + maps[base + 2] * p
            let y = maps[base + 3] + maps[base + 4] * t + maps[base + 5] * p
            guard x.real.isFinite, x.imaginary.isFinite else { return false }
            delta[j - 1] = x
            p = y
        }
        return true
    }
    /// Whether `delta` solves J δ = −F at u (F of the last value pass) to `stepTolerance` of ‖F‖:
    /// J δ by one forward-mode pass along δ (O(J)). The structured elimination does not pivot, and
    /// its per-level maps can grow without any single pivot vanishing; this check catches it.
    private mutating func solvesNewtonSystem(_ u: UnsafeMutablePointer<ComplexDouble>, _ delta: UnsafeMutablePointer<ComplexDouble>, zeta: ComplexDouble) -> Bool {
        jacobianTimes(u, delta, zeta: zeta)
        let jt = ws.jt, f = ws.f
        var r = 0.0, size = 0.0
        for j in 0..<J {
            r = max(r, l1(jt[j] + f[j]))
            size = max(size, l1(f[j]))
        }
        return r <= stepTolerance * size
    }

    /// J·t at u into `ws.jt` (and F(u) into `values`) by one forward-mode pass along t, on the
    /// workspace's raw buffers. Returns T = m(ζ).
    @discardableResult
    private func jacobianTimes(_ u: UnsafeMutablePointer<ComplexDouble>, _ t: UnsafeMutablePointer<ComplexDouble>, zeta: ComplexDouble,
                               values: UnsafeMutablePointer<ComplexDouble>? = nil) -> ComplexDouble {
        let zm = ws.dualZ, zTop = ws.dualV, numer = ws.dualN
        let b2 = ws.b2, c = ws.c, gammas = ws.gamma
        // Top-down: z^{(j)}_{−1} and z^{(j)}_j.
        zm[J] = ComplexDual(ComplexDouble(chain.shift) - zeta)
        zTop[J] = ComplexDual(c[J])
        var j = J
        while j >= 1 {
            let uj = ComplexDual(u[j - 1], t[j - 1])
            zm[j - 1] = zm[j] + (1 - b2[j - 1]) * uj
            zTop[j - 1] = ComplexDual(c[j - 1]) + b2[j - 1] * uj
            j -= 1
        }
        // Base integrals: T = ∫ 1/(zm + zTop x) dμ_0, τ_0 = ∫ x/(zm + zTop x) dμ_0.
        var T = ComplexDual(0)
        var tau0 = ComplexDual(0)
        if ws.baseCount > 0 {
            for i in 0..<ws.baseCount {
                let x = ws.baseValues[i], baseWeight = ws.baseWeights[i]
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
        let jt = ws.jt
        for j in 1...J {
            let uj = ComplexDual(u[j - 1], t[j - 1])
            let g = gammas[j - 1], bb = b2[j - 1]
            let value: ComplexDual
            if c[j - 1] == 0 {
                // b² τ_{j−1} = N_{j−1}/u_j, multiplied out so that u_j = 0 is harmless.
                value = uj * (ComplexDual(1) + (g * (1 - bb)) * (zTop[j] * T)) + g * (zTop[j] * numer[j - 1]) - zTop[j]
            } else {
                let term = bb * (numer[j - 1] / zTop[j - 1])
                value = uj * (ComplexDual(1) + g * (zTop[j] * ((1 - bb) * T + term))) - zTop[j]
            }
            jt[j - 1] = value.d
            values?[j - 1] = value.v
        }
        return T.v
    }

    /// The relative residual ‖J δ + F‖/‖F‖ a structured step must reach when it is checked (its full step
    /// did not lower the residual), else the dense LU's step is taken.
    var stepTolerance = 1e-10

    /// A pivot `value` = a − b with |a| + |b| = `size` is usable: finite and not lost to cancellation.
    /// Sizes in |Re| + |Im| (within √2 of the modulus).
    @inline(__always) private func pivotIsSafe(_ value: ComplexDouble, _ size: Double) -> Bool {
        let m = l1(value)
        return m.isFinite && m > pivotTolerance * size
    }

    @inline(__always) private func l1(_ z: ComplexDouble) -> Double { abs(z.real) + abs(z.imaginary) }

    /// F(u) into `f` and, unless `direction` is −1, the Jacobian's column `direction` into `jac`, by
    /// the forward-mode pass along that unit vector (for tests). Returns T = m(ζ).
    @discardableResult
    private mutating func evaluate(u: [ComplexDouble], zeta: ComplexDouble, direction: Int) -> ComplexDouble {
        let point = UnsafeMutablePointer<ComplexDouble>.allocate(capacity: 3 * J)
        defer { point.deallocate() }
        let unit = point + J, values = point + 2 * J
        for j in 0..<J { point[j] = u[j]; unit[j] = j == direction ? ComplexDouble(1) : .zero }
        let T = jacobianTimes(point, unit, zeta: zeta, values: values)
        for j in 0..<J {
            f[j] = values[j]
            if direction >= 0 { jac[j * J + direction] = ws.jt[j] }
        }
        return T
    }

    /// Residual norm of the last `evaluateValues` pass, relative to the scale of the unknowns
    /// (max-norms): ‖F‖ / max(‖u‖, max_{j≥1} |c_j|, 10⁻³⁰⁰), gathered by the pass itself.
    private var residual: Double { ws.residual }

    /// F(u) at ζ (for tests).
    mutating func residualVector(u: [ComplexDouble], zeta: ComplexDouble) -> [ComplexDouble] {
        evaluate(u: u, zeta: zeta, direction: -1)
        return f
    }

    /// The Newton step −J⁻¹F at u by the structured O(J) solve and by the LU of the forward-mode
    /// (dual-number) Jacobian, column by column (for tests). nil where a solve reports failure (the
    /// structured one also where its check ‖Jδ + F‖ ≤ `stepTolerance`·‖F‖ fails: `solve` falls back).
    mutating func newtonSteps(u: [ComplexDouble], zeta: ComplexDouble)
        -> (structured: [ComplexDouble]?, dense: [ComplexDouble]?, jacobian: [ComplexDouble], f: [ComplexDouble]) {
        for j in 0..<J { ws.u[j] = u[j] }
        evaluateValues(ws.u, zeta: zeta, derivatives: true)
        let ok = structuredStep(ws.u, into: ws.delta) && solvesNewtonSystem(ws.u, ws.delta, zeta: zeta)
        let structured = Array(UnsafeBufferPointer(start: ws.delta, count: J))
        for direction in 0..<J { evaluate(u: u, zeta: zeta, direction: direction) }
        var dense = f.map { -$0 }
        var a = jac
        let denseOK = Self.solveLinear(&a, &dense, J)
        return (ok ? structured : nil, denseOK ? dense : nil, jac, f)
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
    /// Each step is the structured O(J) solve; when its line search fails (or it has no finite
    /// step) the step is taken again from the dense Jacobian and its LU, as before.
    mutating func solve(zeta: ComplexDouble, initial: [ComplexDouble], maxIterations: Int = 40) -> PointSolution? {
        if J == 0 || initial.count != J { return nil }
        var u = ws.u, trial = ws.trial
        let delta = ws.delta
        for j in 0..<J { u[j] = initial[j] }
        // The identity base's derivatives cost nothing; a discrete base's are summed only where a
        // step is taken.
        let cheapDerivatives = ws.baseCount == 0
        var T = evaluateValues(u, zeta: zeta, derivatives: cheapDerivatives)
        var derivativesAtU = cheapDerivatives
        var res = residual
        for iteration in 0..<maxIterations {
            if res < 1e-12 {
                return accept(u: u, T: T, iterations: iteration, residual: res)
            }
            if !derivativesAtU { evaluateValues(u, zeta: zeta, derivatives: true) }
            var dense = false
            // The structured step is tried at full length first and checked (J δ = −F by one
            // forward-mode pass) only when that does not lower the residual, before it is damped:
            // a step that lowers the true residual is a descent step whatever its accuracy, and a
            // point is accepted only by its own residual and signs. Checking every step up front cost
            // a value pass per step (11% of a Figure-1 solve; with a discrete input law, a sum over
            // its points in dual numbers).
            var haveStep = structuredStep(u, into: delta)
            var unchecked = haveStep
            var accepted = false
            var stepSize = 0.0
            var attempt = 0
            while true {
                if !haveStep {
                    // The dense Jacobian of the one-pass forward-mode evaluation, and its LU.
                    dense = true
                    attempt = 0
                    let point = Array(UnsafeBufferPointer(start: u, count: J))
                    evaluateWithJacobian(u: point, zeta: zeta)
                    var step = f.map { -$0 }
                    guard Self.factor(&jac, &pivots, J), Self.substitute(jac, pivots, &step, J) else { return nil }
                    for j in 0..<J { delta[j] = step[j] }
                }
                while attempt < 8 {
                    let scale = Double(sign: .plus, exponent: -attempt, significand: 1)
                    attempt += 1
                    for j in 0..<J { trial[j] = u[j] + delta[j].multiplied(by: scale) }
                    let tT = evaluateValues(trial, zeta: zeta, derivatives: cheapDerivatives)
                    let tRes = residual
                    if tRes.isFinite && (tRes < res || tRes < 1e-13) {
                        stepSize = 0
                        for j in 0..<J { stepSize = max(stepSize, (delta[j].multiplied(by: scale)).length / max(1e-300, trial[j].length)) }
                        swap(&u, &trial); T = tT; res = tRes; accepted = true
                        derivativesAtU = cheapDerivatives
                        break
                    }
                    if unchecked { break }
                }
                if accepted || dense { break }
                if unchecked {
                    // The full step did not lower the residual: check it before damping it. The
                    // trial overwrote F(u) and the level sums; the value pass at u restores them.
                    unchecked = false
                    evaluateValues(u, zeta: zeta, derivatives: false)
                    if solvesNewtonSystem(u, delta, zeta: zeta) { continue }
                }
                haveStep = false
            }
            if dense { denseSteps += 1 } else { structuredSteps += 1 }
            // No step lowers a residual already below 10⁻¹⁰: it is at the rounding floor of F
            // (sums of large cancelling terms next to a pole of the input law's transform).
            if !accepted { return res < 1e-10 ? accept(u: u, T: T, iterations: iteration + 1, residual: res) : nil }
            if stepSize < 1e-15 && res < 1e-10 { return accept(u: u, T: T, iterations: iteration + 1, residual: res) }
        }
        return res < 1e-10 ? accept(u: u, T: T, iterations: maxIterations, residual: res) : nil
    }

    private func accept(u: UnsafeMutablePointer<ComplexDouble>, T: ComplexDouble, iterations: Int, residual: Double) -> PointSolution? {
        guard T.real.isFinite, T.imaginary.isFinite else { return nil }
        if T.imaginary < -1e-9 * max(1, T.length) { return nil }
        // s_j ∈ C⁺ for every real coefficients with z_L ≠ 0 (Proposition 3.6), so u_j = 1/s_j ∈ C⁻.
        for j in 0..<J where u[j].imaginary > 1e-9 * max(1, u[j].length) { return nil }
        return PointSolution(u: Array(UnsafeBufferPointer(start: u, count: J)), stieltjes: T, iterations: iterations, residual: residual)
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

/// The structured Newton solver's memory: raw buffers, so the inner loops carry no reference
/// counting or uniqueness checks. One per `ChainSolver`, used by one thread at a time.
final class ChainWorkspace {
    let levels: Int
    let gamma: UnsafeMutablePointer<Double>, b2: UnsafeMutablePointer<Double>, c: UnsafeMutablePointer<Double>
    let baseCount: Int
    let baseValues: UnsafeMutablePointer<Double>, baseWeights: UnsafeMutablePointer<Double>
    /// Z_k = z^{(k)}_{−1}, V_k = z^{(k)}_k (k = 0…J), N_k, P_k = Σ_{i<k} c_i τ_i (k = 0…J−1), F_j.
    let Z: UnsafeMutablePointer<ComplexDouble>, V: UnsafeMutablePointer<ComplexDouble>
    let N: UnsafeMutablePointer<ComplexDouble>, P: UnsafeMutablePointer<ComplexDouble>
    let f: UnsafeMutablePointer<ComplexDouble>
    /// Newton's iterate, trial point and step; the structured step's per-level maps.
    let u: UnsafeMutablePointer<ComplexDouble>, trial: UnsafeMutablePointer<ComplexDouble>
    let delta: UnsafeMutablePointer<ComplexDouble>, maps: UnsafeMutablePointer<ComplexDouble>
    /// The forward-mode check pass (`jacobianTimes`): Z, V, N with tangents, and J·t.
    let dualZ: UnsafeMutablePointer<ComplexDual>, dualV: UnsafeMutablePointer<ComplexDual>, dualN: UnsafeMutablePointer<ComplexDual>
    let jt: UnsafeMutablePointer<ComplexDouble>
    /// T and the derivatives of T and τ_0 by (Z_0, V_0) at the last value pass.
    var T = ComplexDouble.zero
    /// ‖F‖ / max(‖u‖, max_{j≥1} |c_j|, 10⁻³⁰⁰) (max-norms) at the last value pass, and that max over c.
    var residual = 0.0
    let coefficientScale: Double
    var dT = (z: ComplexDouble.zero, v: ComplexDouble.zero), dTau0 = (z: ComplexDouble.zero, v: ComplexDouble.zero)

    init(chain: CombinationChain) {
        let J = chain.levels
        levels = J
        func doubles(_ values: [Double]) -> UnsafeMutablePointer<Double> {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: max(1, values.count))
            p.initialize(repeating: 0, count: max(1, values.count))
            for (i, v) in values.enumerated() { p[i] = v }
            return p
        }
        func complex(_ count: Int) -> UnsafeMutablePointer<ComplexDouble> {
            let p = UnsafeMutablePointer<ComplexDouble>.allocate(capacity: count)
            p.initialize(repeating: .zero, count: count)
            return p
        }
        gamma = doubles(chain.links.map(\.gamma))
        b2 = doubles(chain.links.map(\.b2))
        c = doubles(chain.coefficients)
        coefficientScale = chain.coefficients.dropFirst().reduce(1e-300) { max($0, abs($1)) }
        if case .discrete(let law) = chain.base {
            baseCount = law.values.count
            baseValues = doubles(law.values)
            baseWeights = doubles(law.weights)
        } else {
            baseCount = 0
            baseValues = doubles([])
            baseWeights = doubles([])
        }
        Z = complex(J + 1); V = complex(J + 1); N = complex(J + 1); P = complex(J + 1)
        f = complex(J + 1); u = complex(J + 1); trial = complex(J + 1); delta = complex(J + 1)
        maps = complex(6 * (J + 1))
        jt = complex(J + 1)
        func duals(_ count: Int) -> UnsafeMutablePointer<ComplexDual> {
            let p = UnsafeMutablePointer<ComplexDual>.allocate(capacity: count)
            p.initialize(repeating: ComplexDual(0), count: count)
            return p
        }
        dualZ = duals(J + 1); dualV = duals(J + 1); dualN = duals(J + 1)
    }

    deinit {
        for p in [gamma, b2, c, baseValues, baseWeights] { p.deallocate() }
        for p in [Z, V, N, P, f, u, trial, delta, maps, jt] { p.deallocate() }
        for p in [dualZ, dualV, dualN] { p.deallocate() }
    }
}
