import Foundation
import LimitLaws
import NetworkSampling

/// The network of eq. (1) with stored, trainable weights:
///
///     X₀ = inputs (d₀ × B),  H_ℓ = W_ℓ X_{ℓ−1},  X_ℓ = σ(H_ℓ)/√d_ℓ,  f = wᵀ X_L   (no biases)
///
/// in the sampler's layout and from the sampler's streams: `layers[ℓ−1]` is W_ℓᵀ (d_{ℓ−1} × d_ℓ,
/// column i = row i of W_ℓ = stream (seed, weightRow, ℓ·2³² + i)), `output` is w (d_L × 1, stream
/// (seed, outputWeights, 0)); so at initialisation this is exactly the network `ntkscope sample --seed`
/// draws. Every product is one BLAS `xGEMM`; elementwise work runs on `threads` threads.
///
/// Loss of a batch of B samples: the mean squared error L = (1/B) Σ_α (f(x_α) − y_α)² (Keras's "mse").
final class TrainableNetwork<T: BLASScalar> {
    let widths: [Int]
    var layers: [Matrix<T>]
    var output: Matrix<T>
    let act: ActivationKernel
    let threads: Int
    var L: Int { widths.count - 1 }

    /// Workspace for batches of at most `capacity` samples.
    private(set) var capacity = 0
    private var xs: [Matrix<T>] = []      // X_ℓ, ℓ = 1…L (d_ℓ × capacity); X₀ is the caller's
    private var ds: [Matrix<T>] = []      // σ′(H_ℓ)/√d_ℓ
    private var deltas: [Matrix<T>] = []  // ∂L/∂H_ℓ, and the product buffer W_ℓᵀΔ_ℓ
    private var residual: Matrix<T> = Matrix<T>(rows: 1, cols: 1)
    private var f: Matrix<T> = Matrix<T>(rows: 1, cols: 1)

    init(widths: [Int], activation: Activation, seed: UInt64, threads: Int) {
        self.widths = widths
        act = ActivationKernel(activation)
        self.threads = threads
        var ls: [Matrix<T>] = []
        for l in 1..<widths.count {
            let k = widths[l - 1], rows = widths[l]
            let m = Matrix<T>(rows: k, cols: rows)
            parallelChunks(rows, threads: rows * k >= 1 << 16 ? threads : 1) { range in
                for i in range {
                    var g = RandomStreams.generator(seed: seed, purpose: .weightRow, index: UInt64(l) << 32 | UInt64(i))
                    T.fillNormal(&g, UnsafeMutableBufferPointer(start: m.data + i * k, count: k), scale: 1)
                }
            }
            ls.append(m)
        }
        layers = ls
        output = Matrix<T>(rows: widths.last!, cols: 1)
        var g = RandomStreams.generator(seed: seed, purpose: .outputWeights, index: 0)
        T.fillNormal(&g, UnsafeMutableBufferPointer(start: output.data, count: widths.last!), scale: 1)
    }

    /// The parameters in order W₁ᵀ, …, W_Lᵀ, w (the optimiser's view).
    var parameters: [Matrix<T>] { layers + [output] }
    var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// The current weights for the sampler (shared, not copied).
    var weights: NetworkWeights {
        if T.self == Float.self {
            return .float32(layers: layers.map { $0 as! Matrix<Float> }, output: output as! Matrix<Float>)
        }
        return .float64(layers: layers.map { $0 as! Matrix<Double> }, output: output as! Matrix<Double>)
    }

    func reserve(_ batch: Int) {
        guard batch > capacity else { return }
        capacity = batch
        xs = (1...L).map { Matrix<T>(rows: widths[$0], cols: batch) }
        ds = (1...L).map { Matrix<T>(rows: widths[$0], cols: batch) }
        deltas = (0...L).map { Matrix<T>(rows: widths[$0], cols: batch) }
        residual = Matrix<T>(rows: batch, cols: 1)
        f = Matrix<T>(rows: batch, cols: 1)
    }

