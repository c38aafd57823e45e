import CLinearAlgebra
import Foundation
import InputFiles
import LimitLaws

public enum SamplingError: Error, CustomStringConvertible, Equatable {
    case invalidRequest(String)
    case dataFile(String)
    case insufficientMemory(needed: Int, available: Int, hint: String)
    case cancelled
    case numerical(String)

    public var description: String {
        switch self {
        case .invalidRequest(let s): return s
        case .dataFile(let s): return s
        case .insufficientMemory(let need, let avail, let hint):
            return "not enough memory: this run needs about \(MemoryInfo.format(need)), more than the "
                + "\(Int(NetworkSampler.memoryShare * 100))% of the \(MemoryInfo.format(avail)) available (MemAvailable in /proc/meminfo) "
                + "that a run may take. \(hint)"
        case .cancelled: return "cancelled"
        case .numerical(let s): return s
        }
    }
}

/// A data matrix: `samples` rows of `features` values (row-major, i.e. column-major `features × samples`,
/// which is exactly the layout of X₀ with one sample per column).
public struct DataMatrix: Sendable, Equatable {
    public var samples: Int
    public var features: Int
    public var values: [Double]

    public init(samples: Int, features: Int, values: [Double]) {
        precondition(values.count == samples * features)
        self.samples = samples; self.features = features; self.values = values
    }

    /// Reads a data file (`InputFiles.DataFile`): CSV or space-separated text (comments, blank
    /// lines, a header line, CRLF line ends and a byte-order mark allowed) or a NumPy `.npy` file
    /// (2-D, or 1-D for one feature; its header is validated before anything is allocated).
    public static func load(path: String) throws(SamplingError) -> DataMatrix {
        do { return try read(path: path, field: "--data") } catch { throw .dataFile(error.description) }
    }

    /// `load` with the file's own error: a file that cannot be read is reported for `field` (the
    /// option or command that named it), the rest name the file (and line).
    public static func read(path: String, field: String) throws(ModelError) -> DataMatrix {
        let file = try DataFile.load(path: path, field: field)
        return DataMatrix(samples: file.samples, features: file.features, values: file.values)
    }

    /// The paper's preprocessing: centre every feature over the samples, optionally remove the
    /// top `removePCs` principal components, then scale every sample to unit norm.
    public func preprocessed(removePCs: Int = 0) throws(SamplingError) -> DataMatrix {
        let n = samples, d = features
        guard removePCs >= 0, removePCs < min(n, d) else {
            throw .invalidRequest("--remove-pcs \(removePCs): must be between 0 and \(min(n, d) - 1)")
        }
        var x = values
        if let k = x.firstIndex(where: { !$0.isFinite }) {
            throw .dataFile("sample \(k / d + 1), feature \(k % d + 1) of the data is \(x[k]): data values must be finite numbers")
        }
        for f in 0..<d {
            var m = 0.0
            for a in 0..<n { m += x[a * d + f] }
            m /= Double(n)
            for a in 0..<n { x[a * d + f] -= m }
        }
        if removePCs > 0 { try Self.removeTopPCs(&x, d: d, n: n, k: removePCs) }
        for a in 0..<n {
            var s = 0.0
            for f in 0..<d { s += x[a * d + f] * x[a * d + f] }
            guard s > 0 else { throw .dataFile("sample \(a + 1) is zero after centring/PC removal; cannot scale it to unit norm") }
            let inv = 1 / s.squareRoot()
            for f in 0..<d { x[a * d + f] *= inv }
        }
        return DataMatrix(samples: n, features: d, values: x)
    }

