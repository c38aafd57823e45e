import Foundation
import CLinearAlgebra

/// Summary of a kernel Gram matrix's spectrum.
public struct GramSpectrum: Sendable {
    /// Eigenvalues, largest first.
    public let eigenvalues: [Double]
    public let trace: Double
    public var lambdaMax: Double { eigenvalues.first ?? 0 }
    /// The smallest eigenvalue (may be a round-off zero; see `numericalRank`).
    public var lambdaMin: Double { eigenvalues.last ?? 0 }
    /// Tr K / λ_max.
    public var effectiveRank: Double { lambdaMax > 0 ? trace / lambdaMax : 0 }
    /// λ_max / Tr K.
    public var maxShare: Double { trace > 0 ? lambdaMax / trace : 0 }
    /// Eigenvalues at most this are round-off zeros: 10·n·ε·λ_max (a backward-stable symmetric
    /// eigensolver is accurate to a small multiple of n·ε·‖K‖).
    public var zeroTolerance: Double { 10 * Double(eigenvalues.count) * Double.ulpOfOne * abs(lambdaMax) }
    /// The number of eigenvalues above `zeroTolerance`.
    public var numericalRank: Int { eigenvalues.filter { $0 > zeroTolerance }.count }
    /// Outliers: eigenvalues standing out of the bulk, above `outlierFactor` × the bulk's 90th
    /// percentile, both taken over the numerically non-zero eigenvalues (a rank-10 Gram of 200 points
    /// has no round-off "bulk" to stand out of). A flat spectrum has none; a spike such as a strong
    /// principal component or the constant term's n·c_0 counts.
    public let outlierFactor: Double
    public var bulkEdge: Double {
        let r = numericalRank
        guard r > 0 else { return 0 }
        return eigenvalues[min(r - 1, r / 10)]   // descending order
    }
    public var outliers: Int {
        let edge = bulkEdge
        guard edge > 0 else { return 0 }
        return eigenvalues.filter { $0 > outlierFactor * edge }.count
    }
    /// Bound on the largest entrywise error of the Gram from truncating the series (0 if exact).
    public let entryErrorBound: Double
    /// Bound on every eigenvalue's error from the entry errors (Weyl: ‖E‖₂ ≤ n·max|E_ij|).
    public var eigenvalueErrorBound: Double { Double(eigenvalues.count) * entryErrorBound }
    /// How the entries were computed ("closed form", "series", "data").
    public let source: String

    public init(eigenvalues: [Double], trace: Double, outlierFactor: Double = 3, entryErrorBound: Double = 0,
                source: String = "series") {
        self.eigenvalues = eigenvalues.sorted(by: >)
        self.trace = trace
        self.outlierFactor = outlierFactor
        self.entryErrorBound = entryErrorBound
        self.source = source
    }

    /// λ_min is below the eigenvalue error bound, so only its bound is known.
    public var lambdaMinIsTruncationLimited: Bool { entryErrorBound > 0 && lambdaMin <= eigenvalueErrorBound }

    /// Empirical CDF of the eigenvalues at x.
    public func cdf(_ x: Double) -> Double {
        Double(eigenvalues.filter { $0 <= x }.count) / Double(max(eigenvalues.count, 1))
    }
    public var mean: Double { eigenvalues.reduce(0, +) / Double(max(eigenvalues.count, 1)) }
    public var secondMoment: Double { eigenvalues.reduce(0) { $0 + $1 * $1 } / Double(max(eigenvalues.count, 1)) }
}

public enum LinearAlgebraError: Error, CustomStringConvertible {
    case lapack(info: Int32)
    public var description: String { "LAPACKE_dsyevd failed (info \(self))" }
}

