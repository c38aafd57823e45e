import LimitLaws
import RealModule

/// The regime's parameters: n/(dp) → γ₁, p/d → γ₂, φ = σ′ and the law ν of the output weights.
public struct QuadraticSettings: Sendable, Hashable {
    public var gamma1: Double
    public var gamma2: Double
    public var activation: DerivativeActivation
    public var outputLaw: OutputWeightLaw

    public init(gamma1: Double, gamma2: Double, activation: DerivativeActivation, outputLaw: OutputWeightLaw = .rademacher) {
        self.gamma1 = gamma1
        self.gamma2 = gamma2
        self.activation = activation
        self.outputLaw = outputLaw
    }

    /// Range of γ₁ and γ₂ accepted.
    public static let gammaRange = 1e-3...1e3

    public func validate() throws(ModelError) {
        for (name, g) in [("gamma1", gamma1), ("gamma2", gamma2)] {
            guard g.isFinite, Self.gammaRange.contains(g) else {
                throw ModelError(field: name, value: "\(g)", allowed: "must be a number in [0.001, 1000]")
            }
        }
        guard activation.variance > 1e-12 else {
            throw ModelError(field: "activation", value: activation.name,
                             allowed: "φ = σ′ is constant (Var φ = 0): H = δ₀ and every non-zero eigenvalue is an outlier; choose a non-linear σ")
        }
        guard outputLaw.evenMoment(1) > 0 else {
            throw ModelError(field: "output-law", value: outputLaw.description, allowed: "D must not be 0 almost surely")
        }
    }
}

/// Knobs of the solve.
public struct QuadraticSolveOptions: Sendable, Hashable {
    /// Display grid of the NTK law.
    public var gridPoints: Int = 400
    public var xRange: ClosedRange<Double>? = nil
    /// Accurate CDF and moments (KS against samples) or plot accuracy only.
    public var accurate: Bool = true
    /// Cells over H's continuous support (the discretisation's resolution).
    public var cells: Int = 1024
    /// Equal-weight micro-atoms of the discretised H.
    public var microAtoms: Int = 1 << 16

    public init(gridPoints: Int = 400, xRange: ClosedRange<Double>? = nil, accurate: Bool = true, cells: Int = 1024, microAtoms: Int = 1 << 16) {
        self.gridPoints = gridPoints
        self.xRange = xRange
        self.accurate = accurate
        self.cells = cells
        self.microAtoms = microAtoms
    }
}

/// One self-check of a solve against an invariant computed without solving.
public struct QuadraticCheck: Sendable, Hashable {
    public let name: String
    public let value: Double
    public let expected: Double
    public let tolerance: Double
    public var error: Double { abs(value - expected) }
    public var passed: Bool { error <= tolerance }
    public var summary: String {
        "\(name): \(value) (expected \(expected), tolerance \(tolerance))\(passed ? "" : " FAILED")"
    }
}

/// The NTK law μ_NTK = γ₁⁻¹ (MP(γ₁) ⊠ H) + (1 − γ₁⁻¹) δ₀ (docs/quadratic.md, "Step 1").
///
/// Solved as the N×N law γ₁·(ρ^MP_{1/γ₁} ⊠ H_K) (one `MarcenkoPasturMap` of the discretised H), whose
/// non-zero part is the NTK's scaled by γ₁ in mass: F_NTK(x) = (F_N(x) − (1 − γ₁))/γ₁ for x ≥ 0.
public struct QuadraticNTKLaw: Sendable {
    public let gamma1: Double
    /// The N×N law (N = dp) the solver computed, on its fine grid.
    public let covarianceSide: LimitSpectrum
    /// Atom at 0 of mass (1 − (1 − H{0})/γ₁)₊ (none when that is 0).
    public let atoms: [Atom]
    public var support: [ClosedRange<Double>] { covarianceSide.support }
    /// Exact moments (with the exact H): m₁ = h₁, m₂ = h₁² + γ₁ h₂.
    public let mean: Double
    public let secondMoment: Double
    /// The N×N law's continuous CDF on knots: exact where the solver has a Chebyshev series and at
    /// its exact points; between exact points of intervals where the solver fell back to adaptive
    /// Simpson (its own table is linear between panel ends there, ~1e−4 off in between) shaped by
    /// the integrated density of the fine grid.
    let knotX: [Double]
    let knotF: [Double]
    /// The N×N law's atom at 0.
    let zeroMassN: Double

