import Foundation
import LimitLaws
import NetworkSampling

/// Which infinite-width kernel: the CK K_ℓ of layer ℓ (ℓ = 0 is the input Gram, K_0(ρ) = ρ) or
/// the NTK Θ_ℓ of the depth-ℓ network.
public enum InfiniteKernel: Sendable, Hashable, CustomStringConvertible {
    case ck(Int)
    case ntk(Int)
    public var description: String {
        switch self {
        case .ck(let l): return "K_\(l)"
        case .ntk(let l): return "Theta_\(l)"
        }
    }
}

/// Progress (0…1) and cancellation of a long computation (large order × depth).
public struct ComputationControl: Sendable {
    public var report: @Sendable (Double) -> Void
    public var token: CancellationToken?
    public init(token: CancellationToken? = nil, report: @escaping @Sendable (Double) -> Void = { _ in }) {
        self.token = token; self.report = report
    }
    public static let none = ComputationControl()
    var isCancelled: Bool { token?.isCancelled ?? false }
}

/// The computation was cancelled through its `CancellationToken`.
public struct ComputationCancelled: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "cancelled" }
}

/// The infinite-width CK and NTK as power series in ρ = ⟨x, x′⟩ (unit-norm inputs), for the network
/// of `Initialisation` (weight variance σ_w², bias variance σ_b², σ centred/normalised or not; NTK
/// parametrisation; learning rates τ_1 … τ_{L+1}):
///
///   Σ_1 = σ_w² ρ + σ_b²,   K_ℓ = κ_{q_ℓ}(Σ_ℓ),   K̇_ℓ = κ̇_{q_ℓ}(Σ_ℓ),   Σ_{ℓ+1} = σ_w² K_ℓ + σ_b²,
///   P_1 = τ_1 Σ_1,   P_{ℓ+1} = τ_{ℓ+1} Σ_{ℓ+1} + σ_w² K̇_ℓ P_ℓ,   Θ_ℓ = τ_{L+1} Σ_{ℓ+1} + σ_w² K̇_ℓ P_ℓ,
///
/// with q_ℓ = Σ_ℓ(1) the pre-activation variance and κ_q, κ̇_q the dual kernels (`DualKernel`).
/// In the Hermite basis of σ(√q ·), κ_q(c) = Σ_k μ_k(q)² (c/q)^k and κ̇_q(c) = Σ_k (k+1) μ_{k+1}(q)² (c/q)^k / q.
/// When Σ_ℓ(0) = c₀q ≠ 0 (biases, uncentred σ) the dual kernel is re-expanded around c₀
/// (`PowerSeries.recentre`) before composing. For σ_w² = 1, σ_b² = 0 and a centred, normalised σ
/// this is eq. (1) of Fan & Wang: K_ℓ = κ(K_{ℓ−1}), Θ_ℓ = τ_{L+1} K_ℓ + T_ℓ, T_ℓ = (T_{ℓ−1} + τ_ℓ K_{ℓ−1}) κ̇(K_{ℓ−1}).
/// Derivation: docs/infinite-width.md. All coefficients are ≥ 0, so on |ρ| ≤ 1 the truncation
/// error is at most the known remaining mass  tail = (exact value at ρ = 1) − Σ_{j≤N} c_j.
public struct KernelSeries: Sendable {
    public let activation: Activation
    /// σ as the kernels use it (shift and scale from the initialisation's centring/normalisation).
    public let kernelActivation: KernelActivation
    public let initialisation: Initialisation
    public let order: Int
    public let depth: Int
    /// τ_1 … τ_{L+1} (all 1 unless given).
    public let tau: [Double]
    /// μ_0 … μ_{N+1} of σ at unit variance (σ(ξ), ξ ~ N(0, 1)).
    public let hermite: HermiteCoefficients
    /// The first layer's κ coefficients μ_k(q_1)², k = 0 … N (before any re-expansion).
    public let kappa: [Double]
    /// The first layer's κ̇ coefficients (k+1) μ_{k+1}(q_1)²/q_1, k = 0 … N.
    public let kappaDot: [Double]
    /// ck[ℓ] = coefficients of K_ℓ, ℓ = 0 … L.
    public let ck: [[Double]]
    /// ntk[ℓ] = coefficients of Θ_ℓ, ℓ = 0 … L (Θ_0 = τ_{L+1} Σ_1). Θ_ℓ for ℓ < L uses τ_1 … τ_ℓ
    /// and τ_{L+1} for the output layer.
    public let ntk: [[Double]]
    /// derivative[ℓ] = coefficients of K̇_ℓ(ρ) = κ̇_{q_ℓ}(Σ_ℓ(ρ)), ℓ = 1 … L (index 0 is empty).
    public let derivative: [[Double]]
    /// q_1 … q_{L+1}: the pre-activation variances Σ_ℓ(1) (all 1 in the standard and the
    /// unit-variance initialisations).
    public let variances: [Double]
    /// a_σ = E σ′(ξ)² (ξ ~ N(0, 1)).
    public let aSigma: Double
    /// True when c_0 … c_N are exact (up to round-off) and the tail sits above order N, so the
    /// error at ρ is at most tail·|ρ|^{N+1}. False when a re-expansion around Σ_ℓ(0) ≠ 0 had to cut
    /// σ's Hermite series: then low orders may miss part of the tail too and the bound is the tail itself.
    public let lowOrdersExact: Bool
    /// The largest Hermite order used in a re-expansion (N + 1 without one).
    public let hermiteOrderUsed: Int
    let oneCK: [Double], oneNTK: [Double], oneDerivative: [Double]

