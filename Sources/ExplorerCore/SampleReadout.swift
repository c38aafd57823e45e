import Foundation
import LimitLaws
import NetworkSampling

/// A sampled spectrum read against its limit law, as the explorer shows it: the eigenvalues in the
/// law's atoms counted as masses (not drawn as bars), the rest drawn as the sample's histogram, the
/// KS figure with its scale, and what falls outside a plot's range.
public struct SampleReadout: Sendable {
    /// Every sampled eigenvalue, ascending.
    public var sorted: [Double]
    /// Those not in an atom of the law (the histogram's).
    public var continuous: [Double]
    /// Each visible atom of the law: its mass in the law and the share of sampled eigenvalues in it.
    public var atoms: [(location: Double, lawMass: Double, sampleMass: Double)]

    /// Eigenvalues within `SpectrumStatistics.atomTolerance` (float32: 1e-4 λ_max) of an atom of the
    /// law are that atom's: the exact zeros of a rank-deficient Gram come out as ±1e-6 in float32.
    public init(eigenvalues: [Double], law: DisplaySpectrum) {
        sorted = eigenvalues.sorted()
        let tol = SpectrumStatistics.atomTolerance(sorted, precision: .float32)
        let lawAtoms = law.visibleAtoms
        var inAtom = Array(repeating: 0, count: lawAtoms.count)
        var rest: [Double] = []
        rest.reserveCapacity(sorted.count)
        for v in sorted {
            if let i = lawAtoms.firstIndex(where: { abs(v - $0.location) <= tol }) { inAtom[i] += 1 } else { rest.append(v) }
        }
        continuous = rest
        let n = Double(max(1, sorted.count))
        atoms = zip(lawAtoms, inAtom).map { (location: $0.0.location, lawMass: $0.0.mass, sampleMass: Double($0.1) / n) }
    }

    public var count: Int { sorted.count }

    /// The 95% band of the KS distance between n iid draws and their law (Kolmogorov: ≈ 1.36/√n).
    /// Eigenvalues are not independent; the band is the scale a KS figure is read against.
    public static func ksBand(_ n: Int) -> Double { 1.358 / Double(max(1, n)).squareRoot() }
    public var ksBand: Double { Self.ksBand(count) }

    /// Sampled eigenvalues left and right of `range`.
    public func outside(_ range: ClosedRange<Double>) -> (below: Int, above: Int) {
        let below = sorted.partitioningIndex { $0 >= range.lowerBound }
        let upTo = sorted.partitioningIndex { $0 > range.upperBound }
        return (below, sorted.count - upTo)
    }

    /// The empirical CDF F_n(x) = #{λ ≤ x}/n.
    public func cdf(_ x: Double) -> Double {
        Double(sorted.partitioningIndex { $0 > x }) / Double(max(1, sorted.count))
    }

    /// "atom 0: 67% | 66.8%": the law's mass and the sample's share, for each atom.
    public func atomsText(maxAtoms: Int = 2) -> String {
        atoms.prefix(maxAtoms).map { "atom \(ScreenLayout.atomPlace($0.location)): \(ScreenLayout.percent($0.lawMass)) law | \(ScreenLayout.percent($0.sampleMass)) sample" }
            .joined(separator: " · ")
    }
}

extension Array where Element == Double {
    /// The first index whose element satisfies `predicate` (the array partitioned: false…, true…).
    func partitioningIndex(where predicate: (Double) -> Bool) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if predicate(self[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
