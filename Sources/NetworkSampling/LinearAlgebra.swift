import CLinearAlgebra
import Foundation

/// The two precisions of the sampler. Products (and, in `.float32`, the eigenvalue solve) run
/// in `Scalar`; eigenvalues are always returned as `Double`.
public protocol BLASScalar: BinaryFloatingPoint, Sendable, TridiagonalScalar {
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
                     a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    /// C (upper triangle, n×n) = alpha · Aᵀ A + beta · C, A is k×n (lda ≥ k).
    static func syrkTrans(n: Int, k: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
                          beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    /// Eigenvalues (ascending) of the symmetric matrix whose upper triangle is in `a`; destroys `a`.
    static func syevdValues(n: Int, a: UnsafeMutablePointer<Self>, lda: Int, w: UnsafeMutablePointer<Self>) -> Int32
    /// Eigenpairs il…iu (1-based, ascending order) of the symmetric matrix in the upper triangle of `a`
    /// (destroyed) by LAPACK's range-limited MRRR solver `xSYEVR` (range = 'I'): values into `w`,
    /// vectors into the columns of `z` (n × (iu − il + 1), leading dimension `ldz`). Returns (info, found).
    static func syevrRange(n: Int, a: UnsafeMutablePointer<Self>, lda: Int, il: Int, iu: Int,
                           w: UnsafeMutablePointer<Self>, z: UnsafeMutablePointer<Self>, ldz: Int) -> (info: Int32, found: Int)
    static var precisionName: String { get }
    static func fillNormal(_ g: inout Xoshiro256StarStar, _ buffer: UnsafeMutableBufferPointer<Self>, scale: Double)
}

extension Double: BLASScalar {
    public static var precisionName: String { "float64" }
    @inlinable public static func fillNormal(_ g: inout Xoshiro256StarStar, _ buffer: UnsafeMutableBufferPointer<Double>, scale: Double) {
        g.fillNormal(buffer, scale: scale)
    }
    @inlinable public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                                       a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                                       beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dgemm(CblasColMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
    @inlinable public static func syrkTrans(n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
                                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
    }
    public static func syevdValues(n: Int, a: UnsafeMutablePointer<Double>, lda: Int, w: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dsyevd(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "U")), Int32(n), a, Int32(lda), w)
    }
    public static func syevrRange(n: Int, a: UnsafeMutablePointer<Double>, lda: Int, il: Int, iu: Int,
                                  w: UnsafeMutablePointer<Double>, z: UnsafeMutablePointer<Double>, ldz: Int) -> (info: Int32, found: Int) {
        var m: Int32 = 0
        let isuppz = UnsafeMutablePointer<Int32>.allocate(capacity: 2 * max(1, iu - il + 1))
        defer { isuppz.deallocate() }
        let info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "I")), CChar(UInt8(ascii: "U")),
                                  Int32(n), a, Int32(lda), 0, 0, Int32(il), Int32(iu), 0, &m, w, z, Int32(ldz), isuppz)
        return (info, Int(m))
    }
}

extension Float: BLASScalar {
    public static var precisionName: String { "float32" }
    @inlinable public static func fillNormal(_ g: inout Xoshiro256StarStar, _ buffer: UnsafeMutableBufferPointer<Float>, scale: Double) {
        g.fillNormal(buffer, scale: scale)
    }
    @inlinable public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                                       a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                       beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasColMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
    @inlinable public static func syrkTrans(n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_ssyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
    }
    public static func syevdValues(n: Int, a: UnsafeMutablePointer<Float>, lda: Int, w: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_ssyevd(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "U")), Int32(n), a, Int32(lda), w)
    }
    public static func syevrRange(n: Int, a: UnsafeMutablePointer<Float>, lda: Int, il: Int, iu: Int,
                                  w: UnsafeMutablePointer<Float>, z: UnsafeMutablePointer<Float>, ldz: Int) -> (info: Int32, found: Int) {
        var m: Int32 = 0
        let isuppz = UnsafeMutablePointer<Int32>.allocate(capacity: 2 * max(1, iu - il + 1))
        defer { isuppz.deallocate() }
        let info = LAPACKE_ssyevr(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "I")), CChar(UInt8(ascii: "U")),
                                  Int32(n), a, Int32(lda), 0, 0, Int32(il), Int32(iu), 0, &m, w, z, Int32(ldz), isuppz)
        return (info, Int(m))
    }
}

/// A column-major matrix in manually managed memory (no zero-fill unless asked, no copy-on-write).
public final class Matrix<T: BLASScalar>: @unchecked Sendable {
    public let rows: Int
    public let cols: Int
    public let data: UnsafeMutablePointer<T>
    public var count: Int { rows * cols }

    public init(rows: Int, cols: Int, zeroed: Bool = false) {
        self.rows = rows; self.cols = cols
        data = .allocate(capacity: max(1, rows * cols))
        if zeroed { data.initialize(repeating: 0, count: rows * cols) }
    }
    deinit { data.deallocate() }

    public subscript(i: Int, j: Int) -> T {
        get { data[i + j * rows] }
        set { data[i + j * rows] = newValue }
    }
    public func column(_ j: Int) -> UnsafeMutablePointer<T> { data + j * rows }
    /// Copies the upper triangle into the lower one.
    public func symmetrizeFromUpper() {
        for j in 0..<cols { for i in 0..<j { data[j + i * rows] = data[i + j * rows] } }
    }
}

