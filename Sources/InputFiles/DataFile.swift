import Foundation
import LimitLaws

/// A data matrix read from a file: one sample per row, one feature per column. Text files are
/// read as a `NumericTable` (CSV, semicolons, tabs or spaces; comments, blank lines, a header);
/// `.npy` files as an `NPYArray` (2-D, or 1-D for one feature). NaN and infinity are refused, naming
/// the line (text) or the row and column (`.npy`) of the first one.
public struct DataFile: Sendable {
    public let samples: Int
    public let features: Int
    /// Row-major, samples × features.
    public let values: [Double]

    /// Reads the file at `path` (`~` expanded); a file that cannot be read is reported for `field`.
    public static func load(path: String, field: String, progress: (@Sendable (Double) -> Void)? = nil) throws(ModelError) -> DataFile {
        let data = try FileBytes.read(path: path, field: field)
        return try parse(data, source: path, isNPY: path.lowercased().hasSuffix(".npy"), progress: progress)
    }

    public static func parse(_ data: Data, source: String, isNPY: Bool = false,
                             progress: (@Sendable (Double) -> Void)? = nil) throws(ModelError) -> DataFile {
        if isNPY || NPYArray.hasMagic(data) {
            let array = try NPYArray.parse(data, source: source)
            let features = array.shape.count == 2 ? array.shape[1] : 1
            if let k = array.values.firstIndex(where: { !$0.isFinite }) {
                throw ModelError(field: "\(source) row \(k / features + 1), column \(k % features + 1)", value: "\(array.values[k])",
                                 allowed: "data values must be finite numbers (the first NaN or infinity in the array; rows and columns count from 1)")
            }
            return DataFile(samples: array.shape[0], features: features, values: array.values)
        }
        let table = try NumericTable.read(data, source: source, columns: .all, progress: progress)
        return DataFile(samples: table.rows, features: table.columns, values: table.values)
    }
}
