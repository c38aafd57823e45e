import Foundation
import CLinearAlgebra

/// Summary of a kernel Gram matrix's spectrum.
public struct GramSpectrum: Sendable {
    /// Eigenvalues, largest first.
    public let eigenvalues: [Double]
    public let trace: Double
    public var lambdaMax: Double { eigenvalues.first ?? 0 }
    /// Tr K / λ_max.
    public var effectiveRank: Double { lambdaMax > 0 ? trace / lambdaMax : 0 }
    /// λ_max / Tr K.
    public var maxShare: Double { trace > 0 ? lambdaMax / trace : 0 }
    /// Outliers: eigenvalues standing out of the bulk, above `outlierFactor` × the bulk's 90th
    /// percentile (a flat spectrum has none; a spike such as a strong principal component counts).
    public let outlierFactor: Double
    public var bulkEdge: Double {
        guard !eigenvalues.isEmpty else { return 0 }
        return eigenvalues[min(eigenvalues.count - 1, eigenvalues.count / 10)]   // descending order
    }
    public var outliers: Int { eigenvalues.filter { $0 > outlierFactor * bulkEdge }.count }
    /// Bound on the largest entrywise error of the Gram from truncating the series (0 if exact).
    public let entryErrorBound: Double

    public init(eigenvalues: [Double], trace: Double, outlierFactor: Double = 3, entryErrorBound: Double = 0) {
        self.eigenvalues = eigenvalues.sorted(by: >)
        self.trace = trace
        self.outlierFactor = outlierFactor
        self.entryErrorBound = entryErrorBound
    }

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
    /// from the truncated series (entry error ≤ tail · max|ρ_ij|^{N+1}, returned).
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
        return (k, series.tail(kernel) * pow(maxRho, Double(series.order + 1)))
    }

    /// Spectrum summary of a kernel's Gram on the given points.
    public static func spectrum(_ series: KernelSeries, kernel: InfiniteKernel, points: InputPoints,
                                innerProducts: [Double]? = nil, outlierFactor: Double = 3) throws -> GramSpectrum {
        let g = innerProducts ?? points.innerProducts()
        let (k, err) = gram(series, kernel: kernel, innerProducts: g, n: points.count)
        let ev = try symmetricEigenvalues(k, n: points.count)
        return GramSpectrum(eigenvalues: ev, trace: Double(points.count) * series.valueAtOne(kernel),
                            outlierFactor: outlierFactor, entryErrorBound: err)
    }

    /// Spectrum summary of the input Gram X^T X.
    public static func inputSpectrum(points: InputPoints, innerProducts: [Double]? = nil,
                                     outlierFactor: Double = 3) throws -> GramSpectrum {
        let g = innerProducts ?? points.innerProducts()
        let ev = try symmetricEigenvalues(g, n: points.count)
        return GramSpectrum(eigenvalues: ev, trace: Double(points.count), outlierFactor: outlierFactor)
    }
}

/// The finite-dataset view: spectra of the input Gram XᵀX, of K_L and of Θ_L on the same points.
public struct DatasetSpectra: Sendable {
    public let input: GramSpectrum
    public let ck: GramSpectrum
    public let ntk: GramSpectrum
    /// r(Θ_L) / r(XᵀX): the paper's Theorem 4.3 bounds this by a constant.
    public var ntkToInputEffectiveRank: Double { input.effectiveRank > 0 ? ntk.effectiveRank / input.effectiveRank : 0 }

    /// Computes all three (one dsyrk, two Grams, three dsyevd).
    public static func compute(_ series: KernelSeries, points: InputPoints, outlierFactor: Double = 3) throws -> DatasetSpectra {
        let g = points.innerProducts()
        let L = series.depth
        return DatasetSpectra(
            input: try KernelGram.inputSpectrum(points: points, innerProducts: g, outlierFactor: outlierFactor),
            ck: try KernelGram.spectrum(series, kernel: .ck(L), points: points, innerProducts: g, outlierFactor: outlierFactor),
            ntk: try KernelGram.spectrum(series, kernel: .ntk(L), points: points, innerProducts: g, outlierFactor: outlierFactor))
    }
}
