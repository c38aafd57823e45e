/// Which kernel a law belongs to.
public enum KernelID: Sendable, Hashable, CustomStringConvertible {
    /// The CK of layer ℓ = 0…L (ℓ = 0 is the input Gram X^T X).
    case ck(Int)
    /// The NTK (Theorem 3.7, or Theorem 3.8 with τ weights).
    case ntk
    /// Any combination z_{−1} Id + Σ z_ℓ X_ℓ^T X_ℓ (Theorem 3.7's general form).
    case combination

    public var description: String {
        switch self {
        case .ck(let l): return "CK layer \(l)"
        case .ntk: return "NTK"
        case .combination: return "combination"
        }
    }

    /// Column value used in CSV output: kernel name.
    public var kernelName: String {
        switch self {
        case .ck: return "ck"
        case .ntk: return "ntk"
        case .combination: return "combination"
        }
    }

    /// Column value used in CSV output: layer (L for the NTK).
    public func layerNumber(depth: Int) -> Int {
        switch self {
        case .ck(let l): return l
        case .ntk, .combination: return depth
        }
    }
}

/// A point mass of a limit law.
public struct Atom: Sendable, Hashable {
    public let location: Double
    public let mass: Double
    public init(location: Double, mass: Double) {
        self.location = location
        self.mass = mass
    }
}

/// Solver statistics for one law.
public struct SolverStatistics: Sendable, Hashable {
    /// Points solved (display grid, support scan, edge bisection and quadrature nodes).
    public var points: Int = 0
    /// Newton iterations in total.
    public var iterations: Int = 0
    /// Display-grid points where no physical solution was found (their density is NaN).
    public var failures: Int = 0
    /// Points that needed the continuation fallback.
    public var continuations: Int = 0
    /// Whether this law was reused unchanged from the previous solve.
    public var reused: Bool = false

    public init() {}
}

/// The limit spectral law of one kernel, ready to plot and to compare with samples.
public struct LimitSpectrum: Sendable {
    public let kernel: KernelID
    /// Uniform display grid.
    public let x: [Double]
    /// Density of the absolutely continuous part on `x` (NaN where the solver failed).
    public let density: [Double]
    public let atoms: [Atom]
    /// Support intervals of the continuous part.
    public let support: [ClosedRange<Double>]
    /// Exact first and second moments (free multiplicative convolution).
    public let mean: Double
    public let secondMoment: Double
    /// Mass of the continuous part, integrated numerically (1 − Σ atoms when all is well).
    public let continuousMass: Double
    /// First four raw moments integrated numerically from density and atoms.
    public let numericalMoments: [Double]
    public let statistics: SolverStatistics
    /// The continuous part's CDF at increasing abscissae (piecewise linear in between).
    let cdfX: [Double]
    let cdfF: [Double]
    /// Support intervals whose CDF is a Chebyshev series (exact between the table's points).
    var series: [SupportSeries] = []
    /// Each support interval's density (series or Simpson samples), parallel to `support`: the
    /// density anywhere without solving again (`resolvedGrid`).
    var fits: [LawSolver.IntervalFit] = []

    public var failures: Int { statistics.failures }
    public var variance: Double { secondMoment - mean * mean }
    public var totalAtomMass: Double { atoms.reduce(0) { $0 + $1.mass } }
    /// Mass held by density and atoms together (1 for a probability law).
    public var heldMass: Double { continuousMass + totalAtomMass }
    /// How far density plus atoms is from a probability law: above ~10⁻³ (10⁻⁶ for accurate
    /// solves) a part of the support was not found (or, with too much mass, an edge too close to
    /// an atom was not resolved) and the law should not be trusted.
    public var massDeficit: Double { abs(1 - heldMass) }

    public init(kernel: KernelID, x: [Double], density: [Double], atoms: [Atom], support: [ClosedRange<Double>],
                mean: Double, secondMoment: Double, continuousMass: Double, numericalMoments: [Double],
                statistics: SolverStatistics, cdfX: [Double], cdfF: [Double]) {
        self.kernel = kernel
        self.x = x
        self.density = density
        self.atoms = atoms
        self.support = support
        self.mean = mean
        self.secondMoment = secondMoment
        self.continuousMass = continuousMass
        self.numericalMoments = numericalMoments
        self.statistics = statistics
        self.cdfX = cdfX
        self.cdfF = cdfF
    }

    /// Limit CDF at x: the continuous part (its Chebyshev series, or the integrated table) plus
    /// the atoms ≤ x.
    /// The continuous part is renormalised to 1 − Σ atoms.
    public func cdf(_ x: Double) -> Double {
        var f = atoms.reduce(0) { $1.location <= x ? $0 + $1.mass : $0 }
        guard let first = cdfX.first, let last = cdfX.last, continuousMass > 0 else { return min(1, f) }
        let norm = (1 - totalAtomMass) / continuousMass
        if x >= last {
            f += continuousMass * norm
        } else if let piece = series.first(where: { $0.interval.contains(x) }) {
            f += (piece.start + piece.integral(upTo: x)) * norm
        } else if x > first {
            f += continuousCDF(x) * norm   // ResolvedGrid.swift: the Simpson samples' integral
        }
        return min(1, max(0, f))
    }

    /// Smallest x with cdf(x) ≥ p (bisection on the CDF).
    public func quantile(_ p: Double) -> Double {
        var lo = min(cdfX.first ?? 0, atoms.map(\.location).min() ?? .infinity)
        var hi = max(cdfX.last ?? 1, atoms.map(\.location).max() ?? -.infinity)
        if !lo.isFinite { lo = x.first ?? 0 }
        if !hi.isFinite { hi = x.last ?? 1 }
        if cdf(lo) >= p { return lo }
        for _ in 0..<100 {
            let mid = (lo + hi) / 2
            if cdf(mid) >= p { hi = mid } else { lo = mid }
        }
        return hi
    }

    /// The largest density on the display grid (ignoring failures).
    public var maxDensity: Double { density.reduce(0) { $1.isFinite ? max($0, $1) : $0 } }
}

/// The piecewise-linear interpolant of the table (xs increasing) at x, constant beyond its ends.
func piecewiseLinear(_ xs: [Double], _ fs: [Double], at x: Double) -> Double {
    guard let first = xs.first, let last = xs.last else { return 0 }
    if x <= first { return fs[0] }
    if x >= last { return fs[fs.count - 1] }
    var lo = 0, hi = xs.count - 1
    while hi - lo > 1 {
        let mid = (lo + hi) / 2
        if xs[mid] <= x { lo = mid } else { hi = mid }
    }
    let t = (x - xs[lo]) / max(xs[hi] - xs[lo], 1e-300)
    return fs[lo] + t * (fs[hi] - fs[lo])
}
