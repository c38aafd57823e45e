import Foundation
import LimitLaws

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

/// The infinite-width CK and NTK of the network of eq. (1) (no biases, NTK parametrisation, N(0,1)
/// weights, σ normalised), on unit-norm inputs, as power series in ρ = ⟨x, x′⟩:
///
///   K_0(ρ) = ρ,  K_ℓ = κ(K_{ℓ−1}),  κ(t) = Σ_k μ_k² t^k,  κ̇(t) = Σ_k k μ_k² t^{k−1},
///   Θ_ℓ = τ_{L+1} K_ℓ + T_ℓ,  T_0 = 0,  T_ℓ = (T_{ℓ−1} + τ_ℓ K_{ℓ−1}) · κ̇(K_{ℓ−1}),
///
/// which for τ ≡ 1 and ℓ = L is Θ_L = K_L + Σ_{ℓ=1}^{L} K_{ℓ−1} Π_{k=ℓ}^{L} κ̇(K_{k−1}).
/// All coefficients are ≥ 0, so on |ρ| ≤ 1 the truncation error of order N is at most the
/// known remaining mass  tail = (exact value at ρ = 1) − Σ_{j≤N} c_j.
public struct KernelSeries: Sendable {
    public let activation: Activation
    public let order: Int
    public let depth: Int
    /// τ_1 … τ_{L+1} (all 1 unless given).
    public let tau: [Double]
    public let hermite: HermiteCoefficients
    /// κ's coefficients μ_k², k = 0 … N.
    public let kappa: [Double]
    /// κ̇'s coefficients (k+1) μ_{k+1}², k = 0 … N.
    public let kappaDot: [Double]
    /// ck[ℓ] = coefficients of K_ℓ, ℓ = 0 … L.
    public let ck: [[Double]]
    /// ntk[ℓ] = coefficients of Θ_ℓ, ℓ = 0 … L (Θ_0 = τ_{L+1} ρ). Θ_ℓ for ℓ < L uses τ_1 … τ_ℓ
    /// and τ_{L+1} for the output weights.
    public let ntk: [[Double]]
    /// a_σ = κ̇(1) = E σ′(ξ)² (from the activation).
    public let aSigma: Double

    public static let defaultOrder = 200
    public static let maxOrder = 2000

    public init(activation: Activation, depth: Int, order: Int = KernelSeries.defaultOrder, tau: [Double]? = nil) {
        precondition(depth >= 0 && order >= 1)
        self.activation = activation
        self.order = order
        self.depth = depth
        let tau = tau ?? Array(repeating: 1, count: depth + 1)
        precondition(tau.count == depth + 1)
        self.tau = tau
        let h = HermiteCoefficients.compute(for: activation, order: order + 1)
        hermite = h
        var kap = (0...order).map { h.mu[$0] * h.mu[$0] }
        kap[0] = 0   // μ_0 = 0 by normalisation; drop quadrature round-off so κ(0) = 0 exactly
        kappa = kap
        var kd = [Double](repeating: 0, count: order + 1)
        for k in 0...order {
            let m = h.mu[k + 1]
            kd[k] = Double(k + 1) * m * m
        }
        kappaDot = kd
        aSigma = activation.a
        var k0 = [Double](repeating: 0, count: order + 1)
        k0[1] = 1
        var cks = [k0]
        var ntks = [k0.map { tau[depth] * $0 }]
        var t = [Double](repeating: 0, count: order + 1)
        for l in 1...max(depth, 1) where depth >= 1 {
            let prev = cks[l - 1]
            let kl = PowerSeries.compose(outer: kappa, inner: prev, order: order)
            let dot = PowerSeries.compose(outer: kappaDot, inner: prev, order: order)
            let tl = tau[l - 1]
            var sum = t
            for j in 0...order { sum[j] += tl * prev[j] }
            t = PowerSeries.multiply(sum, dot, order: order)
            cks.append(kl)
            let tout = tau[depth]
            var th = t
            for j in 0...order { th[j] += tout * kl[j] }
            ntks.append(th)
        }
        ck = cks
        ntk = ntks
    }

    /// The coefficients c_0 … c_N of a kernel.
    public func coefficients(_ kernel: InfiniteKernel) -> [Double] {
        switch kernel {
        case .ck(let l): return ck[l]
        case .ntk(let l): return ntk[l]
        }
    }

    /// The exact value at ρ = 1 (the diagonal): K_ℓ(1) = 1 since κ(1) = Σ μ_k² = 1, and
    /// Θ_ℓ(1) = τ_{L+1} + Σ_{m=1}^{ℓ} τ_m a_σ^{ℓ−m+1}, since κ̇(1) = a_σ.
    public func valueAtOne(_ kernel: InfiniteKernel) -> Double {
        switch kernel {
        case .ck: return 1
        case .ntk(let l):
            var s = tau[depth]
            if l >= 1 { for m in 1...l { s += tau[m - 1] * pow(aSigma, Double(l - m + 1)) } }
            return s
        }
    }

    /// Σ_{j>N} c_j = value at 1 − Σ_{j≤N} c_j (clamped at 0): bounds the truncation error on |ρ| ≤ 1.
    public func tail(_ kernel: InfiniteKernel) -> Double {
        max(0, valueAtOne(kernel) - coefficients(kernel).reduce(0, +))
    }

    /// The kernel at ρ ∈ [−1, 1] from the truncated series, with a bound on the truncation error
    /// tail·|ρ|^{N+1}. At ρ = 1 the exact value is returned (error 0).
    public func value(_ kernel: InfiniteKernel, at rho: Double) -> (value: Double, errorBound: Double) {
        if rho >= 1 { return (valueAtOne(kernel), 0) }
        let c = coefficients(kernel)
        return (PowerSeries.evaluate(c, at: rho), tail(kernel) * pow(abs(rho), Double(order + 1)))
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
}