public enum KernelGram {
    /// The eigenvalues (ascending) of a symmetric n × n column-major matrix, by LAPACKE_dsyevd (jobz 'N').
    public static func symmetricEigenvalues(_ a: [Double], n: Int) throws -> [Double] {
        precondition(a.count == n * n)
        var m = a
        var w = [Double](repeating: 0, count: n)
        let info = m.withUnsafeMutableBufferPointer { mp in
            w.withUnsafeMutableBufferPointer { wp in
                LAPACKE_dsyevd(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "N")), Int8(UInt8(ascii: "U")),
                               Int32(n), mp.baseAddress, Int32(n), wp.baseAddress)
            }
        }
        guard info == 0 else { throw LinearAlgebraError.lapack(info: info) }
        return w
    }

    /// The Gram matrix [K(⟨x_i, x_j⟩)] of an infinite-width kernel: exact diagonal K(1), off-diagonal
    /// from the truncated series (entry error ≤ the series' bound at max|ρ_ij|, returned).
    public static func gram(_ series: KernelSeries, kernel: InfiniteKernel, innerProducts g: [Double], n: Int)
        -> (matrix: [Double], entryErrorBound: Double) {
        let c = series.coefficients(kernel)
        let diag = series.valueAtOne(kernel)
        var k = [Double](repeating: 0, count: n * n)
        var maxRho = 0.0
        c.withUnsafeBufferPointer { c in
            for j in 0..<n {
                k[j * n + j] = diag
                for i in 0..<j {
                    let rho = min(1, max(-1, g[j * n + i]))
                    maxRho = max(maxRho, abs(rho))
                    var s = 0.0
                    for p in stride(from: c.count - 1, through: 0, by: -1) { s = s * rho + c[p] }
                    k[j * n + i] = s
                    k[i * n + j] = s
                }
            }
        }
        return (k, n > 1 ? series.errorBound(kernel, at: maxRho) : 0)
    }

    /// The Gram matrices of several kernels at once from the exact recursion (no truncation).
    /// `control` reports the share of the columns done and stops early when cancelled (the caller
    /// checks `control.token` and discards the partial matrices).
    public static func exactGrams(_ recursion: KernelRecursion, kernels: [InfiniteKernel], innerProducts g: [Double], n: Int,
                                  control: ComputationControl = .none) -> [[Double]] {
        var out = kernels.map { _ in [Double](repeating: 0, count: n * n) }
        let one = recursion.values(at: 1)
        func pick(_ v: KernelRecursion.Values, _ k: InfiniteKernel) -> Double {
            switch k { case .ck(let l): return v.ck[l]; case .ntk(let l): return v.ntk[l] }
        }
        for j in 0..<n {
            if j % 16 == 0 {
                if control.isCancelled { return out }
                // column j holds j entries: the work done grows like j²
                control.report(Double(j) * Double(j) / (Double(n) * Double(n)))
            }
            for (m, k) in kernels.enumerated() { out[m][j * n + j] = pick(one, k) }
            for i in 0..<j {
                let v = recursion.values(at: g[j * n + i])
                for (m, k) in kernels.enumerated() { let x = pick(v, k); out[m][j * n + i] = x; out[m][i * n + j] = x }
            }
        }
        return out
    }

    /// Spectrum summary of a kernel's Gram on the given points (from the series).
    public static func spectrum(_ series: KernelSeries, kernel: InfiniteKernel, points: InputPoints,
                                innerProducts: [Double]? = nil, outlierFactor: Double = 3) throws -> GramSpectrum {
        let g = innerProducts ?? points.innerProducts()
        let (k, err) = gram(series, kernel: kernel, innerProducts: g, n: points.count)
        let ev = try symmetricEigenvalues(k, n: points.count)
        return GramSpectrum(eigenvalues: ev, trace: Double(points.count) * series.valueAtOne(kernel),
                            outlierFactor: outlierFactor, entryErrorBound: err, source: "series")
    }

    /// Spectrum summary of the input Gram X^T X.
    public static func inputSpectrum(points: InputPoints, innerProducts: [Double]? = nil,
                                     outlierFactor: Double = 3) throws -> GramSpectrum {
        let g = innerProducts ?? points.innerProducts()
        let ev = try symmetricEigenvalues(g, n: points.count)
        return GramSpectrum(eigenvalues: ev, trace: Double(points.count), outlierFactor: outlierFactor, source: "data")
    }
}

