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

    /// `xSYTRD_SB2ST(STAGE1, VECT, UPLO, N, KD, AB, LDAB, D, E, HOUS, LHOUS, WORK, LWORK, INFO)`: the second
    /// stage of LAPACK's two-stage tridiagonal reduction (band → tridiagonal, bulge chasing).
    typealias Sb2stS = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafePointer<Int32>,
                                       UnsafePointer<Int32>, UnsafeMutablePointer<Float>, UnsafePointer<Int32>, UnsafeMutablePointer<Float>,
                                       UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafePointer<Int32>, UnsafeMutablePointer<Float>,
                                       UnsafePointer<Int32>, UnsafeMutablePointer<Int32>, Int, Int, Int) -> Void
    typealias Sb2stD = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafePointer<Int32>,
                                       UnsafePointer<Int32>, UnsafeMutablePointer<Double>, UnsafePointer<Int32>, UnsafeMutablePointer<Double>,
                                       UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafePointer<Int32>, UnsafeMutablePointer<Double>,
                                       UnsafePointer<Int32>, UnsafeMutablePointer<Int32>, Int, Int, Int) -> Void

    static func symbol<F>(_ name: String, as: F.Type) -> F? {
        guard let handle = dlopen(nil, RTLD_NOW), let p = dlsym(handle, name) else { return nil }
        return unsafeBitCast(p, to: F.self)
    }
    static let slatrd = symbol("slatrd_", as: LatrdS.self)
    static let dlatrd = symbol("dlatrd_", as: LatrdD.self)
    static let ssytd2 = symbol("ssytd2_", as: Sytd2S.self)
    static let dsytd2 = symbol("dsytd2_", as: Sytd2D.self)
    static let ssb2st = symbol("ssytrd_sb2st_", as: Sb2stS.self)
    static let dsb2st = symbol("dsytrd_sb2st_", as: Sb2stD.self)

    /// Runs `xSYTRD_SB2ST` (values only) with its workspace queried first: `call(hous, lhous, work, lwork, info)`
    /// passes the remaining arguments. Returns INFO.
    static func sb2st<T: BinaryFloatingPoint>(_ call: (UnsafeMutablePointer<T>, UnsafePointer<Int32>, UnsafeMutablePointer<T>,
                                                       UnsafePointer<Int32>, UnsafeMutablePointer<Int32>) -> Void) -> Int32 {
        var info: Int32 = 0, lhous: Int32 = -1, lwork: Int32 = -1
        var hq = [T](repeating: 0, count: 4), wq = [T](repeating: 0, count: 4)
        call(&hq, &lhous, &wq, &lwork, &info)
        guard info == 0 else { return info }
        lhous = Int32(max(1, Int(hq[0]))); lwork = Int32(max(1, Int(wq[0])))
        let hous = UnsafeMutablePointer<T>.allocate(capacity: Int(lhous)), work = UnsafeMutablePointer<T>.allocate(capacity: Int(lwork))
        defer { hous.deallocate(); work.deallocate() }
        call(hous, &lhous, work, &lwork, &info)
        return info
    }
}