    init(gamma1: Double, covarianceSide c: LimitSpectrum, mean: Double, secondMoment: Double) {
        self.gamma1 = gamma1
        self.covarianceSide = c
        self.mean = mean
        self.secondMoment = secondMoment
        let atomN = c.atoms.reduce(0) { $0 + $1.mass }
        zeroMassN = atomN
        let zero = (atomN - (1 - gamma1)) / gamma1
        atoms = zero > 1e-12 ? [Atom(location: 0, mass: min(1, zero))] : []
        // Knots: the fine display grid inside the support plus the exact points.
        let anchors = Set(c.exactCDFPoints + c.support.flatMap { [$0.lowerBound, $0.upperBound] })
        var xs = Set(anchors)
        for x in c.x where c.support.contains(where: { $0.contains(x) }) { xs.insert(x) }
        let knots = xs.sorted()
        func densityAt(_ x: Double) -> Double {
            guard c.support.contains(where: { $0.contains(x) }) else { return 0 }
            let grid = c.x, d = c.density
            guard let first = grid.first, let last = grid.last, x >= first, x <= last else { return 0 }
            var lo = 0, hi = grid.count - 1
            while hi - lo > 1 { let m = (lo + hi) / 2; if grid[m] <= x { lo = m } else { hi = m } }
            let t = (x - grid[lo]) / max(grid[hi] - grid[lo], 1e-300)
            let v = d[lo] + t * (d[hi] - d[lo])
            return v.isFinite ? max(0, v) : 0
        }
        let exact = { (x: Double) in c.cdf(x) - atomN }
        var f = [Double](repeating: 0, count: knots.count)
        var i = 0
        while i < knots.count {
            // The next anchor at or after knot i.
            var j = i + 1
            while j < knots.count && !anchors.contains(knots[j]) { j += 1 }
            f[i] = exact(knots[i])
            guard j < knots.count else { break }
            let target = exact(knots[j]) - f[i]
            var cumulative = [Double](repeating: 0, count: j - i + 1)
            for k in (i + 1)...j {
                let h = knots[k] - knots[k - 1]
                let inSupport = c.support.contains { $0.contains(0.5 * (knots[k] + knots[k - 1])) }
                cumulative[k - i] = cumulative[k - i - 1] + (inSupport ? 0.5 * h * (densityAt(knots[k - 1]) + densityAt(knots[k])) : 0)
            }
            let total = cumulative[j - i]
            for k in (i + 1)..<j {
                if c.cdfIsSeries(at: knots[k]) { f[k] = exact(knots[k]); continue }
                let share = total > 0 ? cumulative[k - i] / total : (knots[k] - knots[i]) / (knots[j] - knots[i])
                f[k] = f[i] + target * share
            }
            i = j
        }
        knotX = knots
        knotF = f
    }

    /// The N×N law's CDF (atom at 0 included).
    func covarianceCDF(_ x: Double) -> Double {
        guard x >= 0 else { return 0 }
        guard let first = knotX.first, let last = knotX.last else { return zeroMassN }
        if x <= first { return zeroMassN }
        if x >= last { return zeroMassN + knotF[knotF.count - 1] }
        var lo = 0, hi = knotX.count - 1
        while hi - lo > 1 { let m = (lo + hi) / 2; if knotX[m] <= x { lo = m } else { hi = m } }
        let t = (x - knotX[lo]) / max(knotX[hi] - knotX[lo], 1e-300)
        return zeroMassN + knotF[lo] + t * (knotF[hi] - knotF[lo])
    }

    public func cdf(_ x: Double) -> Double {
        guard x >= 0 else { return 0 }
        return min(1, max(0, (covarianceCDF(x) - (1 - gamma1)) / gamma1))
    }

    /// Density of the continuous part on the fine grid `x`.
    public var x: [Double] { covarianceSide.x }
    public var density: [Double] { covarianceSide.density.map { $0 / gamma1 } }
    public var continuousMass: Double { covarianceSide.continuousMass / gamma1 }
    /// First four raw moments from the solved density and atoms.
    public var numericalMoments: [Double] { covarianceSide.numericalMoments.map { $0 / gamma1 } }

    /// Smallest x with cdf(x) ≥ p.
    public func quantile(_ p: Double) -> Double {
        var lo = 0.0, hi = max(support.last?.upperBound ?? 1, 1e-12)
        if cdf(lo) >= p { return lo }
        for _ in 0..<100 { let m = (lo + hi) / 2; if cdf(m) >= p { hi = m } else { lo = m } }
        return hi
    }