    public static let defaultOrder = 200
    /// The one limit of the series order, for every command and the explorer.
    public static let maxOrder = 2000

    public init(activation: Activation, depth: Int, order: Int = KernelSeries.defaultOrder, tau: [Double]? = nil,
                initialisation: Initialisation = .standard) {
        // without a token nothing can cancel it
        self = try! KernelSeries.compute(activation: activation, depth: depth, order: order, tau: tau,
                                         initialisation: initialisation, control: .none)
    }

    init(activation: Activation, kernelActivation: KernelActivation, initialisation: Initialisation, order: Int, depth: Int,
         tau: [Double], hermite: HermiteCoefficients, kappa: [Double], kappaDot: [Double], ck: [[Double]], ntk: [[Double]],
         derivative: [[Double]], variances: [Double], aSigma: Double, lowOrdersExact: Bool, hermiteOrderUsed: Int,
         oneCK: [Double], oneNTK: [Double], oneDerivative: [Double]) {
        self.activation = activation; self.kernelActivation = kernelActivation; self.initialisation = initialisation
        self.order = order; self.depth = depth; self.tau = tau; self.hermite = hermite; self.kappa = kappa
        self.kappaDot = kappaDot; self.ck = ck; self.ntk = ntk; self.derivative = derivative; self.variances = variances
        self.aSigma = aSigma; self.lowOrdersExact = lowOrdersExact; self.hermiteOrderUsed = hermiteOrderUsed
        self.oneCK = oneCK; self.oneNTK = oneNTK; self.oneDerivative = oneDerivative
    }

    /// The Hermite order K used to re-expand a dual kernel around c₀ = Σ(0)/q > 0. Order k spreads
    /// over the orders of the result as Binomial(k, p), p = 1 − c₀; K is chosen so that for every
    /// k > K the chance of landing at an order ≤ N is below e^{−37} ≈ 1e-16 (Chernoff:
    /// P(Bin(k, p) ≤ N) ≤ exp(−(kp − N)²/(2kp))), so what is left out lands above N — at most `cap`.
    static func reexpansionOrder(order n: Int, c0: Double, closedForm: Bool) -> Int {
        guard c0 > 0 else { return n + 1 }
        let cap = closedForm ? min(64 * (n + 1), 200_000) : 4 * (n + 1)
        let p = max(1e-9, 1 - c0)
        let root = (74.0.squareRoot() + (74 + 4 * Double(n)).squareRoot()) / 2
        let need = root * root / p
        return max(n + 1, min(cap, Int(need.rounded(.up))))
    }