public enum EigenSolverError: Error, CustomStringConvertible, Equatable {
    case nonFinite(String)
    case lapack(String, Int32)
    /// A range-limited solver returned fewer eigenpairs than asked for.
    case incomplete(String)
    public var description: String {
        switch self {
        case .nonFinite(let what): return "\(what) contains NaN or infinite entries"
        case .incomplete(let what): return what
        case .lapack(let routine, let info):
            return info < 0 ? "\(routine): invalid argument \(-info)" : "\(routine) failed to converge (info \(info))"
        }
    }
}

public enum BLASThreads {
    /// Sets the process-wide OpenBLAS thread count.
    public static func set(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }
    public static var current: Int { Int(openblas_get_num_threads()) }
    /// Default: OPENBLAS_NUM_THREADS if set, else the number of active cores.
    public static var defaultCount: Int {
        if let s = ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"], let v = Int(s), v > 0 { return v }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
}

public enum SymmetricEigen {
    /// Eigenvalues (ascending) of a symmetric matrix given by its upper triangle. `a` is destroyed.
    public static func eigenvaluesDestroying<T: BLASScalar>(_ a: Matrix<T>) throws -> [Double] {
        precondition(a.rows == a.cols)
        let n = a.rows
        for j in 0..<n { for i in 0...j where !a.data[i + j * n].isFinite { throw EigenSolverError.nonFinite("kernel matrix") } }
        let w = UnsafeMutablePointer<T>.allocate(capacity: max(1, n))
        defer { w.deallocate() }
        let info = T.syevdValues(n: n, a: a.data, lda: n, w: w)
        if info != 0 { throw EigenSolverError.lapack(T.self == Float.self ? "ssyevd" : "dsyevd", info) }
        return (0..<n).map { Double(w[$0]) }
    }

    /// Eigenvalues (ascending) of a symmetric matrix given by its upper triangle (`a` is destroyed), by the
    /// sampler's own solver: the chosen reduction to tridiagonal form, then `xSTERF` (see `EigenReduction`).
    public static func eigenvalues<T: BLASScalar>(destroying a: Matrix<T>, reduction: EigenReduction) throws -> [Double] {
        try InterruptibleEigen.eigenvalues(a, reduction: reduction, check: {}, progress: { _ in })
    }

    /// The `k` largest eigenpairs of a symmetric matrix given by its upper triangle (`a` is destroyed), by
    /// LAPACK's range-limited `xSYEVR` (il = n − k + 1, iu = n): no full decomposition. Values descending;
    /// each vector has unit norm and its largest-magnitude component positive (a reproducible sign).
    public static func top<T: BLASScalar>(_ a: Matrix<T>, k: Int) throws -> TopEigenpairs {
        precondition(a.rows == a.cols)
        let n = a.rows
        let k = max(0, min(k, n))
        if k == 0 { return TopEigenpairs(values: [], vectors: []) }
        for j in 0..<n { for i in 0...j where !a.data[i + j * n].isFinite { throw EigenSolverError.nonFinite("kernel matrix") } }
        let w = UnsafeMutablePointer<T>.allocate(capacity: n), z = UnsafeMutablePointer<T>.allocate(capacity: n * k)
        defer { w.deallocate(); z.deallocate() }
        let (info, found) = T.syevrRange(n: n, a: a.data, lda: n, il: n - k + 1, iu: n, w: w, z: z, ldz: n)
        let name = T.self == Float.self ? "ssyevr" : "dsyevr"
        if info != 0 { throw EigenSolverError.lapack(name, info) }
        if found != k { throw EigenSolverError.incomplete("\(name) found \(found) of the \(k) largest eigenpairs") }
        var values = [Double](), vectors = [[Double]]()
        for c in stride(from: k - 1, through: 0, by: -1) {   // LAPACK returns them ascending
            var v = (0..<n).map { Double(z[$0 + c * n]) }
            var norm = 0.0, big = 0.0
            for x in v { norm += x * x; if abs(x) > abs(big) { big = x } }
            let s = (big < 0 ? -1 : 1) / max(norm.squareRoot(), .leastNormalMagnitude)
            for i in 0..<n { v[i] *= s }
            values.append(Double(w[c]))
            vectors.append(v)
        }
        return TopEigenpairs(values: values, vectors: vectors)
    }

    /// Eigenvalues of a symmetric matrix given as a full column-major array (tests, small matrices).
    public static func eigenvalues(_ values: [Double], n: Int) throws -> [Double] {
        let m = Matrix<Double>(rows: n, cols: n)
        for k in 0..<(n * n) { m.data[k] = values[k] }
        return try eigenvaluesDestroying(m)
    }
}

/// The largest eigenpairs of a symmetric matrix (see `SymmetricEigen.top`).
public struct TopEigenpairs: Sendable, Equatable {
    /// Eigenvalues, largest first.
    public let values: [Double]
    /// `vectors[i]`: the unit eigenvector of `values[i]` (length n), largest-magnitude component positive.
    public let vectors: [[Double]]
    public init(values: [Double], vectors: [[Double]]) { self.values = values; self.vectors = vectors }
}

/// Parallel loop helper: runs `body(range)` over `count` items split into chunks (`threads` ≤ 1 or
/// fewer than 2048 items: on the calling thread).
public func parallelChunks(_ count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
    if threads <= 1 || count < 2048 { body(0..<count); return }
    let chunks = threads * 4
    let size = (count + chunks - 1) / chunks
    withoutActuallyEscaping(body) { b in
        nonisolated(unsafe) let work = b
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * size, hi = min(count, lo + size)
            if lo < hi { work(lo..<hi) }
        }
    }
}
