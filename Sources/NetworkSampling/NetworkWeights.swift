import Foundation

/// Explicit weights of the network of eq. (1), for kernels of a network that is not freshly sampled
/// (a trained one). Without them (`SamplingRequest.weights == nil`) the sampler draws the weights from
/// the seed's streams; with them it uses these, in either precision (converted to the run's precision).
///
/// Layout (the sampler's): `layers[ℓ−1]` holds W_ℓᵀ as a d_{ℓ−1} × d_ℓ column-major matrix, so column i is
/// row i of W_ℓ ∈ ℝ^{d_ℓ×d_{ℓ−1}}; `output` is d_L × k (column j = the weights w⁽ʲ⁾ of output j).
/// The matrices are shared, not copied: they must not change while a run reads them.
public enum NetworkWeights: Sendable {
    case float32(layers: [Matrix<Float>], output: Matrix<Float>)
    case float64(layers: [Matrix<Double>], output: Matrix<Double>)

    /// d₀, d₁, …, d_L.
    public var widths: [Int] {
        switch self {
        case .float32(let l, _): return Self.widths(l)
        case .float64(let l, _): return Self.widths(l)
        }
    }
    /// Number of outputs k.
    public var outputs: Int {
        switch self {
        case .float32(_, let o): return o.cols
        case .float64(_, let o): return o.cols
        }
    }
    /// Whether the layer and output shapes chain (d_{ℓ−1} × d_ℓ, then d_L × k).
    public var isConsistent: Bool {
        switch self {
        case .float32(let l, let o): return Self.consistent(l, o)
        case .float64(let l, let o): return Self.consistent(l, o)
        }
    }

    private static func widths<U>(_ layers: [Matrix<U>]) -> [Int] {
        guard let first = layers.first else { return [] }
        return [first.rows] + layers.map(\.cols)
    }
    private static func consistent<U>(_ layers: [Matrix<U>], _ output: Matrix<U>) -> Bool {
        guard !layers.isEmpty else { return false }
        for l in 1..<layers.count where layers[l].rows != layers[l - 1].cols { return false }
        return output.rows == layers.last!.cols && output.cols >= 1
    }

    /// Rows r0 ..< r0 + b of W_ℓ (ℓ ≥ 1), i.e. columns of the stored W_ℓᵀ, into `dst` (d_{ℓ−1} × b).
    func copyRows<T: BLASScalar>(layer: Int, r0: Int, b: Int, into dst: UnsafeMutablePointer<T>) {
        switch self {
        case .float32(let l, _): Self.convert(l[layer - 1].data + r0 * l[layer - 1].rows, into: dst, count: b * l[layer - 1].rows)
        case .float64(let l, _): Self.convert(l[layer - 1].data + r0 * l[layer - 1].rows, into: dst, count: b * l[layer - 1].rows)
        }
    }

    /// Output column j (length d_L) into `dst`.
    func copyOutput<T: BLASScalar>(_ j: Int, into dst: UnsafeMutablePointer<T>) {
        switch self {
        case .float32(_, let o): Self.convert(o.data + j * o.rows, into: dst, count: o.rows)
        case .float64(_, let o): Self.convert(o.data + j * o.rows, into: dst, count: o.rows)
        }
    }

    static func convert<U: BLASScalar, T: BLASScalar>(_ src: UnsafePointer<U>, into dst: UnsafeMutablePointer<T>, count: Int) {
        if U.self == T.self {
            UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: count * MemoryLayout<T>.stride)
        } else {
            for i in 0..<count { dst[i] = T(src[i]) }
        }
    }
}
