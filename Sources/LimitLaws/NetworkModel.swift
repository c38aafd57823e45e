/// The limit spectrum μ_0 of the input Gram matrix X^T X.
public enum InputLaw: Sendable, Hashable {
    /// iid N(0, 1/d_0) inputs: Marcenko–Pastur with γ_0 = n/d_0.
    case marcenkoPastur(gamma0: Double)
    /// Orthonormal inputs: δ_1.
    case orthonormal
    /// A discrete law: the given eigenvalues with equal weights, rescaled to mean 1.
    case discrete(eigenvalues: [Double])

    public var shortDescription: String {
        switch self {
        case .marcenkoPastur(let g): return "MP(γ0=\(Activation.format(g)))"
        case .orthonormal: return "orthonormal (δ1)"
        case .discrete(let e): return "file (\(e.count) eigenvalues)"
        }
    }

    /// Parses a file of eigenvalues: one number per line, or the first column of a CSV;
    /// `#` comments, blank lines and a non-numeric header line are allowed.
    /// Returns the eigenvalues rescaled to mean 1 and a notice when a rescaling was needed.
    public static func parseEigenvalues(_ text: String, source: String) throws(ModelError) -> (eigenvalues: [Double], notice: String?) {
        var values: [Double] = []
        var lineNumber = 0
        var sawData = false
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty { continue }
            let field = trimmed.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).first.map { $0.trimmingWhitespace() } ?? ""
            guard let v = Double(field) else {
                if !sawData && values.isEmpty && lineNumber == firstContentLine(text) { continue } // header
                throw ModelError(field: "\(source) line \(lineNumber)", value: String(field), allowed: "each line must hold one number (the first CSV column is read)")
            }
            guard v.isFinite, v >= 0 else {
                throw ModelError(field: "\(source) line \(lineNumber)", value: String(field), allowed: "eigenvalues of X^T X must be finite and >= 0")
            }
            sawData = true
            values.append(v)
        }
        guard !values.isEmpty else {
            throw ModelError(field: source, value: "(no numbers)", allowed: "the file must hold at least one eigenvalue")
        }
        let mean = values.reduce(0, +) / Double(values.count)
        guard mean > 0 else {
            throw ModelError(field: source, value: "all zero", allowed: "the eigenvalues must have a positive mean")
        }
        if abs(mean - 1) > 1e-9 {
            return (values.map { $0 / mean }, "\(source): eigenvalues had mean \(mean); rescaled to mean 1")
        }
        return (values, nil)
    }

    private static func firstContentLine(_ text: String) -> Int {
        var n = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            n += 1
            var line = Substring(raw)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            if !line.trimmingWhitespace().isEmpty { return n }
        }
        return 0
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var s = self
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return s
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

    public func validate() throws(ModelError) {
        guard depth >= 1, depth <= Self.maxDepth else {
            throw ModelError(field: "depth", value: "\(depth)", allowed: "must be an integer from 1 to \(Self.maxDepth)")
        }
        for (i, g) in gammas.enumerated() where !(g.isFinite && Self.gammaRange.contains(g)) {
            throw ModelError(field: "gamma of layer \(i + 1)", value: "\(g)", allowed: "must be > 0, between 1e-4 and 1e4")
        }
        switch input {
        case .marcenkoPastur(let g0):
            guard g0.isFinite, Self.gammaRange.contains(g0) else {
                throw ModelError(field: "gamma0", value: "\(g0)", allowed: "must be > 0, between 1e-4 and 1e4")
            }
        case .orthonormal: break
        case .discrete(let e):
            guard !e.isEmpty, e.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw ModelError(field: "input spectrum", value: "\(e.count) values", allowed: "needs finite eigenvalues >= 0")
            }
        }
        if let tau {
            guard tau.count == depth + 1 else {
                throw ModelError(field: "tau", value: tau.map { "\($0)" }.joined(separator: ","), allowed: "needs depth+1 = \(depth + 1) values tau_1..tau_{L+1}")
            }
            for t in tau where !(t.isFinite && t > 0) {
                throw ModelError(field: "tau", value: "\(t)", allowed: "every tau must be > 0")
            }
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
