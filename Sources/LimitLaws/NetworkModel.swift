/// The limit spectrum μ_0 of the input Gram matrix X^T X.
public enum InputLaw: Sendable, Hashable {
    /// iid N(0, 1/d_0) inputs: Marcenko–Pastur with γ_0 = n/d_0.
    case marcenkoPastur(gamma0: Double)
    /// Orthonormal inputs: δ_1.
    case orthonormal
    /// A discrete law: weighted points (eigenvalues read from a file, rescaled to mean 1 there).
    case discrete(DiscreteLaw)

    /// Equal weights on the given eigenvalues (equal ones merged into one weighted point).
    public static func discrete(eigenvalues: [Double]) -> InputLaw { .discrete(DiscreteLaw(eigenvalues: eigenvalues)) }

    public var shortDescription: String {
        switch self {
        case .marcenkoPastur(let g): return "MP(γ0=\(Activation.format(g)))"
        case .orthonormal: return "orthonormal (δ1)"
        case .discrete(let e):
            if e.compression != nil { return "file (\(e.count) eigenvalues, \(e.values.count) weighted points)" }
            return "file (\(e.count) eigenvalues)"
        }
    }
}

/// The network of eq. (1) in the linear-width limit: activation, input law, and the ratios
/// γ_ℓ = n/d_ℓ of the hidden layers; optional per-layer learning rates τ_1…τ_{L+1} (Theorem 3.8).
public struct NetworkModel: Sendable, Hashable {
    public var activation: Activation
    public var input: InputLaw
    public var gammas: [Double]
    public var tau: [Double]?

    public init(activation: Activation, input: InputLaw, gammas: [Double], tau: [Double]? = nil) {
        self.activation = activation
        self.input = input
        self.gammas = gammas
        self.tau = tau
    }

    public var depth: Int { gammas.count }

    /// The paper's Figure 1: n = 3000, d_0 = 1000, L = 5, d_ℓ = 6000, σ ∝ arctan.
    public static let figure1 = NetworkModel(
        activation: try! Activation.named("arctan"),
        input: .marcenkoPastur(gamma0: 3),
        gammas: Array(repeating: 0.5, count: 5))

    public static let maxDepth = 64
    public static let gammaRange: ClosedRange<Double> = 1e-4...1e4
    /// Learning rates τ_ℓ (Theorem 3.8): their ratios set the law, and beyond 10⁴ the moments
    /// printed (up to the fourth) and the plot ranges leave the range of a Double for deep networks.
    public static let tauRange: ClosedRange<Double> = 1e-4...1e4
    /// Coefficients z_ℓ of a combination (Theorem 3.7): each 0 or of size 10⁻⁸…10⁸.
    public static let coefficientRange: ClosedRange<Double> = 1e-8...1e8
    /// What a coefficient may be, for messages: "0 or of magnitude 1e-8 to 1e8".
    public static let coefficientDescription = "0 or of magnitude \(NumberBound.format(coefficientRange.lowerBound)) to \(NumberBound.format(coefficientRange.upperBound))"

    /// Checks the coefficients (z_{−1}, z_0, …, z_L) of a combination law against this model: depth + 2
    /// of them, each 0 or with |z| in `coefficientRange`, and at least one of z_0…z_L non-zero.
    /// `field` names the option or key in the message.
    public func validateCombination(_ z: [Double], field: String) throws(ModelError) {
        let text = z.map { "\($0)" }.joined(separator: ",")
        guard z.count == depth + 2 else {
            throw ModelError(field: field, value: text, allowed: "needs depth+2 = \(depth + 2) coefficients z_{-1},z_0,…,z_L")
        }
        for v in z where !(v == 0 || (v.isFinite && Self.coefficientRange.contains(abs(v)))) {
            throw ModelError(field: field, value: "\(v)", allowed: "every coefficient must be \(Self.coefficientDescription)")
        }
        guard z.dropFirst().contains(where: { $0 != 0 }) else {
            throw ModelError(field: field, value: text, allowed: "at least one of z_0,…,z_L must be non-zero")
        }
    }

    public func validate() throws(ModelError) {
        try NumberBounds.depth.check(Double(depth), field: "depth")
        for (i, g) in gammas.enumerated() { try NumberBounds.gamma.check(g, field: "gamma of layer \(i + 1)") }
        switch input {
        case .marcenkoPastur(let g0):
            try NumberBounds.gamma.check(g0, field: "gamma0")
        case .orthonormal: break
        case .discrete(let e):
            if let bad = e.invalidValue {
                throw ModelError(field: "input spectrum", value: "\(bad)", allowed: "needs finite eigenvalues >= 0 (and weights > 0)")
            }
            guard !e.isEmpty, e.max > 0 else {
                throw ModelError(field: "input spectrum", value: "\(e.count) values", allowed: "needs at least one eigenvalue > 0")
            }
        }
        if let tau {
            guard tau.count == depth + 1 else {
                throw ModelError(field: "tau", value: tau.map { "\($0)" }.joined(separator: ","), allowed: "needs depth+1 = \(depth + 1) values tau_1..tau_{L+1}")
            }
            for t in tau { try NumberBounds.tau.check(t, field: "tau") }
        }
    }

    // MARK: constants of eq. (7)

    /// q_ℓ = (b_σ²)^{L−ℓ}, ℓ = 0…L−1.
    public var q: [Double] {
        let b2 = activation.b * activation.b
        return (0..<depth).map { Double.pow(b2, Double(depth - $0)) }
    }
    /// r_ℓ = a_σ^{L−ℓ}, ℓ = 0…L−1.
    public var r: [Double] { (0..<depth).map { Double.pow(activation.a, Double(depth - $0)) } }
    /// r_+ = Σ_ℓ (r_ℓ − q_ℓ).
    public var rPlus: Double { zip(r, q).reduce(0) { $0 + $1.0 - $1.1 } }
    /// τ · r_+ = Σ_ℓ τ_{ℓ+1}(r_ℓ − q_ℓ) (Theorem 3.8).
    public var tauRPlus: Double {
        let t = tau ?? Array(repeating: 1, count: depth + 1)
        return (0..<depth).reduce(0) { $0 + t[$1] * (r[$1] - q[$1]) }
    }

    /// Coefficients (z_{−1}, z_0, …, z_L) of the NTK as a combination r_+ Id + Σ q_ℓ K_ℓ + K_L
    /// (Lemma 3.5), or the τ-weighted form of Theorem 3.8.
    public var ntkCoefficients: [Double] {
        let t = tau ?? Array(repeating: 1, count: depth + 1)
        let qs = q
        return [tauRPlus] + (0..<depth).map { t[$0] * qs[$0] } + [t[depth]]
    }
}

import RealModule