private let none: [CChar] = [CChar(UInt8(ascii: "N")), 0]

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
    /// Whether LAPACK's band-to-tridiagonal stage (`xSYTRD_SB2ST`) was found.
    static var canReduceInTwoStages: Bool { get }
    /// LQ factorisation of the m×n matrix `a` (`xGELQF`); returns INFO.
    static func gelqf(m: Int32, n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32, tau: UnsafeMutablePointer<Self>) -> Int32
    /// The k×k upper triangular factor T of a block of k row-stored reflectors (`xLARFT`, direct 'F', storev 'R').
    static func larftRows(n: Int32, k: Int32, v: UnsafePointer<Self>, ldv: Int32, tau: UnsafePointer<Self>,
                          t: UnsafeMutablePointer<Self>, ldt: Int32) -> Int32
    /// C (m×n) = A B with A symmetric (upper triangle), `xSYMM`.
    static func symmUpper(m: Int32, n: Int32, a: UnsafePointer<Self>, lda: Int32, b: UnsafePointer<Self>, ldb: Int32,
                          c: UnsafeMutablePointer<Self>, ldc: Int32)
    /// B = B T (`right`) or B = Tᵀ B (not `right`), T upper triangular, `xTRMM`.
    static func trmmUpper(right: Bool, m: Int32, n: Int32, t: UnsafePointer<Self>, ldt: Int32, b: UnsafeMutablePointer<Self>, ldb: Int32)
    /// Band (upper, `kd` superdiagonals, LAPACK band storage) → tridiagonal `d`, `e` (`xSYTRD_SB2ST`); returns INFO.
    static func sb2st(n: Int, kd: Int, ab: UnsafeMutablePointer<Self>, ldab: Int, d: UnsafeMutablePointer<Self>, e: UnsafeMutablePointer<Self>) -> Int32
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
    public static var canReduceInTwoStages: Bool { FortranLAPACK.ssb2st != nil }
    public static func gelqf(m: Int32, n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32, tau: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_sgelqf(LAPACK_COL_MAJOR, m, n, a, lda, tau)
    }
    public static func larftRows(n: Int32, k: Int32, v: UnsafePointer<Float>, ldv: Int32, tau: UnsafePointer<Float>,
                                 t: UnsafeMutablePointer<Float>, ldt: Int32) -> Int32 {
        LAPACKE_slarft(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "F")), CChar(UInt8(ascii: "R")), n, k, v, ldv, tau, t, ldt)
    }
    public static func symmUpper(m: Int32, n: Int32, a: UnsafePointer<Float>, lda: Int32, b: UnsafePointer<Float>, ldb: Int32,
                                 c: UnsafeMutablePointer<Float>, ldc: Int32) {
        cblas_ssymm(CblasColMajor, CblasLeft, CblasUpper, m, n, 1, a, lda, b, ldb, 0, c, ldc)
    }
    public static func trmmUpper(right: Bool, m: Int32, n: Int32, t: UnsafePointer<Float>, ldt: Int32, b: UnsafeMutablePointer<Float>, ldb: Int32) {
        cblas_strmm(CblasColMajor, right ? CblasRight : CblasLeft, CblasUpper, right ? CblasNoTrans : CblasTrans, CblasNonUnit,
                    m, n, 1, t, ldt, b, ldb)
    }
    public static func sb2st(n: Int, kd: Int, ab: UnsafeMutablePointer<Float>, ldab: Int, d: UnsafeMutablePointer<Float>,
                             e: UnsafeMutablePointer<Float>) -> Int32 {
        var n = Int32(n), kd = Int32(kd), ldab = Int32(ldab)
        return FortranLAPACK.sb2st { hous, lhous, work, lwork, info in
            FortranLAPACK.ssb2st!(none, none, upper, &n, &kd, ab, &ldab, d, e, hous, lhous, work, lwork, info, 1, 1, 1)
        }
    }
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
    public static var canReduceInTwoStages: Bool { FortranLAPACK.dsb2st != nil }
    public static func gelqf(m: Int32, n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32, tau: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dgelqf(LAPACK_COL_MAJOR, m, n, a, lda, tau)
    }
    public static func larftRows(n: Int32, k: Int32, v: UnsafePointer<Double>, ldv: Int32, tau: UnsafePointer<Double>,
                                 t: UnsafeMutablePointer<Double>, ldt: Int32) -> Int32 {
        LAPACKE_dlarft(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "F")), CChar(UInt8(ascii: "R")), n, k, v, ldv, tau, t, ldt)
    }
    public static func symmUpper(m: Int32, n: Int32, a: UnsafePointer<Double>, lda: Int32, b: UnsafePointer<Double>, ldb: Int32,
                                 c: UnsafeMutablePointer<Double>, ldc: Int32) {
        cblas_dsymm(CblasColMajor, CblasLeft, CblasUpper, m, n, 1, a, lda, b, ldb, 0, c, ldc)
    }
    public static func trmmUpper(right: Bool, m: Int32, n: Int32, t: UnsafePointer<Double>, ldt: Int32, b: UnsafeMutablePointer<Double>, ldb: Int32) {
        cblas_dtrmm(CblasColMajor, right ? CblasRight : CblasLeft, CblasUpper, right ? CblasNoTrans : CblasTrans, CblasNonUnit,
                    m, n, 1, t, ldt, b, ldb)
    }
    public static func sb2st(n: Int, kd: Int, ab: UnsafeMutablePointer<Double>, ldab: Int, d: UnsafeMutablePointer<Double>,
                             e: UnsafeMutablePointer<Double>) -> Int32 {
        var n = Int32(n), kd = Int32(kd), ldab = Int32(ldab)
        return FortranLAPACK.sb2st { hous, lhous, work, lwork, info in
            FortranLAPACK.dsb2st!(none, none, upper, &n, &kd, ab, &ldab, d, e, hous, lhous, work, lwork, info, 1, 1, 1)
        }
    }
}