    /// exp(−(kp − N)²/(2kp)) for kp > N, else 1: bounds P(Binomial(k, p) ≤ N).
    static func lowOrderLeak(hermiteOrder k: Int, c0: Double, order n: Int) -> Double {
        let x = Double(k) * (1 - c0)
        return x > Double(n) ? exp(-(x - Double(n)) * (x - Double(n)) / (2 * x)) : 1
    }

    /// Computes the series with progress and cancellation (`ComputationCancelled`).
    public static func compute(activation: Activation, depth: Int, order: Int = KernelSeries.defaultOrder, tau: [Double]? = nil,
                               initialisation ini: Initialisation = .standard, control: ComputationControl) throws(ComputationCancelled) -> KernelSeries {
        precondition(depth >= 0 && order >= 1)
        let tau = tau ?? Array(repeating: 1, count: depth + 1)
        precondition(tau.count == depth + 1)
        let n = order
        let act = KernelActivation(activation, centre: ini.centre, normalise: ini.normalise)
        let dual = DualKernel(act)
        let closed = DualKernel.hasClosedForm(act.shape)
        let sw = ini.weightVariance, sb = ini.biasVariance
        var unit = dual.hermite(variance: 1, order: n + 1)
        unit.secondMoment = dual.diagonal(variance: 1).kappa

        // Σ_1(ρ) = σ_w² ρ + σ_b²
        var sigma = [Double](repeating: 0, count: n + 1)
        sigma[0] = sb; sigma[1] = sw
        var q = sw + sb
        var k0 = [Double](repeating: 0, count: n + 1)
        k0[1] = 1
        var cks = [k0], ntks = [sigma.map { tau[depth] * $0 }], derivs: [[Double]] = [[]]
        var oneCK = [1.0], oneNTK = [tau[depth] * q], oneDeriv = [0.0], variances = [q]
        var p = sigma.map { tau[0] * $0 }          // P_1
        var pOne = tau[0] * q
        var exact = true, used = n + 1
        var firstKappa: [Double] = [], firstKappaDot: [Double] = []
        var cache: [Double: HermiteCoefficients] = [1: unit]
        // progress: the compositions dominate (≈ N³/6 each, two per layer)
        let total = Double(max(1, depth))
        for l in 1...max(depth, 1) where depth >= 1 {
            if control.isCancelled { throw ComputationCancelled() }
            let (kOne, kdOne) = dual.diagonal(variance: q)
            let c0 = q > 0 ? min(1, max(0, sigma[0] / q)) : 1
            let kh = reexpansionOrder(order: n, c0: c0, closedForm: closed)
            used = max(used, kh)
            let h: HermiteCoefficients
            if let cached = cache[q], cached.order >= kh + 1 { h = cached } else {
                h = dual.hermite(variance: q, order: kh + 1)
                cache[q] = h
            }
            var a = (0...kh).map { (k: Int) -> Double in h.mu[k] * h.mu[k] }
            var ad = (0...kh).map { (k: Int) -> Double in Double(k + 1) * h.mu[k + 1] * h.mu[k + 1] / q }
            if act.centred && q == 1 && c0 == 0 { a[0] = 0 }   // μ_0 = 0 exactly: κ(0) = 0
            if l == 1 { firstKappa = Array(a.prefix(n + 1)); firstKappaDot = Array(ad.prefix(n + 1)) }
            if c0 > 0 {
                // the Hermite energy beyond kh is left out; what of it would land at orders ≤ N is
                // at most missing × the binomial leak: below round-off, or the low orders are not exact
                let missing = max(0, kOne - a.reduce(0, +))
                if missing * lowOrderLeak(hermiteOrder: kh + 1, c0: c0, order: n) > 1e-15 * max(kOne, 1e-300) { exact = false }
            } else {
                a = Array(a.prefix(n + 1)); ad = Array(ad.prefix(n + 1))
            }
            let b = PowerSeries.recentre(a, at: c0, order: n)
            let bd = PowerSeries.recentre(ad, at: c0, order: n)
            // the inner series, rescaled to vanish at 0 and equal 1 at ρ = 1: (Σ_ℓ − Σ_ℓ(0)) / (q − Σ_ℓ(0))
            let span = q - sigma[0]
            var inner = [Double](repeating: 0, count: n + 1)
            if span > 1e-300 { for j in 1...n { inner[j] = sigma[j] / span } }
            let base = Double(l - 1) / total
            var cancelled = false
            // K_ℓ and K̇_ℓ share the inner series: one pass over its powers (≈ N³/6 multiply-adds)
            let both = PowerSeries.composeMany(outers: [b, bd], inner: inner, order: n) { i in
                if control.isCancelled { cancelled = true; return false }
                let done = 1 - pow(1 - Double(i) / Double(max(1, n)), 3)
                control.report(base + done / total)
                return true
            }
            if cancelled { throw ComputationCancelled() }
            let kl = both[0], kd = both[1]
            // Σ_{ℓ+1} = σ_w² K_ℓ + σ_b²;  T = σ_w² K̇_ℓ P_ℓ
            var next = kl.map { sw * $0 }
            next[0] += sb
            let qNext = sw * kOne + sb
            let t = PowerSeries.multiply(kd, p, order: n).map { sw * $0 }
            let tOne = sw * kdOne * pOne
            let theta = (0...n).map { (j: Int) -> Double in tau[depth] * next[j] + t[j] }
            cks.append(kl); derivs.append(kd); ntks.append(theta)
            oneCK.append(kOne); oneDeriv.append(kdOne); oneNTK.append(tau[depth] * qNext + tOne)
            variances.append(qNext)
            if l < depth {
                p = (0...n).map { (j: Int) -> Double in tau[l] * next[j] + t[j] }
                pOne = tau[l] * qNext + tOne
            }
            sigma = next; q = qNext
        }
        if depth == 0 {
            let h = unit
            firstKappa = (0...n).map { (k: Int) -> Double in h.mu[k] * h.mu[k] }
            firstKappaDot = (0...n).map { (k: Int) -> Double in Double(k + 1) * h.mu[k + 1] * h.mu[k + 1] }
        }
        control.report(1)
        return KernelSeries(activation: activation, kernelActivation: act, initialisation: ini, order: n, depth: depth,
                            tau: tau, hermite: unit, kappa: firstKappa, kappaDot: firstKappaDot, ck: cks, ntk: ntks,
                            derivative: derivs, variances: variances, aSigma: dual.diagonal(variance: 1).kappaDot,
                            lowOrdersExact: exact, hermiteOrderUsed: used, oneCK: oneCK, oneNTK: oneNTK, oneDerivative: oneDeriv)
    }

