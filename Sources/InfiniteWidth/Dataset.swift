import Foundation
import LimitLaws
import NetworkSampling
import CLinearAlgebra

/// Where the n input points come from. All points are scaled to unit norm (the infinite-width
/// formulas are for unit-norm inputs).
public enum InputSource: Sendable, Hashable {
    /// n points uniform on S^{d−1}.
    case uniformSphere(n: Int, dimension: Int, seed: UInt64)
    /// n points with iid N(0, 1/d) entries, each then normalised to unit norm. (Rotation
    /// invariance makes this the uniform law again; it is generated the way the linear-width
    /// engine's Marcenko–Pastur input is, norms ≈ 1 before the normalisation.)
    case gaussian(n: Int, dimension: Int, seed: UInt64)
    /// One point per line (whitespace or comma separated), '#' comments; normalised to unit norm.
    case file(path: String)
}

/// n unit-norm points in R^d, stored column-major (d × n): column i is point i.
public struct InputPoints: Sendable {
    public let dimension: Int
    public let count: Int
    public let columns: [Double]
    /// The largest norm before normalisation divided by the smallest (1 for generated points).
    public let normSpread: Double

    public init(dimension: Int, count: Int, columns: [Double], normalise: Bool = true) throws(ModelError) {
        precondition(columns.count == dimension * count)
        var c = columns
        var lo = Double.infinity, hi = 0.0
        if normalise {
            for i in 0..<count {
                var s = 0.0
                for r in 0..<dimension { s += c[i * dimension + r] * c[i * dimension + r] }
                let nrm = s.squareRoot()
                guard nrm > 0, nrm.isFinite else {
                    throw ModelError(field: "input point \(i + 1)", value: "norm \(nrm)",
                                     allowed: "every input point must have a finite, non-zero norm")
                }
                lo = min(lo, nrm); hi = max(hi, nrm)
                for r in 0..<dimension { c[i * dimension + r] /= nrm }
            }
        }
        self.dimension = dimension
        self.count = count
        self.columns = c
        self.normSpread = normalise && count > 0 ? hi / lo : 1
    }

    public static let maxPoints = 6000

    public static func make(_ source: InputSource) throws(ModelError) -> InputPoints {
        switch source {
        case .uniformSphere(let n, let d, let seed), .gaussian(let n, let d, let seed):
            guard n >= 1, n <= maxPoints else {
                throw ModelError(field: "--points", value: "\(n)", allowed: "must be an integer from 1 to \(maxPoints)")
            }
            guard d >= 2, d <= 100_000 else {
                throw ModelError(field: "--dim", value: "\(d)", allowed: "must be an integer from 2 to 100000")
            }
            var rng = Xoshiro256StarStar(seed: seed)
            var x = [Double](repeating: 0, count: n * d)
            x.withUnsafeMutableBufferPointer { rng.fillNormal($0, scale: 1 / Double(d).squareRoot()) }
            return try InputPoints(dimension: d, count: n, columns: x)
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path),
                  let text = String(data: data, encoding: .utf8) else {
                throw ModelError(field: "--data", value: path, allowed: "must be a readable UTF-8 text file")
            }
            return try parse(text, source: path)
        }
    }

    /// Parses points, one per line; numbers separated by commas and/or whitespace.
    public static func parse(_ text: String, source: String) throws(ModelError) -> InputPoints {
        var rows: [[Double]] = []
        var lineNo = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNo += 1
            var line = Substring(raw)
            if let h = line.firstIndex(of: "#") { line = line[..<h] }
            let fields = line.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            var row: [Double] = []
            for f in fields {
                guard let v = Double(f), v.isFinite else {
                    if rows.isEmpty && row.isEmpty { row = []; break } // header line
                    throw ModelError(field: "\(source) line \(lineNo)", value: String(f), allowed: "every field must be a finite number")
                }
                row.append(v)
            }
            if row.isEmpty { continue }
            if let first = rows.first, first.count != row.count {
                throw ModelError(field: "\(source) line \(lineNo)", value: "\(row.count) numbers",
                                 allowed: "every line must hold the same number of coordinates (\(first.count))")
            }
            rows.append(row)
        }
        guard !rows.isEmpty else {
            throw ModelError(field: source, value: "(no points)", allowed: "the file must hold at least one point per line")
        }
        guard rows.count <= maxPoints else {
            throw ModelError(field: source, value: "\(rows.count) points", allowed: "at most \(maxPoints) points")
        }
        return try InputPoints(dimension: rows[0].count, count: rows.count, columns: rows.flatMap { $0 })
    }

    /// The input Gram X^T X (n × n, symmetric, column-major), by cblas_dsyrk.
    public func innerProducts() -> [Double] {
        var g = [Double](repeating: 0, count: count * count)
        let n = Int32(count), d = Int32(dimension)
        columns.withUnsafeBufferPointer { x in
            g.withUnsafeMutableBufferPointer { g in
                cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, n, d, 1, x.baseAddress, d, 0, g.baseAddress, n)
            }
        }
        for j in 0..<count { for i in (j + 1)..<count { g[j * count + i] = g[i * count + j] } }
        for i in 0..<count { g[i * count + i] = 1 }  // unit norm, exactly
        return g
    }
}