/// Which reduction to tridiagonal form an eigenvalue solve uses (see docs/performance.md, *Eigenvalues*).
public enum EigenReduction: String, Sendable, CaseIterable {
    /// LAPACK's `xSYTRD` (blocked Householder; half of its flops are matrix–vector products, which are
    /// bound by memory bandwidth once the matrix leaves the cache), then `xSTERF`.
    case oneStage
    /// Dense → band of `band` superdiagonals by matrix–matrix products only (the `xSYTRD_SY2SB` step, run
    /// here panel by panel: `xGELQF`, `xLARFT`, `xSYMM`, `xSYR2K`), then LAPACK's `xSYTRD_SB2ST`
    /// (band → tridiagonal, on one BLAS thread), then `xSTERF`.
    case twoStage
    /// `twoStage` for matrices of at least `InterruptibleEigen.twoStageMinimumBytes` (n ≥ 5793 in float32,
    /// n ≥ 4096 in float64), else `oneStage`.
    case automatic
}

enum InterruptibleEigen {
    /// `.automatic` uses the two-stage reduction once the matrix takes at least this many bytes
    /// (docs/performance.md). On the AMD EPYC host under load the two-stage reduction was 1.6× faster at
    /// n = 6000 in float32 and level to 1.6× slower at n = 3000–4000. On the Intel Xeon host, idle, with
    /// AVX-512 kernels, the one-stage reduction was faster at every n measured: 1.9× at 3000, 1.4× at 4500,
    /// 1.3× at 6000. So two-stage only from 128 MiB (n ≈ 5800 in float32): the Figure-1 size (3000) goes
    /// one-stage on both hosts.
    static let twoStageMinimumBytes = 128 << 20
    /// Bandwidth of the two-stage reduction's intermediate band matrix.
    static let twoStageBand = 64

    /// Eigenvalues (ascending) of the symmetric matrix in the upper triangle of `a` (destroyed), values only.
    /// `check` (cancellation) and `progress` (fraction 0…1) are called between panels of the reduction.
    static func eigenvalues<T: BLASScalar>(_ a: Matrix<T>, reduction: EigenReduction = .automatic, nb: Int = 32,
                                           check: () throws(SamplingError) -> Void,
                                           progress: (Double) -> Void) throws(SamplingError) -> [Double] {
        let n = a.rows
        precondition(a.cols == n)
        for j in 0..<n { for i in 0...j where !a.data[i + j * n].isFinite { throw .numerical("kernel matrix contains NaN or infinite entries") } }
        if n == 0 { return [] }
        let band = twoStageBand
        let twoStage: Bool
        switch reduction {
        case .oneStage: twoStage = false
        case .twoStage: twoStage = n > 2 * band
        case .automatic: twoStage = n * n * MemoryLayout<T>.size >= twoStageMinimumBytes
        }
        if twoStage && T.canReduceInTwoStages {
            return try twoStageEigenvalues(a, band: band, check: check, progress: progress)
        }
        return try oneStageEigenvalues(a, nb: nb, check: check, progress: progress)
    }

    /// As `xSYEVD` with jobz = 'N' does — Householder tridiagonalisation (`xSYTRD`) then root-free QR
    /// (`xSTERF`) — but with the blocked reduction's loop run here, so `check` and `progress` are called
    /// between panels of `nb` columns.
    static func oneStageEigenvalues<T: BLASScalar>(_ a: Matrix<T>, nb: Int,
                                                   check: () throws(SamplingError) -> Void,
                                                   progress: (Double) -> Void) throws(SamplingError) -> [Double] {
        let n = a.rows
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
        return try tridiagonalEigenvalues(n: n, d: d, e: e, check: check)
    }

