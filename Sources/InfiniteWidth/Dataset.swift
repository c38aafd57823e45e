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
    /// A data file read by `DataMatrix.load` (.npy, or CSV with one sample per row); every sample
    /// scaled to unit norm.
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
            return try load(path: path).points
        }
    }

    /// Reads a data file (.npy or CSV, rows = samples; `DataMatrix.load`) and scales every sample
    /// to unit norm. Errors name `--data`, the file and what is wrong (a zero row by its number).
    public static func load(path: String, option: String = "--data") throws(ModelError) -> (points: InputPoints, notice: String) {
        let m: DataMatrix
        do { m = try DataMatrix.read(path: path, field: option) } catch { throw error.naming(option: option) }
        return try fromData(m, source: path, option: option)
    }

    /// Points from a data matrix (rows = samples), each scaled to unit norm, with a notice saying so.
    public static func fromData(_ m: DataMatrix, source: String, option: String = "--data") throws(ModelError) -> (points: InputPoints, notice: String) {
        guard m.samples >= 1, m.samples <= maxPoints else {
            throw ModelError(field: option, value: "\(source): \(m.samples) samples", allowed: "must hold 1 to \(maxPoints) samples (rows)")
        }
        guard m.features >= 1, m.features <= 1_000_000, m.values.count == m.samples * m.features else {
            throw ModelError(field: option, value: "\(source): \(m.features) features", allowed: "must hold 1 to 1000000 features (columns)")
        }
        for (i, v) in m.values.enumerated() where !v.isFinite {
            throw ModelError(field: option, value: "\(source): sample \(i / m.features + 1), feature \(i % m.features + 1) is \(v)",
                             allowed: "every value must be a finite number")
        }
        var lo = Double.infinity, hi = 0.0
        for a in 0..<m.samples {
            var s = 0.0
            var big = 0.0
            for f in 0..<m.features { big = max(big, abs(m.values[a * m.features + f])) }
            // scale-safe norm: divide by the largest entry first (1e300-sized rows do not overflow)
            if big > 0 { for f in 0..<m.features { let x = m.values[a * m.features + f] / big; s += x * x } }
            let norm = big * s.squareRoot()
            guard norm > 0, norm.isFinite else {
                throw ModelError(field: option, value: "\(source): sample \(a + 1) (row \(a + 1))",
                                 allowed: "every sample must have a finite, non-zero norm (it is scaled to unit norm)")
            }
            lo = min(lo, norm); hi = max(hi, norm)
        }
        var columns = m.values
        for a in 0..<m.samples {
            var big = 0.0
            for f in 0..<m.features { big = max(big, abs(columns[a * m.features + f])) }
            var s = 0.0
            for f in 0..<m.features { columns[a * m.features + f] /= big; s += columns[a * m.features + f] * columns[a * m.features + f] }
            let inv = 1 / s.squareRoot()
            for f in 0..<m.features { columns[a * m.features + f] *= inv }
        }
        let points = try InputPoints(dimension: m.features, count: m.samples, columns: columns, normalise: false)
        let spread = hi / lo
        let notice = "\(source): \(m.samples) samples in d = \(m.features), each scaled to unit norm (norms from \(format(lo)) to \(format(hi))\(spread > 1.0001 ? "" : ", all equal")); the infinite-width kernels are those of points on the sphere"
        return (points, notice)
    }

    static func format(_ x: Double) -> String { String(format: "%.4g", x) }

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

/// A user's data set for the infinite-width Gram block: the points (unit norm) and where they came
/// from. Hashable by source, shape and a fingerprint of the values, so it can be part of a cache key
/// without hashing every number each time.
public struct InfiniteWidthData: Sendable, Hashable {
    /// The file it was read from (as given).
    public let source: String
    public let points: InputPoints
    /// The notice shown when it was read ("… each scaled to unit norm …").
    public let notice: String
    let fingerprint: UInt64

    public init(source: String, points: InputPoints, notice: String) {
        self.source = source; self.points = points; self.notice = notice
        var h: UInt64 = 0xcbf29ce484222325   // FNV-1a over the bit patterns
        for v in points.columns { h = (h ^ v.bitPattern) &* 0x100000001b3 }
        fingerprint = h
    }

    /// Reads and normalises a data file (`InputPoints.load`).
    public static func load(path: String, option: String = "--data") throws(ModelError) -> InfiniteWidthData {
        let (p, notice) = try InputPoints.load(path: path, option: option)
        return InfiniteWidthData(source: path, points: p, notice: notice)
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.source == b.source && a.fingerprint == b.fingerprint && a.points.count == b.points.count && a.points.dimension == b.points.dimension
    }
    public func hash(into h: inout Hasher) { h.combine(source); h.combine(fingerprint); h.combine(points.count); h.combine(points.dimension) }
}