    public var maxDensity: Double { density.reduce(0) { $1.isFinite ? max($0, $1) : $0 } }

    /// Density on any grid (linear between the fine grid's points).
    public func density(on grid: [Double]) -> [Double] {
        let xs = x, ds = density
        return grid.map { g in
            guard support.contains(where: { $0.contains(g) }), let first = xs.first, let last = xs.last, g >= first, g <= last else { return 0 }
            var lo = 0, hi = xs.count - 1
            while hi - lo > 1 { let m = (lo + hi) / 2; if xs[m] <= g { lo = m } else { hi = m } }
            let t = (g - xs[lo]) / max(xs[hi] - xs[lo], 1e-300)
            return ds[lo] + t * (ds[hi] - ds[lo])
        }
    }
}

/// Everything one solve produces: H, the Marcenko–Pastur factor, the NTK law, the discretisation
/// bound and the self-checks.
public struct QuadraticSpectra: Sendable {
    public let settings: QuadraticSettings
    public let population: PopulationLaw
    public let discretisation: DiscretisedPopulation
    public let ntk: QuadraticNTKLaw
    /// Proven bound on W∞(NTK law solved, exact NTK law): W∞(H, H_K)·(1 + √γ₁)² (Weyl, with
    /// ‖G Gᵀ/N‖ → (1 + √γ₁)²).
    public let ntkWInfinity: Double
    /// Proven bound on KS(NTK law solved, exact NTK law): min over δ of ω(δ(1 + √γ₁)²) + η(δ)/γ₁,
    /// where η(δ) is the mass of H the discretisation moves farther than δ (a rank-ηN change of the
    /// population covariance moves the NTK's eigenvalue counting function by ηN/n = η/γ₁) and
    /// ω(W) = sup_x F(x + W) − F(x) the solved law's modulus of continuity (continuous part; the
    /// atom at 0 stays where it is).
    public let ntkKSBound: Double
    /// Invariants checked on this solve.
    public let checks: [QuadraticCheck]
    /// H, MP(γ₁) and the NTK law as LimitSpectrum values for the plots.
    public let populationSpectrum: LimitSpectrum
    public let marcenkoPasturSpectrum: LimitSpectrum
    public let ntkSpectrum: LimitSpectrum

    public var failedChecks: [QuadraticCheck] { checks.filter { !$0.passed } }
    public var failed: Bool { !failedChecks.isEmpty || ntk.covarianceSide.failures > 0 }

    /// The outliers a sample of input dimension d and width p shows beyond the law: d near
    /// c₀² E[D²] γ₁ p when c₀ ≠ 0, and one more when c₁ ≠ 0.
    public func outlierCount(d: Int) -> Int {
        (settings.activation.c0 != 0 ? d : 0) + (settings.activation.c1 != 0 ? 1 : 0)
    }

    /// Where the d outliers of c₀ sit: c₀² E[D²] γ₁ p.
    public func outlierLocation(p: Int) -> Double {
        let a = settings.activation
        return a.c0 * a.c0 * settings.outputLaw.evenMoment(1) * settings.gamma1 * Double(p)
    }
}

/// Solves the quadratic-scaling limit laws.
public enum QuadraticScalingSolver {
    /// Points of the solver's own grid (density from its fits, no extra point solves).
    static let fineGrid = 8193

    /// H = μ_{ν,φ} (exact atoms, continuous part on cells).
    public static func population(_ s: QuadraticSettings, cells: Int = 1024) throws(ModelError) -> PopulationLaw {
        try s.validate()
        let act = s.activation
        if let d2 = s.outputLaw.constantSquare {
            return PopulationLaw.constantMagnitude(deltaSquared: d2, a2: act.a2, c1Squared: act.c1Squared, gamma2: s.gamma2, cells: cells)
        }
        return try PopulationLaw.general(law: s.outputLaw, a2: act.a2, c1Squared: act.c1Squared, gamma2: s.gamma2, cells: cells)
    }

