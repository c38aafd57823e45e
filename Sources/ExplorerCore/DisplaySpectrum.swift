import Foundation
import LimitLaws
import PlotCanvas

/// A point mass of a law, for display.
public struct PointMass: Sendable, Hashable {
    public var location: Double
    public var mass: Double
    public init(location: Double, mass: Double) { self.location = location; self.mass = mass }
}

/// What the layout needs of one limit law. Built from `LimitSpectrum`, or directly in tests
/// (fixed mock spectra keep the golden screens independent of the engine).
public struct DisplaySpectrum: Sendable {
    public var kernel: KernelID
    public var x: [Double]
    public var density: [Double]
    public var atoms: [PointMass]
    public var support: [ClosedRange<Double>]
    public var mean: Double
    public var secondMoment: Double
    /// The variance: the engine's exact one (free moment recursion, computed without the shift, so
    /// not lost to cancellation when the law sits far from 0, e.g. the NTK near r₊ ≈ 10⁵ with
    /// variance 7.8); for laws given as tables, `secondMoment − mean²`. Print this, never
    /// `secondMoment − mean²`.
    public var variance: Double
    public var failures: Int
    /// The density re-solved on zoom windows (ZoomResolve.swift); `curve(in:)` picks what to draw.
    /// Atoms, support and moments above are the full-range solve's and do not change with the zoom.
    public var zoomed: [DensityGrid] = []
    /// The engine's law, when this was built from one: its mass and CDF come from the solver's
    /// quadrature (Chebyshev series), not from the display grid.
    public var law: LimitSpectrum? = nil
    /// Why the solver's self-check of this law failed (its exact mean and variance against the
    /// solved ones), or nil when it passed or none ran. The header names every law that failed
    /// ("✗ solver check failed: CK ℓ=3"), its panel title is marked ✗, and the focus view's facts
    /// start with this text. Set from `LimitSpectrum`'s self-check result where the engine has one.
    public var checkFailure: String? = nil

    public init(kernel: KernelID, x: [Double], density: [Double], atoms: [PointMass] = [],
                support: [ClosedRange<Double>] = [], mean: Double = .nan, secondMoment: Double = .nan,
                variance: Double? = nil, failures: Int = 0) {
        self.kernel = kernel; self.x = x; self.density = density; self.atoms = atoms; self.support = support
        self.mean = mean; self.secondMoment = secondMoment; self.failures = failures
        self.variance = variance ?? (secondMoment - mean * mean)
    }

    public init(_ s: LimitSpectrum) {
        self.init(kernel: s.kernel, x: s.x, density: s.density,
                  atoms: s.atoms.map { PointMass(location: $0.location, mass: $0.mass) },
                  support: s.support, mean: s.mean, secondMoment: s.secondMoment, variance: s.variance, failures: s.failures)
        law = s
        // the solver's self-check (exact against solved mass, mean and variance)
        if s.checkFailed, let check = s.check { checkFailure = check.failureDescription }
    }

    /// Every law of `spectra`, by kernel.
    public static func byKernel(_ spectra: ModelSpectra) -> [KernelID: DisplaySpectrum] {
        Dictionary(spectra.spectra.map { ($0.kernel, DisplaySpectrum($0)) }, uniquingKeysWith: { _, last in last })
    }

    /// The x range to show: the grid's range, extended to include atoms.
    public var fullRange: ClosedRange<Double> {
        var lo = x.first ?? 0, hi = x.last ?? 1
        for a in atoms { lo = min(lo, a.location); hi = max(hi, a.location) }
        if !(hi > lo) { hi = lo + 1 }
        return lo...hi
    }

    /// Mass of the continuous part: the solver's, or the trapezoid rule on the grid.
    public var continuousMass: Double {
        if let law { return law.continuousMass }
        guard x.count >= 2 else { return 0 }
        var m = 0.0
        for i in 1..<x.count {
            let a = density[i - 1].isFinite ? density[i - 1] : 0, b = density[i].isFinite ? density[i] : 0
            m += 0.5 * (a + b) * (x[i] - x[i - 1])
        }
        return m
    }

