import LimitLaws
import RealModule

/// φ = σ′, the function the quadratic-scaling NTK is built from, with its Gaussian constants.
///
/// For ξ ~ N(0, 1): c₀ = E φ(ξ), c₁ = E ξ φ(ξ) (= E σ″(ξ) for smooth σ), v = Var φ(ξ) and
/// a² = v − c₁² (the Hermite energy of φ above degree 1). The limit law depends on σ only through
/// c₁² and a²; c₀ creates the d outliers near c₀² E[D²] γ₁ p.
///
/// Two forms of every activation of the table (`Activation.builtinNames`) are offered:
/// - raw (the default, as the regime is usually studied): φ = raw σ′, e.g. relu gives the step
///   1{x > 0}, tanh gives sech², erf gives (2/√π) e^{−x²};
/// - normalised: σ = s·(raw − shift) with E σ = 0, E σ² = 1 (the table's normalisation); then
///   φ = s·raw σ′, so c₀ and c₁ scale by s and H and the NTK law by s².
/// Plus `quadratic`, σ = x²/2 (φ = x: c₀ = 0, c₁ = 1, a² = 0; normalised σ = (x² − 1)/√2, φ = √2·x).
///
/// All expectations use composite Gauss–Legendre split at the kinks of σ (GaussianQuadrature),
/// exact to ~1e−15 also for the step φ of relu.
public struct DerivativeActivation: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let normalised: Bool
    /// The table activation (nil for `quadratic`).
    public let activation: Activation?
    /// φ = factor · raw σ′ (the normalisation's scale s, or 1).
    public let factor: Double
    public let c0: Double
    public let c1: Double
    /// v = Var φ(ξ).
    public let variance: Double
    /// a² = v − c₁².
    public let a2: Double

    /// Names accepted by `named(_:normalised:)`: the table's and `quadratic`.
    public static let names = Activation.builtinNames + ["quadratic"]

    public static func named(_ spec: String, normalised: Bool = false) throws(ModelError) -> DerivativeActivation {
        let lower = spec.lowercased()
        if lower == "quadratic" || lower == "square" {
            return DerivativeActivation(name: "quadratic", normalised: normalised, activation: nil)
        }
        do {
            let a = try Activation.named(spec)
            return DerivativeActivation(name: a.name, normalised: normalised, activation: a)
        } catch {
            throw ModelError(field: "activation", value: spec,
                             allowed: "one of \(names.joined(separator: ", ")) (leaky-relu:S, elu:A and b-family:B take a parameter)")
        }
    }

    init(name: String, normalised: Bool, activation: Activation?) {
        self.name = name
        self.normalised = normalised
        self.activation = activation
        if let a = activation {
            factor = normalised ? a.scale : 1
        } else {
            factor = normalised ? 2.0.squareRoot() : 1
        }
        let kinks = activation?.shape.kinks ?? []
        let raw: (Double) -> Double = Self.rawDerivative(activation)
        let f = factor
        func expect(_ g: (Double) -> Double) -> Double { GaussianQuadrature.expectation(breakpoints: kinks, g) }
        var c0 = f * expect { raw($0) }
        var c1 = f * expect { $0 * raw($0) }
        let second = f * f * expect { let v = raw($0); return v * v }
        let variance = max(0, second - c0 * c0)
        // Quadrature is good to ~1e−15 relative: below 1e−13 a constant is a rounding residue of 0
        // (an even φ has c₁ = 0 exactly, an odd one c₀ = 0).
        let scale = max(second.squareRoot(), 1e-300)
        if abs(c0) < 1e-13 * scale { c0 = 0 }
        if abs(c1) < 1e-13 * scale { c1 = 0 }
        var a2 = variance - c1 * c1
        if abs(a2) < 1e-12 * max(variance, 1e-300) { a2 = 0 }
        self.c0 = c0
        self.c1 = c1
        self.variance = variance
        self.a2 = max(0, a2)
    }

    static func rawDerivative(_ activation: Activation?) -> (Double) -> Double {
        guard let a = activation else { return { $0 } }
        let s = a.scale
        return { a.derivative($0) / s }
    }

    /// φ(x).
    public func phi(_ x: Double) -> Double {
        guard let a = activation else { return factor * x }
        return factor * a.derivative(x) / a.scale
    }

    /// c₁².
    public var c1Squared: Double { c1 * c1 }

    public var description: String { normalised ? "\(name) (normalised)" : name }
}
