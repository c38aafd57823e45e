/// One Marcenko–Pastur map of a discrete law, solved by the same machinery as the network laws
/// (support scan, edge bisection, Chebyshev series per support interval, CDF, atoms).
///
/// The law is that of `scale` · Φ^{1/2} XᵀX Φ^{1/2} where Φ is N×N with the equal-weight empirical
/// law of `base` (repeated values give weighted atoms) and X is M×N with iid N(0, 1/M) entries,
/// N/M → `ratio`: `scale` · (ρ^MP_ratio ⊠ μ_base) in Fan & Wang's eq. (5)–(6) convention
/// (Stieltjes transform m(z) = ∫ dμ(x)/(x − z)). It is a `CombinationChain` with the discrete base
/// and one link with b² = 1 (Φ_1 = K_0), coefficients (0, scale).
public enum MarcenkoPasturMap {
    /// - Parameters:
    ///   - ratio: N/M > 0.
    ///   - base: the base law's atoms, each of mass 1/base.count (values ≥ 0, at least one > 0).
    ///   - scale: a factor applied to the whole law (> 0).
    /// - Returns: the solved law (kernel `.combination`): density on the display grid, atoms (only
    ///   at 0: a free Marcenko–Pastur map has no other atoms), support, exact CDF and moments.
    public static func solve(ratio: Double, base: [Double], scale: Double = 1, options: SolveOptions = .init()) -> LimitSpectrum {
        precondition(ratio > 0 && ratio.isFinite && scale > 0 && !base.isEmpty)
        let chain = CombinationChain(links: [ChainLink(gamma: ratio, b2: 1)], base: .discrete(DiscreteLaw(eigenvalues: base)),
                                     coefficients: [0, scale], shift: 0)
        let request = LawRequest(gridPoints: options.gridPoints, xRange: options.xRange, accurateCDF: options.accurateCDF)
        var solver = LawSolver(kernel: .combination, chain: chain, request: request)
        return solver.run(previous: nil).spectrum
    }
}

extension ActivationShape {
    /// Points where the activation's derivative is discontinuous (kinks of σ), for quadrature.
    public var kinks: [Double] { breakpoints }
}

extension GaussianQuadrature {
    /// Nodes and weights of the `count`-point Gauss–Legendre rule on [−1, 1].
    public static func legendreRule(count: Int) -> (nodes: [Double], weights: [Double]) {
        count == 20 ? legendre : gaussLegendre(count: count)
    }
}

/// A density on one interval [a, b] as a Chebyshev (cosine) series in θ, x = a + (b − a)(1 − cos θ)/2:
/// the representation the law solver uses for each support interval (`SupportSeries`), for other
/// modules' laws. Converges geometrically for square-root edges.
public struct ChebyshevDensity: Sendable, Hashable {
    let series: SupportSeries

    /// `weighted[k]` = ρ(x(θ_k)) · (b − a)/2 · sin θ_k at θ_k = kπ/N, k = 0…N (N ≥ 1).
    public init(interval: ClosedRange<Double>, weighted: [Double]) {
        series = SupportSeries(interval: interval, values: weighted, stretch: 0)
    }

    public var interval: ClosedRange<Double> { series.interval }
    /// ∫_a^b ρ.
    public var mass: Double { series.mass }
    /// ρ(x) (0 outside).
    public func density(at x: Double) -> Double { series.density(at: x) }
    /// ∫_a^x ρ.
    public func integral(upTo x: Double) -> Double { series.integral(upTo: x) }
    /// Largest coefficient of the last quarter relative to the largest (convergence).
    public var tailRatio: Double { series.tailRatio }
}

extension LimitSpectrum {
    /// Abscissae where the continuous part's CDF is known exactly (support ends, and the adaptive
    /// Simpson panel ends of intervals whose Chebyshev series did not converge); between them
    /// `cdf` interpolates linearly unless the interval has a series.
    public var exactCDFPoints: [Double] { cdfX }
}

extension LimitSpectrum {
    /// Whether the CDF at x comes from a converged Chebyshev series (exact between any points).
    public func cdfIsSeries(at x: Double) -> Bool { series.contains { $0.interval.contains(x) } }
}
