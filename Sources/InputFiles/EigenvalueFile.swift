import Foundation
import LimitLaws

/// A file of eigenvalues of X^T X read as an input law μ_0 (docs/cli.md, *Input files*).
///
/// Text: one number per line, or the first column of a CSV (see `NumericTable`); a file whose only
/// row of data holds several numbers is refused (it is a row of eigenvalues). Binary: a `.npy`
/// array of n numbers (shape (n,), (n, 1) or (1, n)). Then:
/// - round-off: a value with |λ| ≤ 10⁻⁹ · max λ is set to 0 (`eigvalsh` of a rank-deficient Gram
///   gives ±10⁻¹⁶); a value below −10⁻⁹ · max λ is an error naming its line;
/// - scale: the values are divided by their mean, computed as max · mean(λ/max) so that no sum
///   overflows (10³⁰⁸ is a valid eigenvalue);
/// - equal values become one weighted point; above 20 000 distinct values, neighbours within a
///   factor 1.001 are merged into weighted points of mass ≤ 10⁻⁴ (`DiscreteLaw.compressed`).
/// Every change is reported in `notices`.
public struct EigenvalueFile: Sendable {
    public let law: DiscreteLaw
    /// What was done to the values, for the user (one sentence each, naming the file).
    public let notices: [String]

    /// Values with |λ| ≤ `roundOff` · max are set to 0.
    public static let roundOff = 1e-9

    /// Reads the file at `path` (`~` expanded). Messages about its content name the path and the
    /// line; a file that cannot be read is reported for `field` (an option or key; default: the path).
    public static func load(path: String, field: String? = nil,
                            progress: (@Sendable (Double) -> Void)? = nil) throws(ModelError) -> EigenvalueFile {
        let name = path
        let data = try FileBytes.read(path: path, field: field ?? path)
        return try parse(data, source: name, isNPY: path.lowercased().hasSuffix(".npy"), progress: progress)
    }

    /// Parses the bytes of a file. A `.npy` is recognised by its magic bytes as well.
    public static func parse(_ data: Data, source: String, isNPY: Bool = false,
                             progress: (@Sendable (Double) -> Void)? = nil) throws(ModelError) -> EigenvalueFile {
        if isNPY || NPYArray.hasMagic(data) {
            let array = try NPYArray.parse(data, source: source)
            guard array.shape.count == 1 || array.shape.contains(1) else {
                throw ModelError(field: source, value: "shape \(array.shapeText)", allowed: "an eigenvalue .npy holds one array of n numbers: shape (n,), (n, 1) or (1, n)")
            }
            return try fromValues(array.values, source: source, place: { "\(source) element \($0)" })
        }
        let table = try NumericTable.read(data, source: source, columns: .first, progress: progress)
        // one row of several numbers is almost surely a row of eigenvalues, not one eigenvalue
        if table.rows == 1 && table.numbersInFirstRow > 1 {
            throw ModelError(field: "\(source) line \(table.line(ofRow: 0))", value: "one row of \(table.numbersInFirstRow) numbers",
                             allowed: "eigenvalues are read one per line, or from the first column of a CSV with one row per eigenvalue; put one value per line")
        }
        return try fromValues(table.values, source: source, place: { "\(source) line \(table.line(ofRow: $0))" })
    }

    /// The rules above applied to values read from `source`; `place(k)` names where value k was.
    static func fromValues(_ raw: [Double], source: String, place: (Int) -> String) throws(ModelError) -> EigenvalueFile {
        var notices = [String]()
        if let k = raw.firstIndex(where: { !$0.isFinite }) {
            throw ModelError(field: place(k), value: "\(raw[k])", allowed: "eigenvalues must be finite numbers")
        }
        let top = raw.max() ?? 0
        guard top > 0 else {
            throw ModelError(field: source, value: raw.isEmpty ? "(no numbers)" : "largest \(top)",
                             allowed: "needs at least one eigenvalue > 0")
        }
        let floor = roundOff * top
        if let k = raw.firstIndex(where: { $0 < -floor }) {
            throw ModelError(field: place(k), value: "\(raw[k])",
                             allowed: "eigenvalues of X^T X must be >= 0; only rounding noise |λ| ≤ 1e-9 × the largest (\(top)) is set to 0")
        }
        var values = raw
        var zeroed = 0
        for k in values.indices where values[k] != 0 && abs(values[k]) <= floor { values[k] = 0; zeroed += 1 }
        if zeroed > 0 {
            notices.append("\(source): \(zeroed) value\(zeroed == 1 ? "" : "s") with |λ| ≤ 1e-9 × the largest set to 0 (rounding noise)")
        }
        // mean = top · mean(λ/top): no sum overflows
        var scaledSum = 0.0
        for v in values { scaledSum += v / top }
        let scaledMean = scaledSum / Double(values.count)
        let mean = top * scaledMean
        if abs(mean - 1) > 1e-9 {
            for k in values.indices { values[k] = (values[k] / top) / scaledMean }
            notices.append("\(source): eigenvalues had mean \(mean); rescaled to mean 1")
        }
        let exact = DiscreteLaw(eigenvalues: values)
        let law = exact.compressed()
        if let c = law.compression {
            notices.append("\(source): \(law.count) eigenvalues (\(c.sourcePoints) distinct) merged into \(law.values.count) weighted points: "
                + "each moved by at most \(percent(c.relativeWidth)) of its value, each point of merged values holds at most "
                + "\(percent(c.groupMass)) of the mass, the mean is exact (the CK laws' CDFs move by at most F(x(1+ε)) − F(x(1−ε)), ε = \(percent(c.relativeWidth)))")
        }
        return EigenvalueFile(law: law, notices: notices)
    }

    private static func percent(_ x: Double) -> String {
        String(format: "%.2g%%", 100 * x)
    }
}

/// Reading a file's bytes with a message that says why it cannot be read.
public enum FileBytes {
    public static func read(path: String, field: String) throws(ModelError) -> Data {
        let expanded = (path as NSString).expandingTildeInPath
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: expanded, isDirectory: &isDir) else {
            throw ModelError(field: field, value: path, allowed: "the file does not exist")
        }
        guard !isDir.boolValue else { throw ModelError(field: field, value: path, allowed: "is a folder, not a file") }
        guard let data = FileManager.default.contents(atPath: expanded) else {
            throw ModelError(field: field, value: path, allowed: "the file cannot be read")
        }
        return data
    }
}
