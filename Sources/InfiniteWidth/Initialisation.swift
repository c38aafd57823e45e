import Foundation
import LimitLaws

/// How the network is initialised and which σ it uses, beyond the activation's name: the weight
/// and bias variances of every layer and whether σ is centred (E σ(ξ) = 0) and normalised
/// (E σ(ξ)² = 1), ξ ~ N(0, 1).
///
/// Pre-activations of layer ℓ are h_ℓ = σ_w W_ℓ X_{ℓ−1} + σ_b b_ℓ 1ᵀ with W_ℓ, b_ℓ iid N(0, 1) and
/// X_ℓ = σ(h_ℓ)/√d_ℓ (X_0 the unit-norm inputs); the output is f = σ_w wᵀX_L + σ_b b (the
/// neural-tangents `stax.Dense(W_std = σ_w, b_std = σ_b, parameterization = 'ntk')` network).
/// The default (σ_w² = 1, σ_b² = 0, centred and normalised σ) is eq. (1) of Fan & Wang (2020);
/// the power-series paper (Murray et al. 2023, Assumption 2) uses σ_w² + σ_b² = 1 with σ
/// normalised but not centred (`centre: false`).
public struct Initialisation: Sendable, Hashable {
    /// σ_w², the variance of every weight (times 1/fan-in).
    public var weightVariance: Double
    /// σ_b², the variance of every bias.
    public var biasVariance: Double
    /// Subtract E σ(ξ) from σ.
    public var centre: Bool
    /// Scale σ so that E σ(ξ)² = 1 (after centring, when centred).
    public var normalise: Bool

    public init(weightVariance: Double = 1, biasVariance: Double = 0, centre: Bool = true, normalise: Bool = true) {
        self.weightVariance = weightVariance; self.biasVariance = biasVariance
        self.centre = centre; self.normalise = normalise
    }

    /// Fan & Wang's network: σ_w² = 1, no biases, σ centred and normalised.
    public static let standard = Initialisation()

    /// Allowed values of σ_w² and σ_b² (bounded before any arithmetic).
    public static let weightVariances = 1e-3...100.0
    public static let biasVariances = 0.0...100.0

    public var isStandard: Bool { self == .standard }

    /// Throws a `ModelError` naming the option when a value is out of range.
    public func validate() throws(ModelError) {
        guard weightVariance.isFinite, Self.weightVariances.contains(weightVariance) else {
            throw ModelError(field: "--weight-variance", value: "\(weightVariance)",
                             allowed: "must be a number from \(Self.weightVariances.lowerBound) to \(Self.weightVariances.upperBound)")
        }
        guard biasVariance.isFinite, Self.biasVariances.contains(biasVariance) else {
            throw ModelError(field: "--bias-variance", value: "\(biasVariance)",
                             allowed: "must be a number from \(Self.biasVariances.lowerBound) to \(Self.biasVariances.upperBound)")
        }
    }

    /// A one-line description ("σ_w² = 1, σ_b² = 0, σ centred, normalised").
    public var summary: String {
        "σ_w² = \(Self.format(weightVariance)), σ_b² = \(Self.format(biasVariance)), σ \(centre ? "centred" : "uncentred"), \(normalise ? "normalised" : "unnormalised")"
    }

    static func format(_ x: Double) -> String {
        var s = String(format: "%.6g", x)
        if s.contains("e") { return s }
        if s.contains(".") { while s.hasSuffix("0") { s.removeLast() }; if s.hasSuffix(".") { s.removeLast() } }
        return s
    }
}

/// The activation as the infinite-width kernels use it: σ(x) = scale·(raw(x) − shift), with
/// shift = E raw(ξ) when centred (else 0) and scale = 1/√E(raw − shift)² when normalised (else 1).
/// For the standard initialisation these are the `Activation`'s own shift and scale.
public struct KernelActivation: Sendable, Hashable {
    public let activation: Activation
    public let shift: Double
    public let scale: Double
    public let centred: Bool
    /// E σ(ξ)² = 1 by construction.
    public let normalised: Bool

    public init(_ activation: Activation, centre: Bool = true, normalise: Bool = true) {
        self.activation = activation
        self.centred = centre
        self.normalised = normalise
        if centre && normalise {
            shift = activation.shift; scale = activation.scale
            return
        }
        let raw = { (x: Double) in activation.value(x) / activation.scale + activation.shift }
        let bp = KernelActivation.breakpoints(activation.shape)
        // E raw from the closed form where there is one (so relu's μ₀ is exact), else quadrature
        let mean = DualKernel.rawMean(activation.shape, variance: 1) ?? GaussianIntegral.expectation(breakpoints: bp, raw)
        let s = centre ? mean : 0
        shift = s
        if normalise {
            let second = GaussianIntegral.expectation(breakpoints: bp) { let d = raw($0) - s; return d * d }
            scale = 1 / second.squareRoot()
        } else {
            scale = 1
        }
    }

    public var name: String { activation.name }
    public var shape: ActivationShape { activation.shape }

    /// The raw (unshifted, unscaled) activation.
    @inline(__always) public func raw(_ x: Double) -> Double { activation.value(x) / activation.scale + activation.shift }
    @inline(__always) public func rawDerivative(_ x: Double) -> Double { activation.derivative(x) / activation.scale }
    /// σ(x).
    @inline(__always) public func value(_ x: Double) -> Double { scale * (raw(x) - shift) }
    /// σ′(x).
    @inline(__always) public func derivative(_ x: Double) -> Double { scale * rawDerivative(x) }

    /// Where σ or σ′ has a kink (quadrature panels are split there).
    public var breakpoints: [Double] { Self.breakpoints(activation.shape) }

    static func breakpoints(_ shape: ActivationShape) -> [Double] {
        switch shape {
        case .relu, .leakyRelu, .elu: return [0]
        default: return []
        }
    }

    /// σ has a kink (σ′ jumps or σ″ does), so its Hermite coefficients decay algebraically.
    public var isKinked: Bool {
        switch activation.shape {
        case .relu, .leakyRelu, .elu: return true
        default: return false
        }
    }
}