    /// f on the `count` columns of `x` (d₀ × count); keeps X_ℓ and, with `derivatives`, σ′(H_ℓ)/√d_ℓ.
    @discardableResult
    func forward(_ x: UnsafePointer<T>, count: Int, derivatives: Bool) -> UnsafeMutablePointer<T> {
        reserve(count)
        var prev = x
        for l in 1...L {
            let dl = widths[l], dp = widths[l - 1]
            let h = xs[l - 1].data
            T.gemm(transA: true, transB: false, m: dl, n: count, k: dp, alpha: 1, a: layers[l - 1].data, lda: dp,
                   b: prev, ldb: dp, beta: 0, c: h, ldc: dl)
            let s = 1 / Double(dl).squareRoot()
            let d: UnsafeMutablePointer<T>? = derivatives ? ds[l - 1].data : nil
            let act = self.act
            parallelChunks(dl * count, threads: threads) { r in act.apply(h, deriv: d, range: r, xScale: s, dScale: s) }
            prev = UnsafePointer(h)
        }
        let dL = widths[L]
        T.gemm(transA: true, transB: false, m: count, n: 1, k: dL, alpha: 1, a: prev, lda: dL,
               b: output.data, ldb: dL, beta: 0, c: f.data, ldc: count)
        return f.data
    }

    /// Predictions for every sample of `x` (d₀ × count), in blocks of at most `block` samples.
    func predict(_ x: UnsafePointer<T>, count: Int, block: Int = 1024) -> [Double] {
        var out = [Double](repeating: 0, count: count)
        var a0 = 0
        while a0 < count {
            let b = min(block, count - a0)
            let f = forward(x + a0 * widths[0], count: b, derivatives: false)
            for i in 0..<b { out[a0 + i] = Double(f[i]) }
            a0 += b
        }
        return out
    }

    /// Loss of the batch (x: d₀ × count, y: count labels) and its gradient with respect to every
    /// parameter, written into `grads` (same shapes and order as `parameters`).
    ///
    /// Backpropagation, with r_α = ∂L/∂f_α = 2(f_α − y_α)/B:
    ///     ∂L/∂w = X_L r,   Δ_L = (w rᵀ) ⊙ D_L,   ∂L/∂W_ℓ = Δ_ℓ X_{ℓ−1}ᵀ,   Δ_{ℓ−1} = (W_ℓᵀ Δ_ℓ) ⊙ D_{ℓ−1},
    /// with D_ℓ = σ′(H_ℓ)/√d_ℓ — the recursion of the sampler's S_ℓ (docs/empirical.md) weighted by r.
    func lossAndGradient(_ x: UnsafePointer<T>, labels y: UnsafePointer<T>, count: Int, into grads: [Matrix<T>]) -> Double {
        let fv = forward(x, count: count, derivatives: true)
        let B = Double(count)
        var loss = 0.0
        for a in 0..<count {
            let e = Double(fv[a]) - Double(y[a])
            loss += e * e
            residual.data[a] = T(2 * e / B)
        }
        loss /= B
        let dL = widths[L]
        // ∂L/∂w = X_L r
        T.gemm(transA: false, transB: false, m: dL, n: 1, k: count, alpha: 1, a: xs[L - 1].data, lda: dL,
               b: residual.data, ldb: count, beta: 0, c: grads[L].data, ldc: dL)
        // Δ_L = (w rᵀ) ⊙ D_L
        do {
            let delta = deltas[L].data, d = ds[L - 1].data, w = output.data, r = residual.data
            parallelChunks(count, threads: dL * count >= 1 << 16 ? threads : 1) { cols in
                for a in cols {
                    let ra = r[a], off = a * dL
                    for i in 0..<dL { delta[off + i] = w[i] * ra * d[off + i] }
                }
            }
        }
        for l in stride(from: L, through: 1, by: -1) {
            let dl = widths[l], dp = widths[l - 1]
            let prev: UnsafePointer<T> = l == 1 ? x : UnsafePointer(xs[l - 2].data)
            // ∂L/∂W_ℓ in the stored layout: (Δ_ℓ X_{ℓ−1}ᵀ)ᵀ = X_{ℓ−1} Δ_ℓᵀ (d_{ℓ−1} × d_ℓ)
            T.gemm(transA: false, transB: true, m: dp, n: dl, k: count, alpha: 1, a: prev, lda: dp,
                   b: deltas[l].data, ldb: dl, beta: 0, c: grads[l - 1].data, ldc: dp)
            if l == 1 { break }
            // Δ_{ℓ−1} = (W_ℓᵀ Δ_ℓ) ⊙ D_{ℓ−1}; W_ℓᵀ is the stored matrix itself.
            let p = deltas[l - 1].data
            T.gemm(transA: false, transB: false, m: dp, n: count, k: dl, alpha: 1, a: layers[l - 1].data, lda: dp,
                   b: deltas[l].data, ldb: dl, beta: 0, c: p, ldc: dp)
            let d = ds[l - 2].data
            parallelChunks(dp * count, threads: threads) { r in for i in r { p[i] *= d[i] } }
        }
        return loss
    }
}