    /// The coefficients c_0 … c_N of a kernel.
    public func coefficients(_ kernel: InfiniteKernel) -> [Double] {
        switch kernel {
        case .ck(let l): return ck[l]
        case .ntk(let l): return ntk[l]
        }
    }

    /// The exact value at ρ = 1 (the diagonal), from the scalar recursion: K_ℓ(1) = E σ(√q_ℓ ξ)²
    /// (1 for a normalised σ at unit variance) and Θ_ℓ(1) = τ_{L+1} q_{ℓ+1} + σ_w² E σ′(√q_ℓ ξ)² P_ℓ(1);
    /// for the standard initialisation Θ_ℓ(1) = τ_{L+1} + Σ_{m=1}^{ℓ} τ_m a_σ^{ℓ−m+1}.
    public func valueAtOne(_ kernel: InfiniteKernel) -> Double {
        switch kernel {
        case .ck(let l): return oneCK[l]
        case .ntk(let l): return oneNTK[l]
        }
    }

    /// K̇_ℓ(1) = E σ′(√q_ℓ ξ)², ℓ = 1 … L.
    public func derivativeAtOne(layer l: Int) -> Double { oneDerivative[l] }

    /// Σ_{j>N} c_j = value at 1 − Σ_{j≤N} c_j: bounds the truncation error on |ρ| ≤ 1. Never below
    /// the round-off of that difference, (N + 2)·ε·(K(1) + Σ|c_j|), so a tail that cancels to 0 (or
    /// below) is reported as "at most round-off", not as an exact 0.
    public func tail(_ kernel: InfiniteKernel) -> Double {
        let c = coefficients(kernel)
        let one = valueAtOne(kernel)
        let roundOff = Double(c.count + 1) * Double.ulpOfOne * (abs(one) + c.reduce(0) { $0 + abs($1) })
        return max(roundOff, one - c.reduce(0, +))
    }

