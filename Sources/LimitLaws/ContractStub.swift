// TEMP (explorer branch only): a stand-in for the LimitLaws contract in /work/contract/ENGINE_API.md
// so that ExplorerCore/TerminalUI compile before the lead's engine lands on main.
// DELETE THIS FILE when merging main (the real engine replaces it).
import Foundation

public struct ModelError: Error, CustomStringConvertible, Equatable {
    public let field: String
    public let value: String
    public let allowed: String
    public init(field: String, value: String, allowed: String) { self.field = field; self.value = value; self.allowed = allowed }
    public var description: String { "invalid value '\(value)' for \(field): \(allowed)" }
}

public struct Activation: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let shift: Double, scale: Double
    public let b: Double
    public let a: Double
    public var description: String { name }
    public func value(_ x: Double) -> Double { x }
    public func derivative(_ x: Double) -> Double { 1 }
    public static func named(_ name: String) throws(ModelError) -> Activation {
        if name.hasPrefix("b-family:") { return try bFamily(Double(name.dropFirst(9)) ?? .nan) }
        let table: [String: (Double, Double)] = [
            "arctan": (0.978, 1.0), "tanh": (0.93, 1.1), "relu": (0.71, 0.86), "leaky-relu": (0.8, 0.9),
            "gelu": (0.77, 0.9), "silu": (0.8, 0.95), "softplus": (0.85, 0.95), "elu": (0.9, 1.0),
            "sin": (0.6, 1.0), "erf": (0.95, 1.05), "linear": (1, 1), "cos": (0, 1.0),
        ]
        guard let (b, a) = table[name] else {
            throw ModelError(field: "sigma", value: name, allowed: "one of \(builtinNames.joined(separator: ", "))")
        }
        return Activation(name: name, shift: 0, scale: 1, b: b, a: max(a, b * b))
    }
    public static func bFamily(_ b: Double) throws(ModelError) -> Activation {
        guard b.isFinite, abs(b) <= 1 else { throw ModelError(field: "b", value: "\(b)", allowed: "must be in [-1, 1]") }
        return Activation(name: String(format: "b-family(%.2f)", b), shift: 0, scale: 1, b: b, a: 1)
    }
    public static let builtinNames: [String] = ["arctan", "tanh", "relu", "leaky-relu", "gelu", "silu", "softplus",
                                                "elu", "sin", "erf", "linear", "cos"]
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
    public static let figure1 = NetworkModel(activation: try! .named("arctan"), input: .marcenkoPastur(gamma0: 3),
                                             gammas: Array(repeating: 0.5, count: 5))
    public func validate() throws(ModelError) {
        guard !gammas.isEmpty else { throw ModelError(field: "depth", value: "0", allowed: "must be >= 1") }
        for g in gammas where !(g > 0 && g.isFinite) { throw ModelError(field: "--gamma", value: "\(g)", allowed: "must be > 0") }
    }
}

public enum KernelID: Sendable, Hashable, CustomStringConvertible {
    case ck(Int)
    case ntk
    public var description: String {
        switch self { case .ck(let l): return "CK(\(l))"; case .ntk: return "NTK" }
    }
}

public struct Atom: Sendable, Hashable { public let location: Double; public let mass: Double }

public struct LimitSpectrum: Sendable {
    public let kernel: KernelID
    public let x: [Double]
    public let density: [Double]
    public let atoms: [Atom]
    public let support: [ClosedRange<Double>]
    public let mean: Double
    public let secondMoment: Double
    public let failures: Int
    public func cdf(_ t: Double) -> Double { 0 }
    public func quantile(_ p: Double) -> Double { 0 }
}

public struct SolveOptions: Sendable, Hashable {
    public var gridPoints: Int = 400
    public var xRange: ClosedRange<Double>? = nil
    public var kernels: [KernelID]? = nil
    public init() {}
}

public struct SolverCache: Sendable { }

public struct ModelSpectra: Sendable {
    public let spectra: [LimitSpectrum]
    public let cache: SolverCache
    public func spectrum(_ id: KernelID) -> LimitSpectrum? { spectra.first { $0.kernel == id } }
}

/// Crude stand-in: every law is a Marcenko-Pastur law (shifted for the NTK). Not the paper's laws.
public struct LimitLawEngine: Sendable {
    public init() {}
    public func solve(_ model: NetworkModel, options: SolveOptions = .init(), previous: SolverCache? = nil) -> ModelSpectra {
        let ids = options.kernels ?? ((0...model.depth).map { KernelID.ck($0) } + [.ntk])
        let out = ids.map { id -> LimitSpectrum in
            let gamma: Double, shift: Double
            switch id {
            case .ck(0): if case .marcenkoPastur(let g0) = model.input { gamma = g0 } else { gamma = 0.01 }; shift = 0
            case .ck(let l): gamma = model.gammas[min(l, model.depth) - 1]; shift = 0
            case .ntk: gamma = model.gammas.last!; shift = 1
            }
            let lo = pow(1 - gamma.squareRoot(), 2), hi = pow(1 + gamma.squareRoot(), 2)
            let range = options.xRange ?? (shift...(shift + hi * 1.05))
            let n = options.gridPoints
            let x = (0..<n).map { range.lowerBound + (range.upperBound - range.lowerBound) * Double($0) / Double(n - 1) }
            let d = x.map { t -> Double in
                let u = t - shift
                guard u > lo, u < hi else { return 0 }
                return ((hi - u) * (u - lo)).squareRoot() / (2 * Double.pi * gamma * u)
            }
            let atoms = gamma > 1 ? [Atom(location: shift, mass: 1 - 1 / gamma)] : []
            return LimitSpectrum(kernel: id, x: x, density: d, atoms: atoms, support: [(shift + lo)...(shift + hi)],
                                 mean: 1 + shift, secondMoment: 1 + gamma, failures: 0)
        }
        return ModelSpectra(spectra: out, cache: SolverCache())
    }
}
