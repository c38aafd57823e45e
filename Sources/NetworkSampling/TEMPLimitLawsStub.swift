// TEMP: stand-in for the LimitLaws public API (contract in /work/contract/ENGINE_API.md)
// until the lead's engine lands on main. Delete this file after `git merge main`.
// Only the parts NetworkSampling uses are modelled; there is no limit-law solver here.
import Foundation

public struct ModelError: Error, CustomStringConvertible, Equatable {
    public let field: String
    public let value: String
    public let allowed: String
    public init(field: String, value: String, allowed: String) {
        self.field = field; self.value = value; self.allowed = allowed
    }
    public var description: String { "invalid value '\(value)' for \(field): \(allowed)" }
}

public struct Activation: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let shift: Double, scale: Double
    public let b: Double
    public let a: Double
    let rawKind: Int
    let bParam: Double
    public var description: String { name }

    static func raw(_ kind: Int, _ p: Double, _ x: Double) -> (Double, Double) {
        switch kind {
        case 0: return (atan(x), 1 / (1 + x * x))
        case 1: let t = tanh(x); return (t, 1 - t * t)
        case 2: return (max(0, x), x > 0 ? 1 : 0)
        case 3: return (x, 1)
        case 4: return (cos(x), -sin(x))
        default: // b-family: b x + sqrt(1-b^2) (x^2-1)/sqrt2 (stub only)
            let c = (1 - p * p).squareRoot() / 2.0.squareRoot()
            return (p * x + c * (x * x - 1), p + 2 * c * x)
        }
    }
    init(name: String, kind: Int, p: Double = 0) {
        // Gaussian moments by the trapezoid rule on [-12, 12].
        var m1 = 0.0, m2 = 0.0, d1 = 0.0, d2 = 0.0, w = 0.0
        let h = 1e-3
        for i in -12000...12000 {
            let x = Double(i) * h
            let g = exp(-x * x / 2)
            let (v, d) = Activation.raw(kind, p, x)
            m1 += g * v; m2 += g * v * v; d1 += g * d; d2 += g * d * d; w += g
        }
        m1 /= w; m2 /= w; d1 /= w; d2 /= w
        let s = 1 / (m2 - m1 * m1).squareRoot()
        self.name = name; rawKind = kind; bParam = p
        shift = m1; scale = s; b = s * d1; a = s * s * d2
    }
    public func value(_ x: Double) -> Double { scale * (Activation.raw(rawKind, bParam, x).0 - shift) }
    public func derivative(_ x: Double) -> Double { scale * Activation.raw(rawKind, bParam, x).1 }
    public static func named(_ name: String) throws(ModelError) -> Activation {
        switch name {
        case "arctan": return Activation(name: name, kind: 0)
        case "tanh": return Activation(name: name, kind: 1)
        case "relu": return Activation(name: name, kind: 2)
        case "linear": return Activation(name: name, kind: 3)
        case "cos": return Activation(name: name, kind: 4)
        default:
            if name.hasPrefix("b-family:"), let b = Double(name.dropFirst(9)) { return try bFamily(b) }
            throw ModelError(field: "--activation", value: name, allowed: "one of \(builtinNames)")
        }
    }
    public static func bFamily(_ b: Double) throws(ModelError) -> Activation {
        guard abs(b) <= 1 else { throw ModelError(field: "--b-sigma", value: "\(b)", allowed: "must be in [-1, 1]") }
        return Activation(name: String(format: "b-family(%.2f)", b), kind: 5, p: b)
    }
    public static let builtinNames = ["arctan", "tanh", "relu", "linear", "cos"]
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
    public var depth: Int { gammas.count }
    public init(activation: Activation, input: InputLaw, gammas: [Double], tau: [Double]? = nil) {
        self.activation = activation; self.input = input; self.gammas = gammas; self.tau = tau
    }
    public static let figure1 = NetworkModel(activation: try! .named("arctan"),
                                             input: .marcenkoPastur(gamma0: 3), gammas: Array(repeating: 0.5, count: 5))
    public func validate() throws(ModelError) {
        if gammas.isEmpty { throw ModelError(field: "depth", value: "0", allowed: "must be >= 1") }
        for g in gammas where !(g > 0) { throw ModelError(field: "--gamma", value: "\(g)", allowed: "must be > 0") }
        if let t = tau, t.count != gammas.count + 1 || t.contains(where: { !($0 > 0) }) {
            throw ModelError(field: "--tau", value: "\(t)", allowed: "needs depth+1 positive values")
        }
    }
}

public enum KernelID: Sendable, Hashable, CustomStringConvertible {
    case ck(Int)
    case ntk
    public var description: String {
        switch self { case .ck(let l): return "ck\(l)"; case .ntk: return "ntk" }
    }
}

public struct Atom: Sendable, Hashable {
    public let location: Double; public let mass: Double
    public init(location: Double, mass: Double) { self.location = location; self.mass = mass }
}

public struct LimitSpectrum: Sendable {
    public let kernel: KernelID
    public let x: [Double]
    public let density: [Double]
    public let atoms: [Atom]
    public let support: [ClosedRange<Double>]
    public let mean: Double
    public let secondMoment: Double
    public let failures: Int
    let cdfFunction: @Sendable (Double) -> Double
    public init(kernel: KernelID, x: [Double], density: [Double], atoms: [Atom], support: [ClosedRange<Double>],
                mean: Double, secondMoment: Double, cdf: @escaping @Sendable (Double) -> Double) {
        self.kernel = kernel; self.x = x; self.density = density; self.atoms = atoms; self.support = support
        self.mean = mean; self.secondMoment = secondMoment; self.failures = 0; self.cdfFunction = cdf
    }
    public func cdf(_ x: Double) -> Double { cdfFunction(x) }
}

public struct SolveOptions: Sendable, Hashable {
    public var gridPoints: Int = 400
    public var xRange: ClosedRange<Double>? = nil
    public var kernels: [KernelID]? = nil
    public init() {}
}

// TEMP: engine stand-in; solves nothing (returns no spectra) until the real engine is merged.
public struct SolverCache: Sendable { public init() {} }
public struct ModelSpectra: Sendable {
    public let spectra: [LimitSpectrum]
    public let cache: SolverCache
    public func spectrum(_ id: KernelID) -> LimitSpectrum? { spectra.first { $0.kernel == id } }
}
public struct LimitLawEngine: Sendable {
    public init() {}
    public func solve(_ model: NetworkModel, options: SolveOptions = .init(), previous: SolverCache? = nil) -> ModelSpectra {
        ModelSpectra(spectra: [], cache: SolverCache())
    }
}
