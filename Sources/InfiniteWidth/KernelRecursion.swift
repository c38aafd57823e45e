import Foundation
import LimitLaws

/// The infinite-width kernels at a point ρ = ⟨x, x′⟩ by the layer recursion with the exact dual
/// kernels (`DualKernel`: closed forms for relu, leaky-relu, erf, sin, cos, linear and the b-family;
/// 2-D quadrature otherwise), no series and no truncation:
///
///   Σ_1 = σ_w² ρ + σ_b²,  K_ℓ = κ_{q_ℓ}(Σ_ℓ),  K̇_ℓ = κ̇_{q_ℓ}(Σ_ℓ),  Σ_{ℓ+1} = σ_w² K_ℓ + σ_b²,
///   P_1 = τ_1 Σ_1,  Θ_ℓ = τ_{L+1} Σ_{ℓ+1} + σ_w² K̇_ℓ P_ℓ,  P_{ℓ+1} = τ_{ℓ+1} Σ_{ℓ+1} + σ_w² K̇_ℓ P_ℓ.
///
/// `KernelSeries` expands the same recursion in powers of ρ; this is its pointwise oracle and the
/// source of exact Gram matrices and sphere eigenvalues for kinked σ.
public struct KernelRecursion: Sendable {
    public let activation: KernelActivation
    public let initialisation: Initialisation
    public let depth: Int
    /// τ_1 … τ_{L+1}.
    public let tau: [Double]
    public let dual: DualKernel
    /// q_1 … q_{L+1}: the pre-activation variances Σ_ℓ(1).
    public let variances: [Double]

    public var method: DualKernel.Method { dual.method }

    public init(activation: Activation, depth: Int, tau: [Double]? = nil, initialisation: Initialisation = .standard) {
        precondition(depth >= 0)
        self.activation = KernelActivation(activation, centre: initialisation.centre, normalise: initialisation.normalise)
        self.initialisation = initialisation
        self.depth = depth
        let tau = tau ?? Array(repeating: 1, count: depth + 1)
        precondition(tau.count == depth + 1)
        self.tau = tau
        dual = DualKernel(self.activation)
        var q = [initialisation.weightVariance + initialisation.biasVariance]
        for _ in 0..<depth { q.append(initialisation.weightVariance * dual.diagonal(variance: q.last!).kappa + initialisation.biasVariance) }
        variances = q
    }

    /// Every kernel at one ρ.
    public struct Values: Sendable, Hashable {
        public var rho: Double
        /// Σ_1 … Σ_{L+1} (index ℓ − 1): the pre-activation covariances.
        public var sigma: [Double]
        /// K_0 … K_L (K_0 = ρ).
        public var ck: [Double]
        /// K̇_1 … K̇_L at index 1 … L (index 0 is NaN: no layer 0).
        public var derivative: [Double]
        /// Θ_0 … Θ_L (Θ_ℓ: the network with ℓ hidden layers, output weights τ_{L+1}).
        public var ntk: [Double]
    }

    /// All kernels at ρ ∈ [−1, 1] (clamped); at ρ = 1 the diagonal values.
    public func values(at rho0: Double) -> Values {
        let rho = min(1, max(-1, rho0))
        let sw = initialisation.weightVariance, sb = initialisation.biasVariance
        let L = depth
        var sigma = sw * rho + sb
        var v = Values(rho: rho, sigma: [sigma], ck: [rho], derivative: [.nan], ntk: [tau[L] * sigma])
        var p = tau[0] * sigma
        if L == 0 { return v }
        for l in 1...L {
            let q = variances[l - 1]
            let (k, kd) = rho >= 1 ? dual.diagonal(variance: q) : dual.values(variance: q, covariance: sigma)
            let next = sw * k + sb
            let t = sw * kd * p
            v.ck.append(k); v.derivative.append(kd); v.sigma.append(next)
            v.ntk.append(tau[L] * next + t)
            p = (l < L ? tau[l] : 0) * next + t
            sigma = next
        }
        return v
    }

    /// One kernel at ρ.
    public func value(_ kernel: InfiniteKernel, at rho: Double) -> Double {
        let v = values(at: rho)
        switch kernel {
        case .ck(let l): return v.ck[l]
        case .ntk(let l): return v.ntk[l]
        }
    }
}

/// The kernels on a grid of ρ (a `kernel` panel): K_ℓ, K̇_ℓ and Θ_ℓ of every layer from the exact
/// recursion, and the series' Θ_L with its bound when a series is given (to show where truncation bites).
public struct KernelProfile: Sendable {
    public let rho: [Double]
    /// ck[ℓ][i] = K_ℓ(ρ_i), ℓ = 0 … L.
    public let ck: [[Double]]
    /// derivative[ℓ][i] = K̇_ℓ(ρ_i), ℓ = 1 … L (index 0 empty).
    public let derivative: [[Double]]
    /// ntk[ℓ][i] = Θ_ℓ(ρ_i), ℓ = 0 … L.
    public let ntk: [[Double]]
    /// The series' Θ_L(ρ_i) and its truncation bound, when computed with a series.
    public let seriesNTK: [Double]?
    public let seriesBound: [Double]?
    public let method: DualKernel.Method

    /// `points` equally spaced ρ from −1 to 1 (2-D quadrature σ: about 5 ms per point and layer in a
    /// release build, hence the control).
    public static func compute(_ r: KernelRecursion, points: Int = 201, series: KernelSeries? = nil,
                               control: ComputationControl = .none) throws(ComputationCancelled) -> KernelProfile {
        let n = max(2, points)
        let rho = UniformGrid.points(-1...1, count: n)
        let L = r.depth
        var ck = Array(repeating: [Double](), count: L + 1), ntk = ck, der = ck
        for (i, x) in rho.enumerated() {
            if control.isCancelled { throw ComputationCancelled() }
            let v = r.values(at: x)
            for l in 0...L {
                ck[l].append(v.ck[l]); ntk[l].append(v.ntk[l])
                if l >= 1 { der[l].append(v.derivative[l]) }
            }
            control.report(Double(i + 1) / Double(n))
        }
        let s = series.map { s in rho.map { s.value(.ntk(L), at: $0) } }
        return KernelProfile(rho: rho, ck: ck, derivative: der, ntk: ntk, seriesNTK: s?.map(\.value),
                             seriesBound: s?.map(\.errorBound), method: r.method)
    }
}
