/// A discrete probability law on [0, ∞): distinct points with weights. The input law μ_0 read
/// from a file of eigenvalues of X^T X is one (each eigenvalue of n has weight 1/n; equal
/// eigenvalues are one point whose weight is their multiplicity over n).
///
/// The solver's cost per point is proportional to the number of distinct points (every
/// evaluation of the chain sums over them), so a spectrum of 10⁶ distinct eigenvalues is
/// compressed (`compressed`) to about 10⁴ weighted points with a stated error.
public struct DiscreteLaw: Sendable, Hashable {
    /// Distinct points, increasing.
    public let values: [Double]
    /// Their weights, each > 0, summing to 1.
    public let weights: [Double]
    /// Number of eigenvalues this law describes (before merging equal ones).
    public let count: Int
    /// Set when nearby distinct points were merged (`compressed`): what was changed.
    public let compression: Compression?
    /// The first value that is not a finite number ≥ 0, if any (`NetworkModel.validate` rejects it).
    public let invalidValue: Double?

    /// What `compressed` did. Each eigenvalue λ of the source law was moved to the weighted mean λ̄
    /// of its group, with λ̄/λ within 1 ± `relativeWidth`; every group holds at most `groupMass`
    /// of the mass, and exact ties (points that were equal already) are never merged with others.
    public struct Compression: Sendable, Hashable {
        /// Distinct points of the source law.
        public let sourcePoints: Int
        /// Largest (last − first)/first over merged groups: every eigenvalue moved by at most this
        /// factor of its value.
        public let relativeWidth: Double
        /// Largest mass of a merged group.
        public let groupMass: Double
        /// Second moment of the source law (the compressed law keeps its mean exactly and loses the
        /// spread within groups, at most relativeWidth² of this).
        public let sourceSecondMoment: Double
    }

    /// Equal weights 1/n on the given eigenvalues; equal values are merged into one point with
    /// weight multiplicity/n (sorting: O(n log n)).
    public init(eigenvalues: [Double]) {
        count = eigenvalues.count
        compression = nil
        invalidValue = eigenvalues.first { !($0.isFinite && $0 >= 0) }
        guard invalidValue == nil else {
            values = eigenvalues; weights = Array(repeating: 1 / Double(Swift.max(1, eigenvalues.count)), count: eigenvalues.count)
            return
        }
        let sorted = eigenvalues.sorted()
        var v = [Double](), w = [Double]()
        v.reserveCapacity(sorted.count); w.reserveCapacity(sorted.count)
        let unit = 1 / Double(Swift.max(1, sorted.count))
        var i = 0
        while i < sorted.count {
            var j = i + 1
            while j < sorted.count && sorted[j] == sorted[i] { j += 1 }
            v.append(sorted[i]); w.append(Double(j - i) * unit)
            i = j
        }
        values = v; weights = w
    }

    /// Points with weights (e.g. from a session file). Weights are normalised to sum 1; points are
    /// sorted and equal points merged. A weight that is not a finite number > 0, or lengths that
    /// differ, make the law invalid (`invalidValue` is then that weight, or NaN).
    public init(values points: [Double], weights mass: [Double], count: Int? = nil) {
        self.count = count ?? points.count
        compression = nil
        var bad = points.first { !($0.isFinite && $0 >= 0) }
        if bad == nil, let w = mass.first(where: { !($0.isFinite && $0 > 0) }) { bad = w }
        if bad == nil && (points.count != mass.count || points.isEmpty) { bad = .nan }
        invalidValue = bad
        guard bad == nil else { values = points; weights = mass; return }
        let sum = mass.reduce(0, +)
        let total = abs(sum - 1) <= 1e-12 ? 1 : sum   // weights written with 17 digits stay as they are
        let order = points.indices.sorted { points[$0] < points[$1] }
        var v = [Double](), w = [Double]()
        for k in order {
            if let last = v.last, last == points[k] { w[w.count - 1] += mass[k] / total } else { v.append(points[k]); w.append(mass[k] / total) }
        }
        values = v; weights = w
    }

    private init(values: [Double], weights: [Double], count: Int, compression: Compression?) {
        self.values = values; self.weights = weights; self.count = count; self.compression = compression
        invalidValue = nil
    }