    /// Atoms worth drawing or listing (mass ≥ 0.05%).
    public var visibleAtoms: [PointMass] { atoms.filter { $0.mass >= 0.0005 } }

    /// Mass (continuous + atoms) in [lo, hi].
    public func mass(in range: ClosedRange<Double>) -> Double {
        if let law { return max(0, law.cdf(range.upperBound) - law.cdf(range.lowerBound.nextDown)) }
        var m = atoms.filter { range.contains($0.location) }.map(\.mass).reduce(0, +)
        guard x.count >= 2 else { return m }
        let cols = DensityPlot.columnAverages(PlotCurve(role: .theory, x: x, y: density), range: range, count: 1)
        m += (cols.first ?? 0) * (range.upperBound - range.lowerBound)
        return m
    }
}

/// The header's view of the model; built from `NetworkModel`, or directly in golden tests.
public struct ModelSummary: Sendable, Hashable {
    public var activation: String
    public var b: Double
    public var a: Double
    public var gammas: [Double]
    /// "Gaussian γ₀ = 3", "orthonormal", "file spectrum.txt (1000 eigenvalues)".
    public var input: String
    public var depth: Int { gammas.count }

    public init(activation: String, b: Double, a: Double, gammas: [Double], input: String) {
        self.activation = activation; self.b = b; self.a = a; self.gammas = gammas; self.input = input
    }

    public init(model: NetworkModel, inputLabel: String? = nil) {
        let input: String
        switch model.input {
        case .marcenkoPastur(let g0): input = "Gaussian γ₀ = \(ModelSummary.format(g0))"
        case .orthonormal: input = "orthonormal (δ₁)"
        case .discrete(let e): input = "file \(inputLabel ?? "?") (\(e.count) eigenvalues)"
        }
        self.init(activation: model.activation.name, b: model.activation.b, a: model.activation.a,
                  gammas: model.gammas, input: input)
    }

    /// Up to 4 significant digits, no trailing zeros: 0.5, 0.625, 3, 1.953.
    public static func format(_ v: Double) -> String {
        guard v.isFinite else { return "nan" }
        var s = String(format: "%.4g", v)
        if s.contains("e") { return s }
        if s.contains(".") { while s.hasSuffix("0") { s.removeLast() }; if s.hasSuffix(".") { s.removeLast() } }
        return s
    }
}

/// Where the last solve stands, for the header.
public struct SolveStatus: Sendable, Hashable {
    public var lastMilliseconds: Double?
    public var warm: Bool
    /// A newer model is being solved; the plots on screen belong to an older one.
    public var pending: Bool
    public var failures: Int
    /// The zoom's re-solve is running: the plots show the full-range grid magnified meanwhile.
    public var zoomPending: Bool
    /// The laws on screen were recalled from the scheduler's recent results, not solved again.
    public var recalled: Bool
    public init(lastMilliseconds: Double? = nil, warm: Bool = false, pending: Bool = false, failures: Int = 0, zoomPending: Bool = false,
                recalled: Bool = false) {
        self.lastMilliseconds = lastMilliseconds; self.warm = warm; self.pending = pending; self.failures = failures
        self.zoomPending = zoomPending; self.recalled = recalled
    }
}

/// Everything drawn that is not `ExplorerState`: solved laws, the empirical overlay, solve status.
public struct FrameContent: Sendable {
    public var summary: ModelSummary
    public var spectra: [KernelID: DisplaySpectrum]
    public var empirical: EmpiricalSnapshot
    public var solve: SolveStatus
    /// What the regimes' computations delivered, by regime (`regimeContent(_:as:)`); the linear-width
    /// regime draws `spectra` and `empirical` above.
    public var regimeFrames: [RegimeID: any Sendable] = [:]
    public init(summary: ModelSummary, spectra: [KernelID: DisplaySpectrum] = [:],
                empirical: EmpiricalSnapshot = EmpiricalSnapshot(), solve: SolveStatus = SolveStatus()) {
        self.summary = summary; self.spectra = spectra; self.empirical = empirical; self.solve = solve
    }
}