    /// Bound on |K(ρ) − Σ_{j≤N} c_j ρ^j| as computed: the truncation, tail·|ρ|^{N+1} (or the tail
    /// itself when the low orders are not exact, `lowOrdersExact`), plus the round-off allowance
    /// `roundOff(_:at:)`. Without the allowance the bound fell below the rounding of the value
    /// itself (10⁻²⁸ against a value of 37 that the exact kernel matched to 1.6·10⁻¹³).
    public func errorBound(_ kernel: InfiniteKernel, at rho: Double) -> Double {
        let truncation = lowOrdersExact ? tail(kernel) * pow(min(1, abs(rho)), Double(order + 1)) : tail(kernel)
        return truncation + roundOff(kernel, at: rho)
    }

    /// The round-off allowance of the truncated series at ρ: (N + 2)(L + 1)·ε·Σ_j |c_j||ρ|^j. The
    /// coefficients come from L compositions of series of N + 1 terms by sums of products (of
    /// non-negative numbers for the standard kernels, so each has a relative error of that order),
    /// and the sum at ρ adds N + 1 more roundings.
    public func roundOff(_ kernel: InfiniteKernel, at rho: Double) -> Double {
        let r = min(1, abs(rho))
        var sum = 0.0, power = 1.0
        for c in coefficients(kernel) { sum += abs(c) * power; power *= r }
        return Double(order + 2) * Double(depth + 1) * Double.ulpOfOne * sum
    }

    /// The kernel at ρ ∈ [−1, 1] from the truncated series, with a bound on the truncation error.
    /// At ρ = 1 the exact value is returned (error 0).
    public func value(_ kernel: InfiniteKernel, at rho: Double) -> (value: Double, errorBound: Double) {
        if rho >= 1 { return (valueAtOne(kernel), 0) }
        return (PowerSeries.evaluate(coefficients(kernel), at: rho), errorBound(kernel, at: rho))
    }

    /// log10 of |c_j| per order (−∞ for zeros): the coefficient-decay view.
    public func log10Coefficients(_ kernel: InfiniteKernel) -> [Double] {
        coefficients(kernel).map { $0 > 0 ? log10($0) : -Double.infinity }
    }

    /// All kernels in a fixed order: K_1 … K_L then Θ_1 … Θ_L.
    public var kernels: [InfiniteKernel] {
        guard depth >= 1 else { return [.ck(0), .ntk(0)] }
        return (1...depth).map { .ck($0) } + (1...depth).map { .ntk($0) }
    }

    /// The constant coefficient c_0 and its share c_0/K(1) of the diagonal (= of the trace of any
    /// Gram on unit-norm data). On n points the Gram contains c_0·11ᵀ, an eigenvalue of at least
    /// n·c_0 (the outlier of the power-series paper's Theorem 4.1 / Observation 4.2).
    public func constantTerm(_ kernel: InfiniteKernel) -> (value: Double, share: Double) {
        let c = coefficients(kernel).first ?? 0, v = valueAtOne(kernel)
        return (c, v > 0 ? c / v : 0)
    }
}