/// The finite-dataset view: spectra of the input Gram XᵀX, of K_L and of Θ_L on the same points.
public struct DatasetSpectra: Sendable {
    public let input: GramSpectrum
    public let ck: GramSpectrum
    public let ntk: GramSpectrum
    /// r(Θ_L) / r(XᵀX).
    public var ntkToInputEffectiveRank: Double { input.effectiveRank > 0 ? ntk.effectiveRank / input.effectiveRank : 0 }
    /// The constant of the power-series paper's Theorem 4.3: r(Θ_L) ≤ (Θ_L(1)/c₁)·r(XᵀX), c₁ the
    /// linear coefficient of Θ_L (Θ ⪰ c₁ XᵀX as every Hadamard power of XᵀX is PSD, so
    /// λ_max(Θ) ≥ c₁ λ_max(XᵀX), and Tr Θ = n Θ(1)). +∞ when c₁ = 0.
    public let ntkBoundConstant: Double
    /// The same for K_L: K_L(1)/c₁(K_L).
    public let ckBoundConstant: Double

    public init(input: GramSpectrum, ck: GramSpectrum, ntk: GramSpectrum, ntkBoundConstant: Double, ckBoundConstant: Double) {
        self.input = input; self.ck = ck; self.ntk = ntk
        self.ntkBoundConstant = ntkBoundConstant; self.ckBoundConstant = ckBoundConstant
    }

    /// Computes all three: XᵀX by one dsyrk; K_L and Θ_L from the exact recursion when σ has closed
    /// forms (`exact` given with `.closedForm`), else from the series (entry bound reported); three dsyevd.
    ///
    /// `control` reports progress (0…1: the Gram entries, then the three eigendecompositions) and is
    /// checked between the steps (a running dsyevd is not interrupted); cancelled, it throws
    /// `ComputationCancelled`.
    public static func compute(_ series: KernelSeries, points: InputPoints, exact: KernelRecursion? = nil,
                               outlierFactor: Double = 3, control: ComputationControl = .none) throws -> DatasetSpectra {
        // the steps' shares of the work: entries n²/2 recursions (exact) or series sums, dsyevd ~ n³ each
        let n = points.count
        func step(_ done: Double) throws(ComputationCancelled) {
            if control.isCancelled { throw ComputationCancelled() }
            control.report(done)
        }
        try step(0)
        let g = points.innerProducts()
        let L = series.depth
        let input = try KernelGram.inputSpectrum(points: points, innerProducts: g, outlierFactor: outlierFactor)
        try step(0.2)
        let ck: GramSpectrum, ntk: GramSpectrum
        if let exact, exact.method == .closedForm {
            let entries = ComputationControl(token: control.token) { control.report(0.2 + 0.3 * $0) }
            let grams = KernelGram.exactGrams(exact, kernels: [.ck(L), .ntk(L)], innerProducts: g, n: n, control: entries)
            try step(0.5)
            ck = GramSpectrum(eigenvalues: try KernelGram.symmetricEigenvalues(grams[0], n: n),
                              trace: Double(n) * series.valueAtOne(.ck(L)), outlierFactor: outlierFactor, source: "closed form")
            try step(0.75)
            ntk = GramSpectrum(eigenvalues: try KernelGram.symmetricEigenvalues(grams[1], n: n),
                               trace: Double(n) * series.valueAtOne(.ntk(L)), outlierFactor: outlierFactor, source: "closed form")
        } else {
            ck = try KernelGram.spectrum(series, kernel: .ck(L), points: points, innerProducts: g, outlierFactor: outlierFactor)
            try step(0.6)
            ntk = try KernelGram.spectrum(series, kernel: .ntk(L), points: points, innerProducts: g, outlierFactor: outlierFactor)
        }
        try step(1)
        func constant(_ k: InfiniteKernel) -> Double {
            let c = series.coefficients(k)
            return c.count > 1 && c[1] > 0 ? series.valueAtOne(k) / c[1] : .infinity
        }
        return DatasetSpectra(input: input, ck: ck, ntk: ntk, ntkBoundConstant: constant(.ntk(L)), ckBoundConstant: constant(.ck(L)))
    }

    /// r(Θ_L) ≤ (Θ_L(1)/c₁)·r(XᵀX) holds (up to 1e-9 relative round-off).
    public var theorem43Holds: Bool { ntk.effectiveRank <= ntkBoundConstant * input.effectiveRank * (1 + 1e-9) }
}
