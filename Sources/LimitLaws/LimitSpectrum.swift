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
    /// Newton steps taken from the dense Jacobian's LU because the structured O(J) step had a
    /// vanishing pivot or its line search failed (docs/math.md, *The structured Newton step*).
    public var denseNewtonSteps: Int = 0
    /// Whether this law was reused unchanged from the previous solve.
    public var reused: Bool = false

    public init() {}
}

/// A simplification made before solving, with its proven effect.
public struct LawApproximation: Sendable, Hashable {
    /// Layers ℓ whose term c_ℓ X_ℓᵀX_ℓ was replaced by its mean c_ℓ φ(X_ℓᵀX_ℓ) Id (0 = the input Gram).
    public let replacedLayers: [Int]
    /// Layers ℓ whose link b² (within rounding scale of 1 or 0) was set to exactly 1 or 0
    /// (for a CK law only: μ_ℓ = MP(γ_ℓ) ⊠ ((1 − b²) + b² μ_{ℓ−1}) with b² = 1 or 0).
    public let snappedLayers: [Int]
    /// Bound on how far any eigenvalue moved (Weyl's inequality): every quantile of the solved law
    /// lies within this distance of the exact law's (Wasserstein-∞). Absolute, in units of x.
    public let displacement: Double
    /// The exact law's atoms (location, mass), when the approximation changed them: nil when the
    /// solved law's atoms are the exact law's. An atom of the approximation can gather continuous
    /// mass of the exact law lying within `displacement` of it (a term replaced by its mean, or a
    /// link whose 1 − b² is at rounding scale, collapses a cluster that narrow into the atom); the
    /// exact atoms come from the rank formula on the unsimplified chain (docs/math.md, "Atoms").
    public let exactAtoms: [Atom]?

    public init(replacedLayers: [Int], snappedLayers: [Int] = [], displacement: Double, exactAtoms: [Atom]? = nil) {
        self.replacedLayers = replacedLayers
        self.snappedLayers = snappedLayers
        self.displacement = displacement
        self.exactAtoms = exactAtoms
    }
}

/// The solver's check of a solved law against invariants computed without solving: total mass 1,
/// and the exact mean and variance of the free moment recursion (docs/math.md, "Self-checks").
/// A law whose check fails is shown with a warning everywhere it is printed or drawn.
public struct SolverCheck: Sendable, Hashable {
    /// Exact mean and variance of the law that was solved (after any `LawApproximation`; the mean
    /// is the same as the exact law's).
    public let exactMean: Double
    public let exactVariance: Double
    /// Atoms plus the integrated density.
    public let mass: Double
    /// Solved mean − exact mean, computed without the shift c_{−1} (no cancellation).
    public let meanDifference: Double
    /// Variance of the solved law (atoms plus density).
    public let variance: Double
    /// Largest error accepted: on the mass (absolute), the mean (in units of the exact standard
    /// deviation) and the variance (relative). 10⁻⁶ for accurate solves, 10⁻³ for the explorer's
    /// display-only first pass.
    public let tolerance: Double

    public init(exactMean: Double, exactVariance: Double, mass: Double, meanDifference: Double, variance: Double, tolerance: Double) {
        self.exactMean = exactMean
        self.exactVariance = exactVariance
        self.mass = mass
        self.meanDifference = meanDifference
        self.variance = variance
        self.tolerance = tolerance
    }

