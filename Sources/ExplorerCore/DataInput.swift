import Foundation
import LimitLaws
import NetworkSampling

/// How far a data matrix is from what the theory assumes: Definition 3.1 and Assumption 3.2(c) of
/// Fan & Wang (2020). X ∈ ℝ^{d₀×n} (one sample per column) is (ε, B)-orthonormal when
/// |‖x_α‖² − 1| ≤ ε and |x_αᵀx_β| ≤ ε (α ≠ β), ‖X‖ ≤ B and Σ_α(‖x_α‖² − 1)² ≤ B²; the limit laws
/// need ε·n^{1/4} → 0. After the paper's preprocessing every ‖x_α‖ = 1, so ε is the largest
/// inner product between two samples: for the 8×8 digits (d₀ = 64, n = 1797) it is large, and the
/// CK's KS of about 0.2 is what the theory leads one to expect, not a fault.
public struct DataDiagnostics: Sendable, Hashable {
    public var samples: Int
    public var features: Int
    /// max_α |‖x_α‖² − 1|.
    public var normEpsilon: Double
    /// max_{α≠β} |x_αᵀx_β|.
    public var innerEpsilon: Double
    /// ‖X‖, the largest singular value.
    public var operatorNorm: Double
    /// Σ_α (‖x_α‖² − 1)².
    public var normDeviation: Double

    /// The smallest ε of Definition 3.1: max(normEpsilon, innerEpsilon).
    public var epsilon: Double { max(normEpsilon, innerEpsilon) }
    /// ε·n^{1/4}, which Assumption 3.2(c) needs small.
    public var scaledEpsilon: Double { epsilon * pow(Double(samples), 0.25) }
    /// For comparison: ε·n^{1/4} of iid Gaussian samples of the same shape, √(2 log n / d₀)·n^{1/4}
    /// (the typical largest inner product of n unit vectors in d₀ dimensions).
    public var gaussianScaledEpsilon: Double {
        (2 * log(Double(max(2, samples))) / Double(max(1, features))).squareRoot() * pow(Double(samples), 0.25)
    }
}

/// A data matrix as the explorer's input: preprocessed as in the paper (features centred, `removedPCs`
/// leading principal components removed, samples scaled to unit norm); the input law is the spectrum
/// of its Gram XᵀX, and the sampled check runs on the matrix itself.
public struct DataInput: Sendable, Hashable {
    public static func == (a: DataInput, b: DataInput) -> Bool {
        a.label == b.label && a.removedPCs == b.removedPCs && a.matrix == b.matrix && a.gramEigenvalues == b.gramEigenvalues
    }
    public func hash(into h: inout Hasher) { h.combine(label); h.combine(removedPCs); h.combine(matrix.samples); h.combine(matrix.features) }

    /// "digits.csv, 10 PCs removed".
    public var label: String
    /// The file it was read from (as given), for session files.
    public var path: String = ""
    public var matrix: DataMatrix
    public var removedPCs: Int
    /// Eigenvalues of XᵀX (n of them, ascending; rounding around exact zeros set to 0).
    public var gramEigenvalues: [Double]
    public var diagnostics: DataDiagnostics

    /// Largest min(n, d₀) the explorer diagonalises (the Gram's eigenvalues); larger matrices are
    /// for `ntkscope sample --data`.
    public static let maxRank = 6000

    /// `load` with its error as text (for the shell, which does not see NetworkSampling's types).
    public static func loadResult(path: String, removePCs: Int, field: String = "--data") -> Result<DataInput, DataLoadError> {
        do { return .success(try load(path: path, removePCs: removePCs, field: field)) } catch { return .failure(DataLoadError(description: error.description)) }
    }

    /// Reads and preprocesses the file; a file's error names `field` (the option or command that
    /// named the file), the file and what is wrong.
    public static func load(path: String, removePCs: Int, field: String = "--data") throws(SamplingError) -> DataInput {
        let raw: DataMatrix
        do { raw = try DataMatrix.read(path: path, field: field) } catch { throw .dataFile(error.naming(option: field).description) }
        let name = (path as NSString).lastPathComponent
        var input = try make(raw, removePCs: removePCs, label: removePCs > 0 ? "\(name), \(removePCs) PCs removed" : name)
        input.path = path
        return input
    }

    public static func make(_ raw: DataMatrix, removePCs: Int, label: String) throws(SamplingError) -> DataInput {
        guard min(raw.samples, raw.features) <= maxRank else {
            throw .invalidRequest("\(label): \(raw.samples) samples × \(raw.features) features is too large for the explorer (min(n, d₀) ≤ \(maxRank)); use ntkscope sample --data")
        }
        guard raw.samples >= 2 else { throw .dataFile("\(label): needs at least 2 samples (rows)") }
        let x = try raw.preprocessed(removePCs: removePCs)
        let (eigenvalues, diagnostics) = try gram(x)
        return DataInput(label: label, matrix: x, removedPCs: removePCs, gramEigenvalues: eigenvalues, diagnostics: diagnostics)
    }

