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
}
