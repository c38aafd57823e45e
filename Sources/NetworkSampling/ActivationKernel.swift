import Foundation
import LimitLaws

/// Applies a normalised activation entrywise to a block of pre-activations.
///
/// For the common activations a closed form of the raw function is used (checked against
/// `Activation.value`/`derivative` at construction; on any mismatch the generic path is used),
/// everything else calls the engine's `Activation` per entry.
public struct ActivationKernel: Sendable {
    @usableFromInline enum Kind: Sendable { case arctan, tanh, relu, linear, generic }
    public let activation: Activation
    @usableFromInline let kind: Kind

    public init(_ activation: Activation) {
        self.activation = activation
        let candidates: [(Kind, (Double) -> (Double, Double))] = [
            (.arctan, { (atan($0), 1 / (1 + $0 * $0)) }),
            (.tanh, { let t = Foundation.tanh($0); return (t, 1 - t * t) }),
            (.relu, { ($0 > 0 ? $0 : 0, $0 > 0 ? 1 : 0) }),
            (.linear, { ($0, 1) }),
        ]
        let name = activation.name.lowercased()
        var chosen = Kind.generic
        for (k, f) in candidates where name == "\(k)" {
            let ok = [-2.3, -0.7, 0.4, 1.9, 3.1].allSatisfy { x in
                let (v, d) = f(x)
                let fv = activation.scale * (v - activation.shift), fd = activation.scale * d
                return abs(fv - activation.value(x)) <= 1e-9 * (1 + abs(fv))
                    && abs(fd - activation.derivative(x)) <= 1e-9 * (1 + abs(fd))
            }
            if ok { chosen = k }
        }
        kind = chosen
    }

    /// For i in range: if `deriv` is non-nil, deriv[i] = σ'(h[i])·dScale; then h[i] = σ(h[i])·xScale.
    /// (Inlinable so that callers in other modules get it specialised for Float and Double.)
    @inlinable public func apply<T: BLASScalar>(_ h: UnsafeMutablePointer<T>, deriv: UnsafeMutablePointer<T>?, range: Range<Int>,
                              xScale: Double, dScale: Double) {
        let s = activation.scale, sh = activation.shift
        let vs = s * xScale, ds = s * dScale
        @inline(__always) func run(_ f: (Double) -> (Double, Double)) {
            if let d = deriv {
                for i in range { let (v, dv) = f(Double(h[i])); d[i] = T(dv * ds); h[i] = T((v - sh) * vs) }
            } else {
                for i in range { let (v, _) = f(Double(h[i])); h[i] = T((v - sh) * vs) }
            }
        }
        switch kind {
        case .arctan: run { (atan($0), 1 / (1 + $0 * $0)) }
        case .tanh: run { let t = Foundation.tanh($0); return (t, 1 - t * t) }
        case .relu: run { ($0 > 0 ? $0 : 0, $0 > 0 ? 1 : 0) }
        case .linear: run { ($0, 1) }
        case .generic:
            let a = activation
            if let d = deriv {
                for i in range { let x = Double(h[i]); d[i] = T(a.derivative(x) * dScale); h[i] = T(a.value(x) * xScale) }
            } else {
                for i in range { h[i] = T(a.value(Double(h[i])) * xScale) }
            }
        }
    }

    /// out[i] = σ(h[i])·xScale for i in 0..<count, h unchanged: the same numbers as `apply` stores in h.
    @inlinable public func values<T: BLASScalar>(_ h: UnsafePointer<T>, into out: UnsafeMutablePointer<T>, count: Int, xScale: Double) {
        let vs = activation.scale * xScale, sh = activation.shift
        switch kind {
        case .arctan: for i in 0..<count { out[i] = T((atan(Double(h[i])) - sh) * vs) }
        case .tanh: for i in 0..<count { out[i] = T((Foundation.tanh(Double(h[i])) - sh) * vs) }
        case .relu: for i in 0..<count { let x = Double(h[i]); out[i] = T(((x > 0 ? x : 0) - sh) * vs) }
        case .linear: for i in 0..<count { out[i] = T((Double(h[i]) - sh) * vs) }
        case .generic:
            let a = activation
            for i in 0..<count { out[i] = T(a.value(Double(h[i])) * xScale) }
        }
    }

    /// out[i] = p[i] · D(h[i]) for i in 0..<count, with D(x) = σ′(x)·dScale rounded to `T` first (the number
    /// `apply` stores as the derivative). `out` may be `h` itself.
    @inlinable public func derivativeProduct<T: BLASScalar>(_ h: UnsafePointer<T>, _ p: UnsafePointer<T>, into out: UnsafeMutablePointer<T>,
                                                       count: Int, dScale: Double) {
        let ds = activation.scale * dScale
        switch kind {
        case .arctan: for i in 0..<count { let x = Double(h[i]); out[i] = p[i] * T(1 / (1 + x * x) * ds) }
        case .tanh: for i in 0..<count { let t = Foundation.tanh(Double(h[i])); out[i] = p[i] * T((1 - t * t) * ds) }
        case .relu: for i in 0..<count { out[i] = p[i] * T((Double(h[i]) > 0 ? 1 : 0) * ds) }
        case .linear: for i in 0..<count { out[i] = p[i] * T(ds) }
        case .generic:
            let a = activation
            for i in 0..<count { out[i] = p[i] * T(a.derivative(Double(h[i])) * dScale) }
        }
    }
}
