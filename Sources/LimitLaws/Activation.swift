import RealModule

/// The raw (unnormalised) activation functions ntkscope knows.
public enum ActivationShape: Sendable, Hashable {
    case arctan, tanh, relu, leakyRelu(slope: Double), gelu, silu, softplus, elu(alpha: Double)
    case sin, erf, linear
    /// cos(x) centred: an even activation, so b_σ = 0 (bounded σ′ and σ″).
    case cos
    /// b·x + √(1−b²)·h(x), h the normalised centred cosine: realises any b_σ in [−1, 1].
    case bFamily(b: Double)

    var breakpoints: [Double] {
        switch self {
        case .relu, .leakyRelu, .elu: return [0]
        default: return []
        }
    }

    func raw(_ x: Double) -> Double {
        switch self {
        case .arctan: return Double.atan(x)
        case .tanh: return Double.tanh(x)
        case .relu: return max(x, 0)
        case .leakyRelu(let s): return x >= 0 ? x : s * x
        case .gelu: return x * normalCDF(x)
        case .silu: return x * logistic(x)
        case .softplus: return max(x, 0) + Double.log(onePlus: Double.exp(-abs(x)))
        case .elu(let a): return x >= 0 ? x : a * Double.expMinusOne(x)
        case .sin: return Double.sin(x)
        case .erf: return Double.erf(x)
        case .linear: return x
        case .cos: return Double.cos(x)
        case .bFamily(let b): return b * x + (1 - b * b).squareRoot() * Self.centredCosine(x)
        }
    }

    func rawDerivative(_ x: Double) -> Double {
        switch self {
        case .arctan: return 1 / (1 + x * x)
        case .tanh: let t = Double.tanh(x); return 1 - t * t
        case .relu: return x > 0 ? 1 : 0
        case .leakyRelu(let s): return x > 0 ? 1 : s
        case .gelu: return normalCDF(x) + x * GaussianQuadrature.standardNormalDensity(x)
        case .silu: let s = logistic(x); return s * (1 + x * (1 - s))
        case .softplus: return logistic(x)
        case .elu(let a): return x > 0 ? 1 : a * Double.exp(x)
        case .sin: return Double.cos(x)
        case .erf: return 2 / Double.pi.squareRoot() * Double.exp(-x * x)
        case .linear: return 1
        case .cos: return -Double.sin(x)
        case .bFamily(let b): return b + (1 - b * b).squareRoot() * Self.centredCosineDerivative(x)
        }
    }

    /// h(x) = (cos x − e^{−1/2}) / √((1 + e^{−2})/2 − e^{−1}): even, E h = 0, E h² = 1.
    static let cosineMean = Double.exp(-0.5)
    static let cosineScale = 1 / ((1 + Double.exp(-2)) / 2 - Double.exp(-1)).squareRoot()
    static func centredCosine(_ x: Double) -> Double { (Double.cos(x) - cosineMean) * cosineScale }
    static func centredCosineDerivative(_ x: Double) -> Double { -Double.sin(x) * cosineScale }
}

@inline(__always) func normalCDF(_ x: Double) -> Double { 0.5 * Double.erfc(-x / 2.0.squareRoot()) }
@inline(__always) func logistic(_ x: Double) -> Double {
    x >= 0 ? 1 / (1 + Double.exp(-x)) : Double.exp(x) / (1 + Double.exp(x))
}