    /// Mean of the solved law (atoms plus density).
    public var mean: Double { exactMean + meanDifference }
    public var massError: Double { abs(mass - 1) }
    /// |solved − exact mean| / exact standard deviation (relative to |mean| for a point mass).
    public var meanError: Double {
        let scale = exactVariance > 0 ? exactVariance.squareRoot() : max(abs(exactMean), 1e-300)
        return abs(meanDifference) / scale
    }
    /// |solved − exact variance| / exact variance (absolute, relative to mean², for a point mass).
    public var varianceError: Double {
        let scale = exactVariance > 0 ? exactVariance : max(exactMean * exactMean, 1e-300)
        return abs(variance - exactVariance) / scale
    }
    /// The largest of the three errors (infinite when one is NaN).
    public var largestError: Double {
        let errors = [massError, meanError, varianceError]
        return errors.contains { $0.isNaN } ? .infinity : errors.max() ?? .infinity
    }
    public var passed: Bool {
        massError <= tolerance && meanError <= tolerance && varianceError <= tolerance
    }
    /// What disagrees, for warnings: e.g. "mass 0.9412 (should be 1); variance 367.4 (exact 447.2)".
    public var failureDescription: String {
        var parts = [String]()
        func g(_ v: Double) -> String { "\(v)" }
        if !(massError <= tolerance) { parts.append("mass \(g(mass)) (should be 1)") }
        if !(meanError <= tolerance) { parts.append("mean \(g(mean)) (exact \(g(exactMean)))") }
        if !(varianceError <= tolerance) { parts.append("variance \(g(variance)) (exact \(g(exactVariance)))") }
        return parts.isEmpty ? "passed" : parts.joined(separator: "; ")
    }
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
    public internal(set) var secondMoment: Double
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
    /// Exact variance (free moment recursion, computed without the shift); nil for laws built
    /// from tables, whose variance is `secondMoment − mean²`.
    public internal(set) var exactVariance: Double? = nil
    /// The solver's self-check (nil for laws that were not solved, e.g. purely atomic input laws).
    public internal(set) var check: SolverCheck? = nil
    /// A simplification made before solving and its proven bound (nil: the law is solved as stated).
    public internal(set) var approximation: LawApproximation? = nil
    /// First four moments of the solved law (atoms and density) about its exact mean.
    var centralMoments: [Double]? = nil

    public var failures: Int { statistics.failures }
    public var variance: Double { exactVariance ?? (secondMoment - mean * mean) }
    /// Whether the solver's self-check failed (mass, mean or variance off the exact values).
    public var checkFailed: Bool { check.map { !$0.passed } ?? false }
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

/// A sentence about a law that must be shown wherever the law's numbers are shown.
public struct LawNotice: Sendable, Hashable {
    public enum Severity: Sendable, Hashable {
        /// The law is not trustworthy (a failed self-check, failed points).
        case warning
        /// An approximation with its proven bound.
        case note
    }
    public let severity: Severity
    public let text: String
}

extension LimitSpectrum {
    /// Everything a reader of this law's numbers must be told: failed self-checks, failed
    /// points, approximations and their bounds. Empty for a law solved as stated that passed.
    public var notices: [LawNotice] {
        var result = [LawNotice]()
        if let c = check, !c.passed {
            result.append(LawNotice(severity: .warning, text: "solver self-check failed: \(c.failureDescription); do not trust this law"))
        }
        if failures > 0 {
            result.append(LawNotice(severity: .warning, text: "the solver failed at \(failures) points (density NaN there, counted as 0 in integrals)"))
        }
        return result + approximationNotices + hardEdgeNotices
    }

    /// Next to a hard edge (`HardEdgeZone`): the mass below the last point solved, whose density is
    /// the power law that carries it (a note where it exceeds 10⁻⁶), and a warning where the zone's
    /// samples and its exact mass disagree by more than 10⁻⁵.
    public var hardEdgeNotices: [LawNotice] {
        var result = [LawNotice]()
        for (k, fit) in fits.enumerated() where k < support.count {
            guard case .samples(let table) = fit else { continue }
            for zone in table.zones {
                let interval = support[k]
                let edge = zone.side == 0 ? interval.lowerBound : interval.upperBound
                let sine = Double.sin(Double.exp(zone.logS[0]) / 2)
                let reach = (interval.upperBound - interval.lowerBound) * sine * sine
                if zone.tailMass > 1e-6 {
                    result.append(LawNotice(severity: .note, text: "a mass of \(zone.tailMass) lies within \(reach) of the hard edge at \(edge), nearer than the solver reaches: there the density is the power law |x − edge|^\(((zone.tailExponent - 1) / 2 * 1e4).rounded() / 1e4) that carries it, and the CDF is exact at \(reach) from the edge"))
                }
                if zone.massMismatch > 1e-5 {
                    result.append(LawNotice(severity: .warning, text: "next to the hard edge at \(edge) the density's samples and the exact mass differ by \(zone.massMismatch): the CDF there is uncertain by that much"))
                }
            }
        }
        return result
    }

