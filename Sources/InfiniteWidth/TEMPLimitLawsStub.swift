// TEMP: a stand-in for the LimitLaws API (contract /work/contract/ENGINE_API.md) until the
// lead's engine lands on main. Delete this file after `git merge main`.
import Foundation

public struct ModelError: Error, CustomStringConvertible, Equatable, Sendable {
    public let field: String
    public let value: String
    public let allowed: String
    public init(field: String, value: String, allowed: String) {
        self.field = field; self.value = value; self.allowed = allowed
    }
    public var description: String { "invalid value '\(value)' for \(field): \(allowed)" }
}

public enum ActivationShape: Sendable, Hashable {
    case arctan, tanh, relu, leakyRelu(slope: Double), gelu, silu, softplus, elu(alpha: Double)
    case sin, erf, linear, cos
    case bFamily(b: Double)

    func raw(_ x: Double) -> Double {
        switch self {
        case .arctan: return atan(x)
        case .tanh: return Foundation.tanh(x)
        case .relu: return max(x, 0)
        case .leakyRelu(let s): return x >= 0 ? x : s * x
        case .gelu: return x * 0.5 * erfc(-x / 2.0.squareRoot())
        case .silu: return x / (1 + exp(-x))
        case .softplus: return max(x, 0) + log1p(exp(-abs(x)))
        case .elu(let a): return x >= 0 ? x : a * expm1(x)
        case .sin: return Foundation.sin(x)
        case .erf: return Foundation.erf(x)
        case .linear: return x
        case .cos: return Foundation.cos(x)
        case .bFamily(let b):
            let cs = 1 / ((1 + exp(-2.0)) / 2 - exp(-1.0)).squareRoot()
            return b * x + (1 - b * b).squareRoot() * (Foundation.cos(x) - exp(-0.5)) * cs
        }
    }
}

public struct Activation: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let shape: ActivationShape
    public let shift: Double
    public let scale: Double
    public let b: Double
    public let a: Double

    public init(name: String, shape: ActivationShape) {
        self.name = name
        self.shape = shape
        let bp: [Double] = [0]
        let mean = GaussianIntegral.expectation(breakpoints: bp) { shape.raw($0) }
        let v = GaussianIntegral.expectation(breakpoints: bp) { let d = shape.raw($0) - mean; return d * d }
        shift = mean
        scale = 1 / v.squareRoot()
        let h = 1e-5
        let sc = scale
        let der: (Double) -> Double = { x in sc * (shape.raw(x + h) - shape.raw(x - h)) / (2 * h) }
        b = GaussianIntegral.expectation(breakpoints: bp, der)
        a = GaussianIntegral.expectation(breakpoints: bp) { let d = der($0); return d * d }
    }
    public func value(_ x: Double) -> Double { scale * (shape.raw(x) - shift) }
    public func derivative(_ x: Double) -> Double {
        let h = 1e-6
        return scale * (shape.raw(x + h) - shape.raw(x - h)) / (2 * h)
    }
    public var description: String { name }
    public static let builtinNames = ["arctan", "tanh", "relu", "leaky-relu", "gelu", "silu", "softplus", "elu",
                                      "sin", "erf", "linear", "cos", "b-family"]
    public static func bFamily(_ b: Double) throws(ModelError) -> Activation {
        guard abs(b) <= 1 else { throw ModelError(field: "b-sigma", value: "\(b)", allowed: "must be a number in [-1, 1]") }
        return Activation(name: "b-family:\(b)", shape: .bFamily(b: b))
    }
    public static func named(_ spec: String) throws(ModelError) -> Activation {
        let parts = spec.lowercased().split(separator: ":", maxSplits: 1).map(String.init)
        let p = parts.count == 2 ? Double(parts[1]) : nil
        switch parts.first ?? "" {
        case "arctan": return Activation(name: "arctan", shape: .arctan)
        case "tanh": return Activation(name: "tanh", shape: .tanh)
        case "relu": return Activation(name: "relu", shape: .relu)
        case "leaky-relu": return Activation(name: "leaky-relu", shape: .leakyRelu(slope: p ?? 0.01))
        case "gelu": return Activation(name: "gelu", shape: .gelu)
        case "silu": return Activation(name: "silu", shape: .silu)
        case "softplus": return Activation(name: "softplus", shape: .softplus)
        case "elu": return Activation(name: "elu", shape: .elu(alpha: p ?? 1))
        case "sin": return Activation(name: "sin", shape: .sin)
        case "erf": return Activation(name: "erf", shape: .erf)
        case "linear": return Activation(name: "linear", shape: .linear)
        case "cos": return Activation(name: "cos", shape: .cos)
        case "b-family": return Activation(name: "b-family", shape: .bFamily(b: p ?? 0.3))
        default: throw ModelError(field: "activation", value: spec, allowed: "one of " + builtinNames.joined(separator: ", "))
        }
    }
}

public enum InputLaw: Sendable, Hashable {
    case marcenkoPastur(gamma0: Double)
    case orthonormal
    case discrete(eigenvalues: [Double])
}

public struct NetworkModel: Sendable, Hashable {
    public var activation: Activation
    public var input: InputLaw
    public var gammas: [Double]
    public var tau: [Double]?
    public init(activation: Activation, input: InputLaw, gammas: [Double], tau: [Double]? = nil) {
        self.activation = activation; self.input = input; self.gammas = gammas; self.tau = tau
    }
    public var depth: Int { gammas.count }
    public func validate() throws(ModelError) {}
}