    public static func solve(_ s: QuadraticSettings, options: QuadraticSolveOptions = .init()) throws(ModelError) -> QuadraticSpectra {
        let h = try population(s, cells: options.cells)
        let disc = h.discretised(microAtoms: options.microAtoms)
        let g1 = s.gamma1
        // The solver's grid is fine (its density shapes the CDF between exact points); the display
        // grid is resampled from it.
        let solveOptions = SolveOptions(gridPoints: Self.fineGrid, xRange: nil, kernels: nil,
                                        combination: nil, accurateCDF: options.accurate)
        let covariance = MarcenkoPasturMap.solve(ratio: 1 / g1, base: disc.values, scale: g1, options: solveOptions)
        let m1 = h.mean, m2 = h.mean * h.mean + g1 * h.secondMoment
        let ntk = QuadraticNTKLaw(gamma1: g1, covarianceSide: covariance, mean: m1, secondMoment: m2)
        let spread = (1 + g1.squareRoot()) * (1 + g1.squareRoot())
        let wNTK = disc.wInfinity * spread
        let table = cdfTable(of: ntk)
        let ksBound = disc.tradeOff(massCost: 1 / g1) { modulusOfContinuity(table, width: $0 * spread) }.value

        // Checks. (1) H is a probability law (quadrature of its continuous part).
        var checks = [QuadraticCheck]()
        checks.append(QuadraticCheck(name: "H mass", value: disc.totalMass, expected: 1, tolerance: 1e-6))
        // (2) The discretisation moves moments by no more than W∞ allows:
        // |E X − E Y| ≤ w, |E X² − E Y²| ≤ w·(2 max|x| + w).
        let w = disc.wInfinity
        let top = max(abs(h.range.upperBound), abs(h.range.lowerBound))
        let rel = 1e-7
        checks.append(QuadraticCheck(name: "H mean (discretised vs exact v·E D²)", value: disc.mean, expected: h.mean,
                                     tolerance: w + rel * abs(h.mean) + 1e-12))
        checks.append(QuadraticCheck(name: "H second moment (discretised vs exact)", value: disc.secondMoment,
                                     expected: h.secondMoment, tolerance: w * (2 * top + w) + rel * h.secondMoment + 1e-12))
        // (3) The solved NTK law: mass, and its moments against the closed forms with the exact H,
        // allowing the solver's accuracy plus what the discretisation can move.
        let solverTolerance = options.accurate ? 1e-6 : 1e-3
        checks.append(QuadraticCheck(name: "NTK mass", value: covariance.heldMass, expected: 1, tolerance: solverTolerance))
        // (3′) The solver's own check of the N×N law against the discretised problem's exact mass,
        // mean and variance (free moment recursion).
        if let c = covariance.check {
            checks.append(QuadraticCheck(name: "solver self-check of the N×N law (\(c.failureDescription))",
                                         value: max(c.massError, c.meanError, c.varianceError), expected: 0, tolerance: c.tolerance))
        }
        let moments = ntk.numericalMoments
        let dm1 = w
        let dh2 = w * (2 * top + w)
        let dm2 = dm1 * (2 * abs(h.mean) + dm1) + g1 * dh2
        checks.append(QuadraticCheck(name: "NTK mean (solved vs exact h₁)", value: moments[0], expected: m1,
                                     tolerance: dm1 + solverTolerance * abs(m1)))
        checks.append(QuadraticCheck(name: "NTK second moment (solved vs exact h₁² + γ₁h₂)", value: moments[1], expected: m2,
                                     tolerance: dm2 + solverTolerance * abs(m2)))

        let hSpectrum = displaySpectrum(of: h, gridPoints: options.gridPoints)
        let mp = marcenkoPasturSpectrum(gamma1: g1, gridPoints: options.gridPoints)
        let ntkSpectrum = displaySpectrum(of: ntk, table: table, statistics: covariance.statistics,
                                          gridPoints: options.gridPoints, xRange: options.xRange)
        return QuadraticSpectra(settings: s, population: h, discretisation: disc, ntk: ntk, ntkWInfinity: wNTK,
                                ntkKSBound: ksBound, checks: checks, populationSpectrum: hSpectrum,
                                marcenkoPasturSpectrum: mp, ntkSpectrum: ntkSpectrum)
    }

    // MARK: display values

    static func uniformGrid(_ r: ClosedRange<Double>, _ n: Int) -> [Double] {
        UniformGrid.points(r, count: n)
    }

    static func padded(_ r: ClosedRange<Double>) -> ClosedRange<Double> {
        let w = max(r.upperBound - r.lowerBound, 1e-9)
        return max(0, r.lowerBound - 0.04 * w)...(r.upperBound + 0.04 * w)
    }

