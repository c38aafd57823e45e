import Foundation
@testable import InfiniteWidth
import LimitLaws

/// Closed forms for the normalised ReLU σ = s(relu − m), m = 1/√(2π), s = 1/√(1/2 − 1/(2π)):
/// the arc-cosine kernels  κ(t) = s²[(√(1−t²) + (π − arccos t) t)/(2π) − 1/(2π)],
/// κ̇(t) = s² (π − arccos t)/(2π).
enum ArcCosine {
    static let s2 = 1 / (0.5 - 1 / (2 * Double.pi))
    static func kappa(_ t: Double) -> Double {
        let t = min(1, max(-1, t))
        return s2 * (((1 - t * t).squareRoot() + (Double.pi - acos(t)) * t) / (2 * Double.pi) - 1 / (2 * Double.pi))
    }
    static func kappaDot(_ t: Double) -> Double {
        let t = min(1, max(-1, t))
        return s2 * (Double.pi - acos(t)) / (2 * Double.pi)
    }
    /// (K_L(ρ), Θ_L(ρ)) by the recursions, pointwise.
    static func kernels(_ rho: Double, depth: Int) -> (ck: Double, ntk: Double) {
        var k = rho, theta = rho
        for _ in 0..<depth {
            let next = kappa(k)
            theta = next + theta * kappaDot(k)
            k = next
        }
        return (k, theta)
    }
}

func activation(_ name: String) -> Activation { try! Activation.named(name) }