    /// The Gram's eigenvalues (through the smaller of XᵀX and XXᵀ) and the diagnostics (the Gram
    /// scanned in blocks of columns, so memory stays O(n·block)).
    static func gram(_ x: DataMatrix) throws(SamplingError) -> ([Double], DataDiagnostics) {
        let n = x.samples, d = x.features
        var normEps = 0.0, innerEps = 0.0, deviation = 0.0
        let block = max(1, min(n, 1 << 22 / max(1, n)))
        var g = [Double](repeating: 0, count: n * block)
        x.values.withUnsafeBufferPointer { xp in
            var j0 = 0
            while j0 < n {
                let b = min(block, n - j0)
                g.withUnsafeMutableBufferPointer { gp in
                    // G[:, j0..<j0+b] = Xᵀ X[:, j0..<j0+b]   (n × b)
                    Double.gemm(transA: true, transB: false, m: n, n: b, k: d, alpha: 1, a: xp.baseAddress!, lda: d,
                                b: xp.baseAddress! + j0 * d, ldb: d, beta: 0, c: gp.baseAddress!, ldc: n)
                }
                for jj in 0..<b {
                    let j = j0 + jj
                    for i in 0..<n {
                        let v = g[jj * n + i]
                        if i == j {
                            normEps = max(normEps, abs(v - 1)); deviation += (v - 1) * (v - 1)
                        } else if i < j {
                            innerEps = max(innerEps, abs(v))
                        }
                    }
                }
                j0 += b
            }
        }
        // the eigenvalues of XᵀX: those of the smaller Gram, and n − d zeros when d < n
        let small = min(n, d)
        let m = Matrix<Double>(rows: small, cols: small)
        x.values.withUnsafeBufferPointer { xp in
            if d < n {   // X Xᵀ (d × d)
                Double.gemm(transA: false, transB: true, m: d, n: d, k: n, alpha: 1, a: xp.baseAddress!, lda: d,
                            b: xp.baseAddress!, ldb: d, beta: 0, c: m.data, ldc: d)
            } else {
                Double.syrkTrans(n: n, k: d, alpha: 1, a: xp.baseAddress!, lda: d, beta: 0, c: m.data, ldc: n)
            }
        }
        var values: [Double]
        do { values = try SymmetricEigen.eigenvaluesDestroying(m) } catch {
            throw .numerical("the data Gram's eigenvalues: \(error)")
        }
        values += Array(repeating: 0, count: n - small)
        let top = values.map(abs).max() ?? 0
        values = values.map { abs($0) <= 1e-10 * top ? 0 : max(0, $0) }.sorted()
        let diagnostics = DataDiagnostics(samples: n, features: d, normEpsilon: normEps, innerEpsilon: innerEps,
                                          operatorNorm: top.squareRoot(), normDeviation: deviation)
        return (values, diagnostics)
    }

    /// The diagnostics as lines for the focus view and the status line.
    public var diagnosticLines: [String] {
        let f = diagnostics
        let s = { (v: Double) in String(format: "%.3g", v) }
        return ["data: \(label), n = \(f.samples), d₀ = \(f.features)",
                "Definition 3.1: ε = \(s(f.epsilon)) (max |x_αᵀx_β| \(s(f.innerEpsilon)), max |‖x_α‖²−1| \(s(f.normEpsilon)))",
                "Assumption 3.2(c): ε·n^¼ = \(s(f.scaledEpsilon)) must be small (iid Gaussian of this shape: \(s(f.gaussianScaledEpsilon)))",
                "‖X‖ = \(s(f.operatorNorm)), Σ(‖x_α‖²−1)² = \(s(f.normDeviation))"]
    }
}

/// Why a data file could not be used as the input.
public struct DataLoadError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

extension ExplorerReducer {
    /// `:data FILE [pcs K]` (`ExplorerEffect.loadDataFile`; the shell performs it): as --data, the
    /// input law of the linear width and the Gram block of the infinite width. The shown regime's
    /// message comes last, so it is the one on the status line; a file's error names `:data`, the
    /// file and what is wrong.
    public static func loadDataFile(_ path: String, pcs: Int, state: inout ExplorerState) {
        let infinite = InfiniteWidthRegime.loadData(path: path)
        let shown = state.regime
        if shown == .linearWidth { _ = reduce(&state, infinite) }
        switch DataInput.loadResult(path: path, removePCs: pcs, field: ":data") {
        case .success(let data): _ = reduce(&state, .setData(data))
        case .failure(let error): _ = reduce(&state, .status(ExplorerCommand.naming(error.description, command: "data"), isError: true))
        }
        if shown != .linearWidth { _ = reduce(&state, infinite) }
    }
}
