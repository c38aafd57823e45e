import CLinearAlgebra
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Fortran LAPACK entry points that LAPACKE does not wrap (the blocked-reduction panel and the
/// unblocked tail), looked up at run time in the already linked OpenBLAS/LAPACK.
/// Fortran calling convention: every argument by reference, plus the hidden length of each
/// character argument (gfortran: size_t) at the end.
enum FortranLAPACK {
    typealias LatrdS = @convention(c) (UnsafePointer<CChar>, UnsafePointer<Int32>, UnsafePointer<Int32>, UnsafeMutablePointer<Float>,
                                       UnsafePointer<Int32>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                                       UnsafeMutablePointer<Float>, UnsafePointer<Int32>, Int) -> Void
    typealias LatrdD = @convention(c) (UnsafePointer<CChar>, UnsafePointer<Int32>, UnsafePointer<Int32>, UnsafeMutablePointer<Double>,
                                       UnsafePointer<Int32>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>,
                                       UnsafeMutablePointer<Double>, UnsafePointer<Int32>, Int) -> Void
    typealias Sytd2S = @convention(c) (UnsafePointer<CChar>, UnsafePointer<Int32>, UnsafeMutablePointer<Float>, UnsafePointer<Int32>,
                                       UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                                       UnsafeMutablePointer<Int32>, Int) -> Void
    typealias Sytd2D = @convention(c) (UnsafePointer<CChar>, UnsafePointer<Int32>, UnsafeMutablePointer<Double>, UnsafePointer<Int32>,
                                       UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>,
                                       UnsafeMutablePointer<Int32>, Int) -> Void

    static func symbol<F>(_ name: String, as: F.Type) -> F? {
        guard let handle = dlopen(nil, RTLD_NOW), let p = dlsym(handle, name) else { return nil }
        return unsafeBitCast(p, to: F.self)
    }
    static let slatrd = symbol("slatrd_", as: LatrdS.self)
    static let dlatrd = symbol("dlatrd_", as: LatrdD.self)
    static let ssytd2 = symbol("ssytd2_", as: Sytd2S.self)
    static let dsytd2 = symbol("dsytd2_", as: Sytd2D.self)
}

/// The pieces of LAPACK's blocked `xSYTRD` (upper triangle) in both precisions.
/// (Public only because `BLASScalar` refines it.)
public protocol TridiagonalScalar: BinaryFloatingPoint {
    static var canReduceInPanels: Bool { get }
    static func latrd(n: Int32, nb: Int32, a: UnsafeMutablePointer<Self>, lda: Int32, e: UnsafeMutablePointer<Self>,
                      tau: UnsafeMutablePointer<Self>, w: UnsafeMutablePointer<Self>, ldw: Int32)
    static func syr2kUpper(n: Int32, k: Int32, a: UnsafePointer<Self>, lda: Int32, b: UnsafePointer<Self>, ldb: Int32,
                           c: UnsafeMutablePointer<Self>, ldc: Int32)
    static func sytd2(n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32, d: UnsafeMutablePointer<Self>,
                      e: UnsafeMutablePointer<Self>, tau: UnsafeMutablePointer<Self>) -> Int32
    static func sterf(n: Int32, d: UnsafeMutablePointer<Self>, e: UnsafeMutablePointer<Self>) -> Int32
}

private let upper: [CChar] = [CChar(UInt8(ascii: "U")), 0]

extension Float: TridiagonalScalar {
    public static var canReduceInPanels: Bool { FortranLAPACK.slatrd != nil && FortranLAPACK.ssytd2 != nil }
    public static func latrd(n: Int32, nb: Int32, a: UnsafeMutablePointer<Float>, lda: Int32, e: UnsafeMutablePointer<Float>,
                      tau: UnsafeMutablePointer<Float>, w: UnsafeMutablePointer<Float>, ldw: Int32) {
        var n = n, nb = nb, lda = lda, ldw = ldw
        FortranLAPACK.slatrd!(upper, &n, &nb, a, &lda, e, tau, w, &ldw, 1)
    }
    public static func syr2kUpper(n: Int32, k: Int32, a: UnsafePointer<Float>, lda: Int32, b: UnsafePointer<Float>, ldb: Int32,
                           c: UnsafeMutablePointer<Float>, ldc: Int32) {
        cblas_ssyr2k(CblasColMajor, CblasUpper, CblasNoTrans, n, k, -1, a, lda, b, ldb, 1, c, ldc)
    }
    public static func sytd2(n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32, d: UnsafeMutablePointer<Float>,
                      e: UnsafeMutablePointer<Float>, tau: UnsafeMutablePointer<Float>) -> Int32 {
        var n = n, lda = lda, info: Int32 = 0
        FortranLAPACK.ssytd2!(upper, &n, a, &lda, d, e, tau, &info, 1)
        return info
    }
    public static func sterf(n: Int32, d: UnsafeMutablePointer<Float>, e: UnsafeMutablePointer<Float>) -> Int32 { LAPACKE_ssterf(n, d, e) }
}

extension Double: TridiagonalScalar {
    public static var canReduceInPanels: Bool { FortranLAPACK.dlatrd != nil && FortranLAPACK.dsytd2 != nil }
    public static func latrd(n: Int32, nb: Int32, a: UnsafeMutablePointer<Double>, lda: Int32, e: UnsafeMutablePointer<Double>,
                      tau: UnsafeMutablePointer<Double>, w: UnsafeMutablePointer<Double>, ldw: Int32) {
        var n = n, nb = nb, lda = lda, ldw = ldw
        FortranLAPACK.dlatrd!(upper, &n, &nb, a, &lda, e, tau, w, &ldw, 1)
    }
    public static func syr2kUpper(n: Int32, k: Int32, a: UnsafePointer<Double>, lda: Int32, b: UnsafePointer<Double>, ldb: Int32,
                           c: UnsafeMutablePointer<Double>, ldc: Int32) {
        cblas_dsyr2k(CblasColMajor, CblasUpper, CblasNoTrans, n, k, -1, a, lda, b, ldb, 1, c, ldc)
    }
    public static func sytd2(n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32, d: UnsafeMutablePointer<Double>,
                      e: UnsafeMutablePointer<Double>, tau: UnsafeMutablePointer<Double>) -> Int32 {
        var n = n, lda = lda, info: Int32 = 0
        FortranLAPACK.dsytd2!(upper, &n, a, &lda, d, e, tau, &info, 1)
        return info
    }
    public static func sterf(n: Int32, d: UnsafeMutablePointer<Double>, e: UnsafeMutablePointer<Double>) -> Int32 { LAPACKE_dsterf(n, d, e) }
}

enum InterruptibleEigen {
    /// Eigenvalues (ascending) of the symmetric matrix in the upper triangle of `a` (destroyed), computed
    /// as `xSYEVD` with jobz = 'N' does — Householder tridiagonalisation (`xSYTRD`) then root-free QR
    /// (`xSTERF`) — but with the blocked reduction's loop run here, so `check` (cancellation) and
    /// `progress` (fraction 0…1) are called between panels of `nb` columns.
    static func eigenvalues<T: BLASScalar>(_ a: Matrix<T>, nb: Int = 32,
                                                  check: () throws(SamplingError) -> Void,
                                                  progress: (Double) -> Void) throws(SamplingError) -> [Double] {
        let n = a.rows
        precondition(a.cols == n)
        for j in 0..<n { for i in 0...j where !a.data[i + j * n].isFinite { throw .numerical("kernel matrix contains NaN or infinite entries") } }
        if n == 0 { return [] }
        guard T.canReduceInPanels, n > 2 * nb else {
            try check()
            do { return try SymmetricEigen.eigenvaluesDestroying(a) } catch { throw .numerical("\(error)") }
        }
        let d = UnsafeMutablePointer<T>.allocate(capacity: n), e = UnsafeMutablePointer<T>.allocate(capacity: n)
        let tau = UnsafeMutablePointer<T>.allocate(capacity: n), work = UnsafeMutablePointer<T>.allocate(capacity: n * nb)
        defer { d.deallocate(); e.deallocate(); tau.deallocate(); work.deallocate() }
        let lda = Int32(n), A = a.data
        // LAPACK (1-based): KK = N − ((N − NX + NB − 1)/NB)·NB with NX = NB; panels I = N−NB+1, …, KK+1 step −NB.
        let kk = n - ((n - nb + nb - 1) / nb) * nb
        var i = n - nb + 1
        let total = Double(n) * Double(n) * Double(n)
        while i >= kk + 1 {
            try check()
            T.latrd(n: Int32(i + nb - 1), nb: Int32(nb), a: A, lda: lda, e: e, tau: tau, w: work, ldw: lda)
            T.syr2kUpper(n: Int32(i - 1), k: Int32(nb), a: A + (i - 1) * n, lda: lda, b: work, ldb: lda, c: A, ldc: lda)
            for j in i...(i + nb - 1) {
                A[(j - 2) + (j - 1) * n] = e[j - 2]
                d[j - 1] = A[(j - 1) + (j - 1) * n]
            }
            let left = Double(i - 1)
            progress(1 - left * left * left / total)
            i -= nb
        }
        try check()
        let info = T.sytd2(n: Int32(kk), a: A, lda: lda, d: d, e: e, tau: tau)
        guard info == 0 else { throw .numerical("xSYTD2 failed (info \(info))") }
        try check()
        let sinfo = T.sterf(n: Int32(n), d: d, e: e)
        guard sinfo == 0 else { throw .numerical("xSTERF failed to converge (info \(sinfo))") }
        return (0..<n).map { Double(d[$0]) }
    }
}
