import Foundation
import Testing
import CLinearAlgebra
@testable import InfiniteWidth
import LimitLaws
import NetworkSampling

/// A sampled network of eq. (1) (no biases, NTK parametrisation): X_ℓ = σ(W_ℓ X_{ℓ−1})/√d_ℓ,
/// f = wᵀ X_L; returns the CK X_Lᵀ X_L and the NTK
/// X_Lᵀ X_L + Σ_ℓ (S_ℓᵀ S_ℓ) ⊙ (X_{ℓ−1}ᵀ X_{ℓ−1}),  S_L = σ′(H_L) ⊙ w/√d_L,
/// S_ℓ = σ′(H_ℓ) ⊙ (W_{ℓ+1}ᵀ S_{ℓ+1})/√d_ℓ.
func sampleWideNetwork(_ act: Activation, points: InputPoints, width: Int, depth: Int, seed: UInt64)
    -> (ck: [Double], ntk: [Double]) {
    var rng = Xoshiro256StarStar(seed: seed)
    let n = points.count
    let dm = Double(width).squareRoot()
    var xs: [[Double]] = [points.columns]     // X_ℓ, d_ℓ × n column-major
    var hs: [[Double]] = []                   // H_ℓ = W_ℓ X_{ℓ−1}
    var ws: [[Double]] = []
    var dims = [points.dimension]
    func gemm(_ transA: Bool, _ a: [Double], _ b: [Double], m: Int, k: Int, cols: Int) -> [Double] {
        // C (m × cols) = op(A) B, A stored m × k (or k × m if transposed), B k × cols
        var c = [Double](repeating: 0, count: m * cols)
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in c.withUnsafeMutableBufferPointer { c in
            cblas_dgemm(CblasColMajor, transA ? CblasTrans : CblasNoTrans, CblasNoTrans, Int32(m), Int32(cols), Int32(k),
                        1, a.baseAddress, transA ? Int32(k) : Int32(m), b.baseAddress, Int32(k), 0, c.baseAddress, Int32(m))
        } } }
        return c
    }
    for _ in 1...depth {
        let din = dims.last!
        var w = [Double](repeating: 0, count: width * din)
        w.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
        let h = gemm(false, w, xs.last!, m: width, k: din, cols: n)
        xs.append(h.map { act.value($0) / dm })
        hs.append(h); ws.append(w); dims.append(width)
    }
    func gram(_ x: [Double], rows: Int) -> [Double] { gemm(true, x, x, m: n, k: rows, cols: n) }
    let ck = gram(xs[depth], rows: width)
    var ntk = ck
    var wOut = [Double](repeating: 0, count: width)
    wOut.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
    // S_L
    var s = [Double](repeating: 0, count: width * n)
    for j in 0..<n { for i in 0..<width { s[j * width + i] = act.derivative(hs[depth - 1][j * width + i]) * wOut[i] / dm } }
    var l = depth
    while l >= 1 {
        let ss = gram(s, rows: width)
        let xx = gram(xs[l - 1], rows: dims[l - 1])
        for i in ntk.indices { ntk[i] += ss[i] * xx[i] }
        if l > 1 {
            let back = gemm(true, ws[l - 1], s, m: width, k: width, cols: n)   // W_lᵀ S_l
            for i in s.indices { s[i] = act.derivative(hs[l - 2][i]) * back[i] / dm }
        }
        l -= 1
    }
    return (ck, ntk)
}


@Suite struct WideNetworkTests {
    /// n = 200 uniform points in d = 50, width 4000, L = 2: the sampled CK and NTK Grams agree
    /// with the infinite-width ones entrywise (fluctuations ~ 1/√width) and in the top eigenvalues.
    @Test(arguments: ["relu", "tanh"])
    func infiniteWidthGramMatchesSampledNetwork(name: String) throws {
        let act = activation(name)
        let n = 200, depth = 2
        let pts = try InputPoints.make(.uniformSphere(n: n, dimension: 50, seed: 3))
        let series = KernelSeries(activation: act, depth: depth, order: 200)
        let g = pts.innerProducts()
        let sampled = sampleWideNetwork(act, points: pts, width: 4000, depth: depth, seed: 11)
        for (kernel, mat) in [(InfiniteKernel.ck(depth), sampled.ck), (.ntk(depth), sampled.ntk)] {
            let inf = KernelGram.gram(series, kernel: kernel, innerProducts: g, n: n).matrix
            // entrywise: finite-width fluctuations are O(1/√width) per entry
            let scale = series.valueAtOne(kernel)
            let rms = (zip(mat, inf).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(n * n)).squareRoot() / scale
            #expect(rms < 2.5 / Double(4000).squareRoot(), "\(name) \(kernel): rms entry difference \(rms)")
            let e1 = try KernelGram.symmetricEigenvalues(inf, n: n).sorted(by: >)
            let e2 = try KernelGram.symmetricEigenvalues(mat, n: n).sorted(by: >)
            #expect(abs(e1[0] - e2[0]) < 0.08 * e1[0], "\(name) \(kernel): λ_max \(e1[0]) vs \(e2[0])")
            let tr1 = e1.reduce(0, +), tr2 = e2.reduce(0, +)
            #expect(abs(tr1 - tr2) < 0.03 * tr1, "\(name) \(kernel): trace")
        }
    }
}
