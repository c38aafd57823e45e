import Foundation
import InputFiles
import LimitLaws
import NetworkSampling

/// A data file's numbers as a regime's settings keep them (the quadratic mode's inputs X, the training
/// mode's data and labels), compared by value and hashed by shape. Parsing only: the shells read the
/// bytes (the explorer through `ExplorerEffect.readRegimeFile`, the CLI in RegimeViewOptions.swift).
public struct RegimeDataFile: Sendable, Hashable {
    public var matrix: DataMatrix
    /// The file it was read from (as given).
    public var path: String
    public init(_ matrix: DataMatrix, path: String = "") { self.matrix = matrix; self.path = path }
    public func hash(into h: inout Hasher) { h.combine(path); h.combine(matrix.samples); h.combine(matrix.features) }

    /// The numbers of a data file's bytes (`InputFiles.DataFile`: CSV, text or .npy); errors name the file.
    public static func parse(_ data: Data, path: String) throws(ModelError) -> RegimeDataFile {
        let f = try DataFile.parse(data, source: path, isNPY: path.lowercased().hasSuffix(".npy"))
        return RegimeDataFile(DataMatrix(samples: f.samples, features: f.features, values: f.values), path: path)
    }
}
