import Foundation
import LimitLaws

/// A data matrix read from a file: one sample per row, one feature per column. Text files are
/// read as a `NumericTable` (CSV, semicolons, tabs or spaces; comments, blank lines, a header);
/// `.npy` files as an `NPYArray` (2-D, or 1-D for one feature).
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
            return DataFile(samples: array.shape[0], features: array.shape.count == 2 ? array.shape[1] : 1, values: array.values)
        }
        let table = try NumericTable.read(data, source: source, columns: .all, progress: progress)
        return DataFile(samples: table.rows, features: table.columns, values: table.values)
    }
}