/// An activation σ normalised by shift and scale so that E σ(ξ) = 0 and E σ(ξ)² = 1 for
/// ξ ~ N(0, 1) (Assumption 3.2(b)), with its constants b_σ = E σ′(ξ) and a_σ = E σ′(ξ)².
public struct Activation: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let shape: ActivationShape
    /// σ(x) = scale · (raw(x) − shift).
    public let shift: Double
    public let scale: Double
    /// b_σ = E σ′(ξ).
    public let b: Double
    /// a_σ = E σ′(ξ)².
    public let a: Double

    public init(name: String, shape: ActivationShape) {
        self.name = name
        self.shape = shape
        // Composite Gauss–Legendre against the Gaussian weight, split at kinks: accurate to
        // about 1e−15 for every activation here. (A 160-node Gauss–Hermite rule reaches only
        // about 1e−9 for arctan, whose derivative has poles at ±i; see docs/math.md.)
        let expect: ((Double) -> Double) -> Double = { f in
            GaussianQuadrature.expectation(breakpoints: shape.breakpoints, f)
        }
        let mean = expect { shape.raw($0) }
        let variance = expect { let d = shape.raw($0) - mean; return d * d }
        let scale = 1 / variance.squareRoot()
        self.shift = mean
        self.scale = scale
        // An odd σ′ (cos, the b-family at b = 0) integrates to a rounding residue of ~1e−17, not 0;
        // left as it is, b² ≠ 0 gives every layer a coefficient q_ℓ ≈ 1e−34 in the NTK, whose rank
        // then counts against the atom at r_+. The quadrature is good to 1e−15, so below 1e−13 b_σ is 0.
        // Likewise b² ≤ 1 ≤ a_σ with equality exactly for a linear σ (Proposition C.1): the
        // linear activation's quadrature gives 1 ± 1e−16, which left r_+ = Σ (a^k − b^{2k}) at
        // 1e−14 instead of 0 (the NTK's atom at 0 printed at 9e−14); within 1e−13 they are ±1 and 1.
        let b = scale * expect { shape.rawDerivative($0) }
        let a = scale * scale * expect { let d = shape.rawDerivative($0); return d * d }
        self.b = abs(b) < 1e-13 ? 0 : abs(abs(b) - 1) < 1e-13 ? (b < 0 ? -1 : 1) : b
        self.a = abs(a - 1) < 1e-13 ? 1 : a
    }

    /// The normalised activation σ(x).
    @inline(__always) public func value(_ x: Double) -> Double { scale * (shape.raw(x) - shift) }
    /// σ′(x).
    @inline(__always) public func derivative(_ x: Double) -> Double { scale * shape.rawDerivative(x) }

    public var description: String { name }

    /// Names accepted by `named(_:)`; `leaky-relu:S`, `elu:A` and `b-family:B` take a parameter.
    public static let builtinNames = [
        "arctan", "tanh", "relu", "leaky-relu", "gelu", "silu", "softplus", "elu",
        "sin", "erf", "linear", "cos", "b-family",
    ]

    /// The activations the explorer cycles through, in order.
    public static let cycle = [
        "arctan", "tanh", "relu", "leaky-relu", "gelu", "silu", "softplus", "elu", "sin", "erf", "linear", "cos",
    ]

    public static func named(_ spec: String) throws(ModelError) -> Activation {
        let parts = spec.lowercased().split(separator: ":", maxSplits: 1).map(String.init)
        let base = parts.first ?? ""
        let parameter: Double?
        if parts.count == 2 {
            guard let p = Double(parts[1]), p.isFinite else {
                throw ModelError(field: "activation", value: spec, allowed: "the parameter after ':' must be a number")
            }
            parameter = p
        } else {
            parameter = nil
        }
        let allowed = "one of \(builtinNames.joined(separator: ", ")) (leaky-relu:S, elu:A and b-family:B take a parameter)"
        func noParameter() throws(ModelError) {
            if parameter != nil { throw ModelError(field: "activation", value: spec, allowed: "'\(base)' takes no parameter; \(allowed)") }
        }
        switch base {
        case "arctan", "atan": try noParameter(); return cached(.arctan, "arctan")
        case "tanh": try noParameter(); return cached(.tanh, "tanh")
        case "relu": try noParameter(); return cached(.relu, "relu")
        case "leaky-relu", "leakyrelu", "leaky_relu":
            let s = parameter ?? 0.01
            guard s >= 0, s < 1 else {
                throw ModelError(field: "activation", value: spec, allowed: "leaky-relu slope must be in [0, 1)")
            }
            return Activation(name: parameter == nil ? "leaky-relu" : "leaky-relu:\(format(s))", shape: .leakyRelu(slope: s))
        case "gelu": try noParameter(); return cached(.gelu, "gelu")
        case "silu", "swish": try noParameter(); return cached(.silu, "silu")
        case "softplus": try noParameter(); return cached(.softplus, "softplus")
        case "elu":
            let alpha = parameter ?? 1
            guard alpha > 0, alpha <= 10 else {
                throw ModelError(field: "activation", value: spec, allowed: "elu alpha must be in (0, 10]")
            }
            return Activation(name: parameter == nil ? "elu" : "elu:\(format(alpha))", shape: .elu(alpha: alpha))
        case "sin": try noParameter(); return cached(.sin, "sin")
        case "erf": try noParameter(); return cached(.erf, "erf")
        case "linear", "identity": try noParameter(); return cached(.linear, "linear")
        case "cos": try noParameter(); return cached(.cos, "cos")
        case "b-family", "bfamily", "b":
            guard let b = parameter else {
                throw ModelError(field: "activation", value: spec, allowed: "b-family needs its b_sigma, e.g. b-family:0.3")
            }
            return try bFamily(b)
        default:
            throw ModelError(field: "activation", value: spec, allowed: allowed)
        }
    }

    /// The b-family member with b_σ = b: σ(x) = b·x + √(1−b²)·h(x), h the centred, normalised cosine.
    public static func bFamily(_ b: Double) throws(ModelError) -> Activation {
        try NumberBounds.bSigma.check(b, field: "b-sigma")
        return Activation(name: "b-family:\(format(b))", shape: .bFamily(b: b))
    }

    private static let table: [String: Activation] = {
        var t: [String: Activation] = [:]
        let shapes: [(String, ActivationShape)] = [
            ("arctan", .arctan), ("tanh", .tanh), ("relu", .relu), ("gelu", .gelu), ("silu", .silu),
            ("softplus", .softplus), ("sin", .sin), ("erf", .erf), ("linear", .linear), ("cos", .cos),
        ]
        for (n, s) in shapes { t[n] = Activation(name: n, shape: s) }
        return t
    }()

    private static func cached(_ shape: ActivationShape, _ name: String) -> Activation {
        table[name] ?? Activation(name: name, shape: shape)
    }

    static func format(_ x: Double) -> String {
        var s = String(format3: x)
        while s.contains(".") && (s.hasSuffix("0") || s.hasSuffix(".")) { s.removeLast() }
        return s
    }
}

extension String {
    /// Fixed three-decimal formatting without Foundation.
    init(format3 x: Double) {
        let r = (x * 1000).rounded()
        let sign = r < 0 ? "-" : ""
        let a = Int(abs(r))
        let frac = a % 1000
        let fs = String(frac)
        self = "\(sign)\(a / 1000)." + String(repeating: "0", count: 3 - fs.count) + fs
    }
}