    /// Two-stage reduction (Bischof, Lang & Sun's successive band reduction, as LAPACK's `xSYTRD_2STAGE`):
    /// panel by panel, the block row right of the band is factored A[j:j+b, j+b:n] = L Q (`xGELQF`), and the
    /// trailing matrix is updated two-sidedly, A₂₂ ← Q̂ᵀ A₂₂ Q̂ with Q̂ = I − V T Vᵀ:
    /// W = A₂₂ V T − ½ V (Tᵀ Vᵀ A₂₂ V T), A₂₂ −= V Wᵀ + W Vᵀ (`xSYMM`, `xTRMM`, `xGEMM`, `xSYR2K`).
    /// The band (upper, b superdiagonals) then goes to `xSYTRD_SB2ST` and `xSTERF`.
    static func twoStageEigenvalues<T: BLASScalar>(_ a: Matrix<T>, band b: Int,
                                                   check: () throws(SamplingError) -> Void,
                                                   progress: (Double) -> Void) throws(SamplingError) -> [Double] {
        let n = a.rows, lda = n, A = a.data
        let tau = UnsafeMutablePointer<T>.allocate(capacity: b), t = UnsafeMutablePointer<T>.allocate(capacity: b * b)
        let z = UnsafeMutablePointer<T>.allocate(capacity: b * b)
        let v = UnsafeMutablePointer<T>.allocate(capacity: n * b), w = UnsafeMutablePointer<T>.allocate(capacity: n * b)
        defer { tau.deallocate(); t.deallocate(); z.deallocate(); v.deallocate(); w.deallocate() }
        let total = Double(n) * Double(n) * Double(n)
        var j = 0
        while j + b < n {
            try check()
            let m = n - j - b, k = min(m, b)
            let p = A + j + (j + b) * lda   // the b × m block row right of the band
            var info = T.gelqf(m: Int32(b), n: Int32(m), a: p, lda: Int32(lda), tau: tau)
            if info == 0 { info = T.larftRows(n: Int32(m), k: Int32(k), v: p, ldv: Int32(lda), tau: tau, t: t, ldt: Int32(b)) }
            guard info == 0 else { throw .numerical("band reduction: xGELQF/xLARFT failed (info \(info))") }
            // V (m × k): reflector c is row c of the block row, unit at position c, zero before it.
            for c in 0..<k {
                let col = v + c * m
                for r in 0..<m { col[r] = r < c ? 0 : (r == c ? 1 : p[c + r * lda]) }
            }
            let a22 = A + (j + b) + (j + b) * lda
            T.symmUpper(m: Int32(m), n: Int32(k), a: a22, lda: Int32(lda), b: v, ldb: Int32(m), c: w, ldc: Int32(m))
            T.trmmUpper(right: true, m: Int32(m), n: Int32(k), t: t, ldt: Int32(b), b: w, ldb: Int32(m))
            T.gemm(transA: true, transB: false, m: k, n: k, k: m, alpha: 1, a: v, lda: m, b: w, ldb: m, beta: 0, c: z, ldc: b)
            T.trmmUpper(right: false, m: Int32(k), n: Int32(k), t: t, ldt: Int32(b), b: z, ldb: Int32(b))
            T.gemm(transA: false, transB: false, m: m, n: k, k: k, alpha: -0.5, a: v, lda: m, b: z, ldb: b, beta: 1, c: w, ldc: m)
            T.syr2kUpper(n: Int32(m), k: Int32(k), a: v, lda: Int32(m), b: w, ldb: Int32(m), c: a22, ldc: Int32(lda))
            let left = Double(m)
            progress(0.9 * (1 - left * left * left / total))
            j += b
        }
        // Upper band storage: AB[b + i − j, j] = A[i, j] for max(0, j − b) ≤ i ≤ j.
        let ldab = b + 1
        let ab = UnsafeMutablePointer<T>.allocate(capacity: ldab * n)
        let d = UnsafeMutablePointer<T>.allocate(capacity: n), e = UnsafeMutablePointer<T>.allocate(capacity: n)
        defer { ab.deallocate(); d.deallocate(); e.deallocate() }
        ab.initialize(repeating: 0, count: ldab * n)
        for c in 0..<n { for r in max(0, c - b)...c { ab[(b + r - c) + c * ldab] = A[r + c * lda] } }
        try check()
        // The bulge chasing calls only small BLAS-1/2 kernels, which lose time on several OpenBLAS threads.
        let threads = BLASThreads.current
        BLASThreads.set(1)
        let info = T.sb2st(n: n, kd: b, ab: ab, ldab: ldab, d: d, e: e)
        BLASThreads.set(threads)
        guard info == 0 else { throw .numerical("xSYTRD_SB2ST failed (info \(info))") }
        progress(0.97)
        return try tridiagonalEigenvalues(n: n, d: d, e: e, check: check)
    }

    /// Eigenvalues of the symmetric tridiagonal matrix (diagonal `d`, off-diagonal `e`, both destroyed) by `xSTERF`.
    static func tridiagonalEigenvalues<T: BLASScalar>(n: Int, d: UnsafeMutablePointer<T>, e: UnsafeMutablePointer<T>,
                                                      check: () throws(SamplingError) -> Void) throws(SamplingError) -> [Double] {
        try check()
        let sinfo = T.sterf(n: Int32(n), d: d, e: e)
        guard sinfo == 0 else { throw .numerical("xSTERF failed to converge (info \(sinfo))") }
        return (0..<n).map { Double(d[$0]) }
    }
}