    /// The approximation's note (which layers, and the bound on how far any eigenvalue moved) and,
    /// when it changed the atoms, a warning naming the exact law's atoms. Empty without one.
    public var approximationNotices: [LawNotice] {
        guard let a = approximation else { return [] }
        var result = [LawNotice]()
        var what = [String]()
        if !a.replacedLayers.isEmpty {
            what.append("the terms of layers \(a.replacedLayers.map(String.init).joined(separator: ",")) replaced by their means")
        }
        if !a.snappedLayers.isEmpty {
            what.append("b² of layers \(a.snappedLayers.map(String.init).joined(separator: ",")) rounded to exactly 1 or 0")
        }
        result.append(LawNotice(severity: .note, text: "\(what.joined(separator: "; ")): every eigenvalue within \(a.displacement) of the exact law's"))
        if let exact = a.exactAtoms {
            let shown = atoms.map { "\($0.mass) at \($0.location)" }.joined(separator: ", ")
            let truth = exact.isEmpty ? "none" : exact.map { "\($0.mass) at \($0.location)" }.joined(separator: ", ")
            result.append(LawNotice(severity: .warning, text: "the atoms shown (\(shown.isEmpty ? "none" : shown)) are the approximation's: the exact law's atoms are \(truth); the rest of each shown atom's mass is continuous in the exact law, within \(a.displacement) of it"))
        }
        return result
    }
}

extension LimitSpectrum {
    /// Raw moments E x^k (k = 1…4) from moments about c.
    static func rawMoments(central: [Double], about c: Double) -> [Double] {
        // E x^k = Σ_i C(k, i) c^{k−i} E (x − c)^i, with E (x − c)^0 = 1.
        let mu = [1.0] + central
        return (1...central.count).map { k in
            var total = 0.0, binomial = 1.0
            for i in 0...k {
                total += binomial * Double.pow(c, k - i) * mu[i]
                binomial = binomial * Double(k - i) / Double(i + 1)
            }
            return total
        }
    }

    /// A copy with replaced statistics and everything else kept.
    func withStatistics(_ s: SolverStatistics) -> LimitSpectrum {
        var copy = LimitSpectrum(kernel: kernel, x: x, density: density, atoms: atoms, support: support, mean: mean,
                                 secondMoment: secondMoment, continuousMass: continuousMass, numericalMoments: numericalMoments,
                                 statistics: s, cdfX: cdfX, cdfF: cdfF)
        copy.series = series
        copy.fits = fits
        copy.exactVariance = exactVariance
        copy.check = check
        copy.approximation = approximation
        copy.centralMoments = centralMoments
        return copy
    }

    /// The same law moved by `offset` along x (a law solved without its shift c_{−1}, put back in
    /// place). Means move; variances, masses and the check's errors do not.
    func translated(by offset: Double) -> LimitSpectrum {
        guard offset != 0 else { return self }
        let move = { (r: ClosedRange<Double>) in (r.lowerBound + offset)...(r.upperBound + offset) }
        let mean = self.mean + offset
        let variance = self.variance
        let raw = centralMoments.map { LimitSpectrum.rawMoments(central: $0, about: mean) } ?? numericalMoments
        var copy = LimitSpectrum(kernel: kernel, x: x.map { $0 + offset }, density: density,
                                 atoms: atoms.map { Atom(location: $0.location + offset, mass: $0.mass) },
                                 support: support.map(move), mean: mean, secondMoment: variance + mean * mean,
                                 continuousMass: continuousMass, numericalMoments: raw, statistics: statistics,
                                 cdfX: cdfX.map { $0 + offset }, cdfF: cdfF)
        copy.series = series.map { $0.translated(by: offset) }
        copy.fits = fits.map { $0.translated(by: offset) }
        copy.exactVariance = exactVariance
        copy.centralMoments = centralMoments
        copy.approximation = approximation
        copy.check = check.map {
            SolverCheck(exactMean: $0.exactMean + offset, exactVariance: $0.exactVariance, mass: $0.mass,
                        meanDifference: $0.meanDifference, variance: $0.variance, tolerance: $0.tolerance)
        }
        return copy
    }
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