    /// X (d×n, column-major) ← X − P_k P_kᵀ X with P_k the top-k eigenvectors of X Xᵀ
    /// (computed through the smaller of X Xᵀ and Xᵀ X).
    static func removeTopPCs(_ x: inout [Double], d: Int, n: Int, k: Int) throws(SamplingError) {
        let small = min(d, n)
        var c = [Double](repeating: 0, count: small * small)
        x.withUnsafeBufferPointer { xp in
            c.withUnsafeMutableBufferPointer { cp in
                if d <= n {  // C = X Xᵀ (d×d)
                    cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, Int32(d), Int32(n), 1, xp.baseAddress, Int32(d), 0, cp.baseAddress, Int32(d))
                } else {      // C = Xᵀ X (n×n)
                    cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(n), Int32(d), 1, xp.baseAddress, Int32(d), 0, cp.baseAddress, Int32(n))
                }
            }
        }
        var w = [Double](repeating: 0, count: small)
        var z = [Double](repeating: 0, count: small * k)
        var isuppz = [Int32](repeating: 0, count: 2 * max(1, k))
        var m: Int32 = 0
        let info = c.withUnsafeMutableBufferPointer { cp in
            w.withUnsafeMutableBufferPointer { wp in
                z.withUnsafeMutableBufferPointer { zp in
                    isuppz.withUnsafeMutableBufferPointer { ip in
                        LAPACKE_dsyevr(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "I")), CChar(UInt8(ascii: "U")),
                                       Int32(small), cp.baseAddress, Int32(small), 0, 0, Int32(small - k + 1), Int32(small), 0,
                                       &m, wp.baseAddress, zp.baseAddress, Int32(small), ip.baseAddress)
                    }
                }
            }
        }
        guard info == 0, Int(m) == k else { throw .numerical("principal components: dsyevr failed (info \(info))") }
        if d <= n {  // T = Pᵀ X (k×n); X -= P T
            var t = [Double](repeating: 0, count: k * n)
            x.withUnsafeMutableBufferPointer { xp in
                z.withUnsafeBufferPointer { zp in
                    t.withUnsafeMutableBufferPointer { tp in
                        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, Int32(k), Int32(n), Int32(d), 1, zp.baseAddress, Int32(d), xp.baseAddress, Int32(d), 0, tp.baseAddress, Int32(k))
                        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(d), Int32(n), Int32(k), -1, zp.baseAddress, Int32(d), tp.baseAddress, Int32(k), 1, xp.baseAddress, Int32(d))
                    }
                }
            }
        } else {     // T = X U (d×k); X -= T Uᵀ
            var t = [Double](repeating: 0, count: d * k)
            x.withUnsafeMutableBufferPointer { xp in
                z.withUnsafeBufferPointer { zp in
                    t.withUnsafeMutableBufferPointer { tp in
                        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(d), Int32(k), Int32(n), 1, xp.baseAddress, Int32(d), zp.baseAddress, Int32(n), 0, tp.baseAddress, Int32(d))
                        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, Int32(d), Int32(n), Int32(k), -1, tp.baseAddress, Int32(d), zp.baseAddress, Int32(n), 1, xp.baseAddress, Int32(d))
                    }
                }
            }
        }
    }
}

/// How the inputs X₀ (d₀ × n, one sample per column) are sampled.
public enum InputSpec: Sendable, Equatable {
    /// Follow the model's input law: Marcenko–Pastur(γ₀) → `.gaussian(d₀ = round(n/γ₀))`,
    /// orthonormal → `.orthonormal`, discrete eigenvalues → `.spectrum`.
    case fromModel
    /// iid N(0, 1/d₀) entries.
    case gaussian(d0: Int)
    /// Columns uniform on the unit sphere of ℝ^{d₀} (a N(0, I) column over its norm; Fan & Wang §4.3).
    /// Its input law is Marcenko–Pastur(n/d₀), like the Gaussian design's.
    case sphere(d0: Int)
    /// Exactly orthonormal columns (Q factor of a Gaussian d₀×n matrix, d₀ ≥ n; default d₀ = n).
    case orthonormal(d0: Int?)
    /// x_α ~ N(0, Σ), Σ = diag(λ_k), λ_k ∝ k^(−α), Tr Σ = 1.
    case powerLaw(d0: Int, alpha: Double)
    /// X₀ = Λ^{1/2} Qᵀ (d₀ = n) with Q Haar-orthogonal, so X₀ᵀX₀ has exactly the given eigenvalues
    /// (resampled to n quantiles, rescaled to mean 1).
    case spectrum([Double])
    /// A preprocessed data matrix (see `DataMatrix.preprocessed`); n = its number of samples.
    case data(DataMatrix)
}
