import CLinearAlgebra
import Foundation
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

    /// Reads a CSV (comma, semicolon, tab or space separated; a non-numeric first line is a header)
    /// or a NumPy `.npy` file (2-D, dtype f4/f8/i1/u1/i2/u2/i4/u4/i8/u8, C or Fortran order).
    public static func load(path: String) throws(SamplingError) -> DataMatrix {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .dataFile("cannot read data file '\(path)'")
        }
        if path.lowercased().hasSuffix(".npy") || data.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) {
            return try parseNPY(data, path: path)
        }
        return try parseCSV(data, path: path)
    }

    static func parseCSV(_ data: Data, path: String) throws(SamplingError) -> DataMatrix {
        guard let text = String(data: data, encoding: .utf8) else { throw .dataFile("\(path): not UTF-8 text") }
        var rows: [[Double]] = []
        var lineNo = 0
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            lineNo += 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "\t" || $0 == " " })
            let nums = fields.map { Double($0.trimmingCharacters(in: .whitespaces)) }
            if nums.contains(where: { $0 == nil }) {
                if rows.isEmpty && lineNo == 1 { continue }  // header
                throw .dataFile("\(path):\(lineNo): not a number in '\(trimmed.prefix(60))'")
            }
            let row = nums.map { $0! }
            if let first = rows.first, first.count != row.count {
                throw .dataFile("\(path):\(lineNo): \(row.count) columns, expected \(first.count)")
            }
            rows.append(row)
        }
        guard let first = rows.first, !first.isEmpty else { throw .dataFile("\(path): no data rows") }
        return DataMatrix(samples: rows.count, features: first.count, values: rows.flatMap { $0 })
    }

    static func parseNPY(_ data: Data, path: String) throws(SamplingError) -> DataMatrix {
        let bytes = [UInt8](data)
        guard bytes.count > 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw .dataFile("\(path): not a .npy file")
        }
        let major = bytes[6]
        var headerLen = 0, start = 0
        if major == 1 { headerLen = Int(bytes[8]) | Int(bytes[9]) << 8; start = 10 }
        else {
            guard bytes.count > 12 else { throw .dataFile("\(path): truncated .npy header") }
            headerLen = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24; start = 12
        }
        guard start + headerLen <= bytes.count,
              let header = String(bytes: bytes[start..<(start + headerLen)], encoding: .ascii) else {
            throw .dataFile("\(path): truncated .npy header")
        }
        func field(_ key: String) -> String? {
            guard let r = header.range(of: "'\(key)':") else { return nil }
            return String(header[r.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
        guard let d = field("descr"), let q1 = d.firstIndex(of: "'"),
              let q2 = d[d.index(after: q1)...].firstIndex(of: "'") else { throw .dataFile("\(path): no dtype in .npy header") }
        let descr = String(d[d.index(after: q1)..<q2])
        let fortran = field("fortran_order")?.hasPrefix("True") ?? false
        guard let s = field("shape"), let o = s.firstIndex(of: "("), let c = s.firstIndex(of: ")") else {
            throw .dataFile("\(path): no shape in .npy header")
        }
        let dims = s[s.index(after: o)..<c].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard dims.count == 2 || dims.count == 1 else {
            throw .dataFile("\(path): expected a 2-D array (one sample per row), got shape \(dims)")
        }
        let rows = dims[0], cols = dims.count == 2 ? dims[1] : 1
        let little = descr.first != ">"
        let code = descr.drop(while: { "<>|=".contains($0) })
        let size: Int
        switch code {
        case "f8", "i8", "u8": size = 8
        case "f4", "i4", "u4": size = 4
        case "i2", "u2": size = 2
        case "i1", "u1", "b1": size = 1
        default: throw .dataFile("\(path): unsupported dtype '\(descr)' (use float32/float64 or integers)")
        }
        let body = start + headerLen
        guard bytes.count - body >= rows * cols * size else { throw .dataFile("\(path): file shorter than its shape \(dims)") }
        var out = [Double](repeating: 0, count: rows * cols)
        for k in 0..<(rows * cols) {
            var u: UInt64 = 0
            let off = body + k * size
            for b in 0..<size { u |= UInt64(bytes[off + (little ? b : size - 1 - b)]) << (8 * UInt64(b)) }
            let v: Double
            switch code {
            case "f8": v = Double(bitPattern: u)
            case "f4": v = Double(Float(bitPattern: UInt32(u)))
            case "i8": v = Double(Int64(bitPattern: u))
            case "i4": v = Double(Int32(truncatingIfNeeded: u))
            case "i2": v = Double(Int16(truncatingIfNeeded: u))
            case "i1": v = Double(Int8(truncatingIfNeeded: u))
            default: v = Double(u)
            }
            let (r, cc) = fortran ? (k % rows, k / rows) : (k / cols, k % cols)
            out[r * cols + cc] = v
        }
        return DataMatrix(samples: rows, features: cols, values: out)
    }

    /// The paper's preprocessing: centre every feature over the samples, optionally remove the
    /// top `removePCs` principal components, then scale every sample to unit norm.
    public func preprocessed(removePCs: Int = 0) throws(SamplingError) -> DataMatrix {
        let n = samples, d = features
        guard removePCs >= 0, removePCs < min(n, d) else {
            throw .invalidRequest("--remove-pcs \(removePCs): must be between 0 and \(min(n, d) - 1)")
        }
        var x = values
        guard x.allSatisfy({ $0.isFinite }) else { throw .dataFile("data file contains NaN or infinite values") }
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
