import COptimizerKernels
import Foundation
import NetworkSampling

/// Updates parameter buffers in place from their gradients. One instance per run (it holds Adam's moments).
final class Optimizer<T: BLASScalar> {
    let kind: OptimizerKind
    let learningRate: Double
    let threads: Int
    /// Steps taken (Adam's t).
    private(set) var step = 0
    private var m: [UnsafeMutablePointer<T>] = []
    private var v: [UnsafeMutablePointer<T>] = []
    private var sizes: [Int] = []
    /// Per buffer: the optimiser acts on θ' = θ/√c instead of θ (`Parametrization.standard`). Exactly, in
    /// θ: gradient descent steps by c·η·g; Adam by √c·η with ε/√c (Adam is invariant to the gradient's scale).
    private let scales: [Double]

    init(kind: OptimizerKind, learningRate: Double, sizes: [Int], scales: [Double]? = nil, threads: Int) {
        self.kind = kind; self.learningRate = learningRate; self.sizes = sizes; self.threads = threads
        self.scales = scales ?? Array(repeating: 1, count: sizes.count)
        if case .adam = kind {
            for s in sizes {
                let a = UnsafeMutablePointer<T>.allocate(capacity: max(1, s)); a.initialize(repeating: 0, count: s)
                let b = UnsafeMutablePointer<T>.allocate(capacity: max(1, s)); b.initialize(repeating: 0, count: s)
                m.append(a); v.append(b)
            }
        }
    }
    deinit { for p in m + v { p.deallocate() } }

    /// Bytes held by the optimiser state.
    var stateBytes: Int { (m.isEmpty ? 0 : 2) * sizes.reduce(0, +) * MemoryLayout<T>.stride }

    /// One update of every buffer: `params[i]` (count `sizes[i]`) from `grads[i]`.
    ///
    /// - Gradient descent: θ ← θ − η g.
    /// - Adam (Kingma & Ba 2015, Algorithm 1), t = the step number from 1:
    ///   m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²,  m̂ = m/(1 − β₁ᵗ),  v̂ = v/(1 − β₂ᵗ),
    ///   θ ← θ − η m̂ / (√v̂ + ε).
    func update(_ params: [UnsafeMutablePointer<T>], _ grads: [UnsafePointer<T>]) {
        step += 1
        let eta = learningRate
        switch kind {
        case .gradientDescent:
            for (i, count) in sizes.enumerated() {
                let p = params[i], g = grads[i], lr = T(eta * scales[i])
                parallelChunks(count, threads: count >= 1 << 15 ? threads : 1) { r in for k in r { p[k] -= lr * g[k] } }
            }
        case .adam(let b1, let b2, let eps):
            let c1 = 1 / (1 - Foundation.pow(b1, Double(step))), c2 = 1 / (1 - Foundation.pow(b2, Double(step)))
            for (i, count) in sizes.enumerated() {
                let p = params[i], g = grads[i], mi = m[i], vi = v[i]
                let root = scales[i].squareRoot(), eta = eta * root, eps = eps / root
                parallelChunks(count, threads: count >= 1 << 15 ? threads : 1) { r in
                    let k = r.lowerBound, len = r.count
                    if T.self == Float.self {
                        ntk_adam_f32(Self.cast(p + k), Self.cast(g + k), Self.cast(mi + k), Self.cast(vi + k), len,
                                     Float(b1), Float(1 - b1), Float(b2), Float(1 - b2), Float(c1 * eta), Float(c2), Float(eps))
                    } else {
                        ntk_adam_f64(Self.cast(p + k), Self.cast(g + k), Self.cast(mi + k), Self.cast(vi + k), len,
                                     b1, 1 - b1, b2, 1 - b2, c1 * eta, c2, eps)
                    }
                }
            }
        }
    }

    /// The same buffer seen as the C kernel's element type (T is that type: checked by the caller).
    @inline(__always) static func cast<U>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<U> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: U.self)
    }
    @inline(__always) static func cast<U>(_ p: UnsafePointer<T>) -> UnsafePointer<U> {
        UnsafeRawPointer(p).assumingMemoryBound(to: U.self)
    }
}
