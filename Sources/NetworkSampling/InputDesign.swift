import Foundation

/// Seeded input designs in double precision, one stream per sample, shared by the sampler and the
/// trainer so that both see exactly the same X₀ (the float32 paths round these same numbers).
public enum InputDesign {
    /// How one input column is drawn.
    public enum Kind: String, Sendable, CaseIterable {
        /// iid N(0, 1/d₀) entries (`InputSpec.gaussian`).
        case gaussian
        /// Uniform on the unit sphere S^{d₀−1}: a N(0, I) column divided by its norm (`InputSpec.sphere`).
        case sphere
    }

    /// Samples `first ..< first + count` of the design, as a data matrix (`count` × `d0`, one sample per
    /// row, i.e. the column-major d₀ × count layout of X₀). Sample α draws from the stream
    /// `(seed, purpose, α)`: `.inputColumn` for training inputs, `.testInputColumn` for held-out ones.
    public static func columns(_ kind: Kind, seed: UInt64, purpose: RandomPurpose = .inputColumn,
                               first: Int = 0, count: Int, d0: Int, threads: Int = 1) -> DataMatrix {
        var values = [Double](repeating: 0, count: count * d0)
        values.withUnsafeMutableBufferPointer { vp in
            let base = vp.baseAddress!
            parallelChunks(count, threads: count * d0 >= 1 << 16 ? threads : 1) { cols in
                for a in cols {
                    fillColumn(kind, seed: seed, purpose: purpose, index: first + a,
                               into: UnsafeMutableBufferPointer(start: base + a * d0, count: d0))
                }
            }
        }
        return DataMatrix(samples: count, features: d0, values: values)
    }

    /// Fills one column (d₀ = `column.count`) of the design from the stream `(seed, purpose, index)`.
    public static func fillColumn(_ kind: Kind, seed: UInt64, purpose: RandomPurpose, index: Int,
                                  into column: UnsafeMutableBufferPointer<Double>) {
        var g = RandomStreams.generator(seed: seed, purpose: purpose, index: UInt64(index))
        let d0 = column.count
        switch kind {
        case .gaussian:
            g.fillNormal(column, scale: 1 / Double(d0).squareRoot())
        case .sphere:
            g.fillNormal(column, scale: 1)
            var s = 0.0
            for v in column { s += v * v }
            // A N(0, I) vector is 0 with probability 0; the guard only keeps d₀ = 1 draws of exactly 0 finite.
            let inv = s > 0 ? 1 / s.squareRoot() : 0
            for k in 0..<d0 { column[k] *= inv }
        }
    }

    /// A unit vector direction times `radius`, from the stream `(seed, purpose, index)` (the teacher's v).
    public static func direction(seed: UInt64, purpose: RandomPurpose, index: Int = 0, dimension: Int, radius: Double) -> [Double] {
        var v = [Double](repeating: 0, count: dimension)
        v.withUnsafeMutableBufferPointer { fillColumn(.sphere, seed: seed, purpose: purpose, index: index, into: $0) }
        return v.map { $0 * radius }
    }
}