    public var isEmpty: Bool { values.isEmpty }
    /// ∫ x dμ.
    public var mean: Double { zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 } }
    /// ∫ x² dμ.
    public var secondMoment: Double { zip(values, weights).reduce(0) { $0 + $1.0 * $1.0 * $1.1 } }
    /// μ((0, ∞)): the rank fraction of X^T X.
    public var positiveMass: Double { zip(values, weights).reduce(0) { $1.0 > 0 ? $0 + $1.1 : $0 } }
    /// The largest point (0 for an empty law).
    public var max: Double { values.last ?? 0 }
    /// The smallest point (0 for an empty law).
    public var min: Double { values.first ?? 0 }

    /// The eigenvalues with their multiplicities (`count` of them) when the weights are multiples of
    /// 1/`count` and `count` ≤ `limit`; nil otherwise (a compressed law, or weights from a file).
    /// Session files write this list, so that a law read from eigenvalues is written back as them.
    public func eigenvalueList(limit: Int = 100_000) -> [Double]? {
        guard compression == nil, invalidValue == nil, count <= limit else { return nil }
        var out = [Double]()
        for (v, w) in zip(values, weights) {
            let k = w * Double(count)
            guard abs(k - k.rounded()) < 1e-6, k.rounded() >= 1 else { return nil }
            out += repeatElement(v, count: Int(k.rounded()))
        }
        return out.count == count ? out : nil
    }

    /// The law at `n` equally spaced probability levels (k + ½)/n, k = 0…n−1: n eigenvalues with
    /// equal weights whose empirical law is within 1/(2n) of this one (Kolmogorov distance).
    public func quantiles(_ n: Int) -> [Double] {
        guard !values.isEmpty, n > 0 else { return [] }
        var out = [Double](), running = 0.0, i = 0
        out.reserveCapacity(n)
        for k in 0..<n {
            let p = (Double(k) + 0.5) / Double(n)
            while i < values.count - 1 && running + weights[i] < p { running += weights[i]; i += 1 }
            out.append(values[i])
        }
        return out
    }

    /// Above `threshold` distinct points, merges neighbouring distinct points into groups whose
    /// points lie within a factor 1 + `maxRelativeWidth` of the group's first and whose mass is at
    /// most `maxGroupMass`; each group becomes one point at its weighted mean (so the mean is exact).
    /// Zero and every point that already carries more than `maxGroupMass` stay alone.
    ///
    /// Effect (docs/math.md, *Input files*): the input law moves by at most `maxGroupMass` in
    /// Kolmogorov distance, and every eigenvalue by a factor within 1 ± `maxRelativeWidth`. Every
    /// CK law depends on μ_0 through a free multiplicative convolution chain whose eigenvalues then
    /// move by the same factor at most, so its CDF F moves by at most F(x(1+ε)) − F(x(1−ε)).
    /// `maxGroupMass` ≤ 10⁻⁴ ≤ 1/γ_max keeps a merged group from becoming an NTK atom (an
    /// eigenvalue's atom survives only when its mass exceeds the rank of the layers above).
    public func compressed(maxRelativeWidth: Double = 1e-3, maxGroupMass: Double = 1e-4, threshold: Int = 20_000) -> DiscreteLaw {
        guard invalidValue == nil, values.count > threshold else { return self }
        var v = [Double](), w = [Double]()
        var width = 0.0, heaviest = 0.0
        var i = 0
        while i < values.count {
            let first = values[i]
            var mass = weights[i], moment = weights[i] * first
            var j = i + 1
            if first > 0 && weights[i] <= maxGroupMass {
                while j < values.count, weights[j] <= maxGroupMass, mass + weights[j] <= maxGroupMass,
                      values[j] <= first * (1 + maxRelativeWidth) {
                    mass += weights[j]; moment += weights[j] * values[j]
                    j += 1
                }
            }
            if j > i + 1 {
                width = Swift.max(width, values[j - 1] / first - 1)
                heaviest = Swift.max(heaviest, mass)
                // the weighted mean lies in [first, last]; clamp against rounding
                v.append(Swift.min(values[j - 1], Swift.max(first, moment / mass)))
            } else {
                v.append(first)
            }
            w.append(mass)
            i = j
        }
        return DiscreteLaw(values: v, weights: w, count: count,
                           compression: Compression(sourcePoints: values.count, relativeWidth: width, groupMass: heaviest,
                                                    sourceSecondMoment: secondMoment))
    }
}