    /// H as a LimitSpectrum (kernel `.combination`): density on a grid, atoms, CDF table on the cells.
    static func displaySpectrum(of h: PopulationLaw, gridPoints: Int) -> LimitSpectrum {
        let range = padded(h.range.lowerBound == h.range.upperBound ? (h.range.lowerBound - 0.5)...(h.range.upperBound + 0.5) : h.range)
        let xs = uniformGrid(range, gridPoints)
        let dens = xs.map { h.cellDensity($0) }
        var m = [Double](repeating: 0, count: 4)
        for a in h.atoms { var p = 1.0; for k in 0..<4 { p *= a.location; m[k] += a.mass * p } }
        if h.edges.count >= 2 {
            for i in 0..<(h.edges.count - 1) {
                let mass = h.continuousCDF[i + 1] - h.continuousCDF[i]
                let x = 0.5 * (h.edges[i] + h.edges[i + 1])
                var p = 1.0
                for k in 0..<4 { p *= x; m[k] += mass * p }
            }
        }
        return LimitSpectrum(kernel: .combination, x: xs, density: dens, atoms: h.atoms, support: h.support,
                             mean: h.mean, secondMoment: h.secondMoment, continuousMass: h.continuousMass,
                             numericalMoments: m, statistics: SolverStatistics(), cdfX: h.edges, cdfF: h.continuousCDF)
    }

    /// MP(γ₁), the law of G Gᵀ/N for G ∈ ℝ^{n×N} iid N(0, 1), n/N → γ₁: γ₁·π_{1/γ₁} in closed form.
    public static func marcenkoPasturSpectrum(gamma1 g: Double, gridPoints: Int = 400) -> LimitSpectrum {
        let pi = FreePoisson(rate: 1 / g)
        let lo = g * pi.lower, hi = g * pi.upper
        let xs = uniformGrid(padded(0...hi), gridPoints)
        let dens = xs.map { pi.density($0 / g) / g }
        let table = uniformGrid(lo...hi, 2049)
        let cdf = table.map { pi.continuousCDF($0 / g) }
        let atoms = pi.atom > 0 ? [Atom(location: 0, mass: pi.atom)] : []
        let moments = [1, 1 + g, 1 + 3 * g + g * g, 1 + 6 * g + 6 * g * g + g * g * g]
        return LimitSpectrum(kernel: .combination, x: xs, density: dens, atoms: atoms, support: [lo...hi], mean: 1,
                             secondMoment: 1 + g, continuousMass: pi.continuousMass, numericalMoments: moments,
                             statistics: SolverStatistics(), cdfX: table, cdfF: cdf)
    }

    /// The continuous part's CDF at 4097 points per support interval.
    static func cdfTable(of law: QuadraticNTKLaw) -> (x: [Double], f: [Double]) {
        var tx = [Double](), tf = [Double]()
        let atomMass = law.atoms.reduce(0) { $0 + $1.mass }
        for s in law.support {
            for x in uniformGrid(s, 4097) { tx.append(x); tf.append(law.cdf(x) - atomMass) }
        }
        return (tx, tf)
    }

    /// A bound on sup_x F(x + W) − F(x) from a CDF table: for x in [x_i, x_{i+1}],
    /// F(x + W) − F(x) ≤ F(x_j) − F(x_i) with x_j ≥ x_{i+1} + W.
    static func modulusOfContinuity(_ table: (x: [Double], f: [Double]), width: Double) -> Double {
        let (xs, fs) = table
        guard xs.count >= 2 else { return 0 }
        var best = 0.0
        var j = 0
        for i in 0..<(xs.count - 1) {
            let reach = xs[i + 1] + width
            while j < xs.count - 1 && xs[j] < reach { j += 1 }
            best = max(best, fs[j] - fs[i])
        }
        return min(best, fs[fs.count - 1] - fs[0])
    }

    /// The NTK law as a LimitSpectrum (kernel `.ntk`) with the CDF table of the solved law (for
    /// plots; `QuadraticNTKLaw.cdf` is the exact one).
    static func displaySpectrum(of law: QuadraticNTKLaw, table: (x: [Double], f: [Double]), statistics: SolverStatistics,
                                gridPoints: Int, xRange: ClosedRange<Double>?) -> LimitSpectrum {
        let (tx, tf) = table
        let hull = (law.support.first?.lowerBound ?? 0)...(law.support.last?.upperBound ?? 1)
        let xs = uniformGrid(xRange ?? padded(0...hull.upperBound), gridPoints)
        return LimitSpectrum(kernel: .ntk, x: xs, density: law.density(on: xs), atoms: law.atoms, support: law.support,
                             mean: law.mean, secondMoment: law.secondMoment, continuousMass: law.continuousMass,
                             numericalMoments: law.numericalMoments, statistics: statistics, cdfX: tx, cdfF: tf)
    }
}
