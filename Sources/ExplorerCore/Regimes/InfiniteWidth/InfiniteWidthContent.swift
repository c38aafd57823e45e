import Foundation
import InfiniteWidth
import LimitLaws
import NetworkSampling
import PlotCanvas

/// What the infinite-width views are computed from: σ, depth and τ (the kernels), γ_ℓ (the
/// linear-width law of the compare view), the mode's settings and the seed of the points.
public struct InfiniteWidthRequest: Sendable, Hashable {
    public var activation: Activation
    public var depth: Int
    public var tau: [Double]?
    public var gammas: [Double]
    public var settings: InfiniteWidthSettings
    public var seed: UInt64

    public init(activation: Activation, depth: Int, tau: [Double]? = nil, gammas: [Double],
                settings: InfiniteWidthSettings, seed: UInt64) {
        self.activation = activation; self.depth = depth; self.tau = tau; self.gammas = gammas
        self.settings = settings; self.seed = seed
    }

    public init(state: ExplorerState) {
        self.init(activation: state.model.activation, depth: state.depth, tau: state.model.tau,
                  gammas: state.model.gammas, settings: state.infinite, seed: state.seed)
    }

    /// "order 2000, depth 32" (for progress and cancellation messages).
    public var workText: String { "series of order \(settings.order), depth \(depth)" }
}

/// One sphere eigenvalue for display: degree k, multiplicity N(d, k) (exact), λ_k, its bound, the
/// share N(d,k)λ_k / K(1) of the trace, how it was computed and whether the bound resolves it.
public struct SphereRow: Sendable, Hashable {
    public var degree: Int
    /// N(d, k) exactly, in decimal digits (it exceeds a Double's 2⁵³ for moderate d and k).
    public var multiplicityText: String
    /// log10 N(d, k) (from the exact integer).
    public var log10Multiplicity: Double
    /// λ_k (0 when it underflows; see `log10Lambda`).
    public var lambda: Double
    public var log10Lambda: Double
    /// Bound on |λ_k − computed|: the series' truncation or the quadrature's error estimate.
    public var bound: Double
    public var share: Double
    /// "series" (Σ_j c_j λ_k(t^j)) or "quadrature" (Funk–Hecke of the exact kernel).
    public var method: SphereEigenvalue.Method
    /// The bound is at most 1% of λ_k (`SphereEigenvalue.isResolved`).
    public var isResolved: Bool

    public init(degree: Int, multiplicityText: String, log10Multiplicity: Double, lambda: Double, log10Lambda: Double? = nil,
                bound: Double, share: Double, method: SphereEigenvalue.Method = .series, isResolved: Bool? = nil) {
        self.degree = degree; self.multiplicityText = multiplicityText; self.log10Multiplicity = log10Multiplicity
        self.lambda = lambda; self.log10Lambda = log10Lambda ?? (lambda > 0 ? log10(lambda) : -.infinity)
        self.bound = bound; self.share = share; self.method = method
        self.isResolved = isResolved ?? (lambda > 0 && bound <= 0.01 * lambda)
    }

    public init(_ e: SphereEigenvalue) {
        self.init(degree: e.degree, multiplicityText: e.multiplicityText, log10Multiplicity: e.log10Multiplicity, lambda: e.lambda,
                  log10Lambda: e.log10Lambda, bound: e.errorBound, share: e.traceShare, method: e.method, isResolved: e.isResolved)
    }

    /// N(d, k) in at most `width` characters: the exact digits when they fit, else "1.53e625" (from
    /// log10 N, so never inf).
    public func multiplicity(width: Int) -> String {
        if multiplicityText.count <= width { return multiplicityText }
        let e = floor(log10Multiplicity)
        let m = pow(10, log10Multiplicity - e)
        let text = String(format: "%.2fe%d", m, Int(e))
        return text.count <= width ? text : "1e\(Int(e.rounded()))"
    }
}

/// The power-law fit of λ_k on the resolved degrees (`SphereSpectrum.decayFit`) and the theory's rate.
public struct SphereDecayFit: Sendable, Hashable {
    /// nil when fewer than 3 degrees of the window are resolved.
    public var slope: Double?
    /// The degrees the fit was asked to use.
    public var window: ClosedRange<Int>
    public var resolved: [Int]
    public var unresolved: [Int]
    /// "k^-20", "faster than any power of k", or nil when not known here.
    public var theory: String?
    public init(slope: Double?, window: ClosedRange<Int>, resolved: [Int] = [], unresolved: [Int] = [], theory: String? = nil) {
        self.slope = slope; self.window = window; self.resolved = resolved; self.unresolved = unresolved; self.theory = theory
    }

    /// The theory's exponent when it is a power ("k^-20" → −20).
    public var theoryExponent: Int? {
        guard let t = theory, t.hasPrefix("k^") else { return nil }
        return Int(t.dropFirst(2))
    }
}

/// One infinite-width kernel: its series coefficients, constant term and sphere spectrum.
public struct InfiniteKernelData: Sendable {
    public var kernel: InfiniteKernel
    /// c_0 … c_N.
    public var coefficients: [Double]
    public var valueAtOne: Double
    /// Σ_{j>N} c_j (bounds the truncation error on |ρ| ≤ 1).
    public var tail: Double
    public var sphere: [SphereRow]
    public var fit: SphereDecayFit?
    public init(kernel: InfiniteKernel, coefficients: [Double], valueAtOne: Double, tail: Double,
                sphere: [SphereRow], fit: SphereDecayFit? = nil) {
        self.kernel = kernel; self.coefficients = coefficients; self.valueAtOne = valueAtOne; self.tail = tail
        self.sphere = sphere; self.fit = fit
    }

    /// Fitted log-log slope of λ_k (nil if there is no fit).
    public var slope: Double? { fit?.slope }
    /// c₀ = K(0): the kernel of orthogonal inputs; on n unit-norm points the Gram holds c₀·11ᵀ, an
    /// eigenvalue of at least n·c₀ (the power-series paper's Theorem 4.1 / Observation 4.2).
    public var constant: Double { coefficients.first ?? 0 }
    /// c₀ / K(1): the constant term's share of the trace of any Gram on unit-norm data.
    public var constantShare: Double { valueAtOne > 0 ? constant / valueAtOne : 0 }
    /// c₁: Θ ⪰ c₁ XᵀX (the bound constant of Theorem 4.3 is K(1)/c₁).
    public var linear: Double { coefficients.count > 1 ? coefficients[1] : 0 }
}

/// The exact kernels on a grid of ρ (the kernel view): K_ℓ, K̇_ℓ and Θ_ℓ of every layer from
/// `KernelRecursion` (closed-form dual kernels or 2-D quadrature, no truncation) and the series'
/// Θ_L with its truncation bound beside them.
public struct KernelCurves: Sendable {
    public var rho: [Double]
    /// ck[ℓ][i] = K_ℓ(ρ_i), ℓ = 0 … L.
    public var ck: [[Double]]
    /// derivative[ℓ][i] = K̇_ℓ(ρ_i), ℓ = 1 … L (index 0 empty).
    public var derivative: [[Double]]
    /// ntk[ℓ][i] = Θ_ℓ(ρ_i), ℓ = 0 … L.
    public var ntk: [[Double]]
    public var seriesNTK: [Double]
    public var seriesBound: [Double]
    /// "closed form" or "2-D quadrature".
    public var method: String
    /// Every kernel at the table's ρ (`tableRho`), exactly, with the series' Θ_L and its bound.
    public var table: [KernelPoint]
    public init(rho: [Double], ck: [[Double]], derivative: [[Double]], ntk: [[Double]], seriesNTK: [Double], seriesBound: [Double],
                method: String, table: [KernelPoint] = []) {
        self.rho = rho; self.ck = ck; self.derivative = derivative; self.ntk = ntk
        self.seriesNTK = seriesNTK; self.seriesBound = seriesBound; self.method = method; self.table = table
    }

    init(_ p: KernelProfile, table: [KernelPoint]) {
        self.init(rho: p.rho, ck: p.ck, derivative: p.derivative, ntk: p.ntk, seriesNTK: p.seriesNTK ?? [],
                  seriesBound: p.seriesBound ?? [], method: p.method.rawValue, table: table)
    }

    /// The ρ of the kernel view's table: orthogonal inputs (ρ = 0: the constant term c₀), and the
    /// approach to ρ = 1 where a kinked σ's series converges slowest.
    public static let tableRho = [-1, -0.5, 0, 0.5, 0.9, 0.99, 0.999, 1]

    /// The largest |series − exact| of Θ_L on the grid and where: the truncation actually made.
    public var largestSeriesError: (rho: Double, error: Double, bound: Double)? {
        guard let last = ntk.last, seriesNTK.count == last.count, !last.isEmpty else { return nil }
        var best = (rho: rho[0], error: -1.0, bound: 0.0)
        for i in last.indices where abs(seriesNTK[i] - last[i]) > best.error {
            best = (rho[i], abs(seriesNTK[i] - last[i]), i < seriesBound.count ? seriesBound[i] : .nan)
        }
        return best
    }
}

/// Every kernel at one ρ: K_ℓ (ℓ = 0 … L), K̇_ℓ (ℓ = 1 … L; index 0 NaN), Θ_ℓ (ℓ = 0 … L), exact; and
/// the series' Θ_L with its truncation bound.
public struct KernelPoint: Sendable, Hashable {
    public var rho: Double
    public var ck: [Double]
    public var derivative: [Double]
    public var ntk: [Double]
    public var seriesNTK: Double
    public var seriesBound: Double
    public init(rho: Double, ck: [Double], derivative: [Double], ntk: [Double], seriesNTK: Double, seriesBound: Double) {
        self.rho = rho; self.ck = ck; self.derivative = derivative; self.ntk = ntk; self.seriesNTK = seriesNTK; self.seriesBound = seriesBound
    }
}

/// The compare view's data: the linear-width NTK law for the same σ, depth and inputs
/// (input law Marcenko–Pastur(n/d) for uniform points, the data's own XᵀX spectrum for a data file,
/// the model's γ_ℓ) and the KS distance to the infinite-width NTK Gram spectrum, also for γ_ℓ
/// scaled down (the γ → 0 check).
public struct InfiniteComparison: Sendable {
    public var law: DisplaySpectrum
    public var ks: Double
    /// (factor applied to every γ_ℓ, KS) for factors 1, 0.1, 0.01.
    public var gammaLimit: [GammaLimitPoint]
    /// "Marcenko–Pastur(γ₀ = n/d)" or "the data's XᵀX spectrum".
    public var inputLaw: String
    /// The solved law itself (for the sample's KS in stage 3; nil in hand-made content).
    var limitLaw: LimitSpectrum?
    public init(law: DisplaySpectrum, ks: Double, gammaLimit: [GammaLimitPoint], inputLaw: String = "Marcenko–Pastur(γ₀ = n/d)") {
        self.law = law; self.ks = ks; self.gammaLimit = gammaLimit; self.inputLaw = inputLaw
    }
}

/// A network of eq. (1) sampled at the model's widths d_ℓ = round(n/γ_ℓ) on the same n points
/// (float32): its exact NTK eigenvalues and their KS distances. `eigenvalues` is nil when the
/// sample was skipped or failed; `note` then says why.
public struct InfiniteSample: Sendable {
    /// d₀ = d, d₁ … d_L.
    public var widths: [Int]
    /// Eigenvalues of the sampled NTK JᵀJ, ascending.
    public var eigenvalues: [Double]?
    /// KS(sample, infinite-width Gram) and KS(sample, linear-width law).
    public var ksVsGram: Double?
    public var ksVsLaw: Double?
    public var note: String?
    public init(widths: [Int], eigenvalues: [Double]? = nil, ksVsGram: Double? = nil, ksVsLaw: Double? = nil, note: String? = nil) {
        self.widths = widths; self.eigenvalues = eigenvalues; self.ksVsGram = ksVsGram; self.ksVsLaw = ksVsLaw; self.note = note
    }
}

public struct GammaLimitPoint: Sendable, Hashable {
    public var factor: Double
    public var ks: Double
    public var lawSecondMoment: Double
    public init(factor: Double, ks: Double, lawSecondMoment: Double) { self.factor = factor; self.ks = ks; self.lawSecondMoment = lawSecondMoment }
}

/// Everything the infinite-width views draw, in stages: the series and sphere spectra, then the
/// exact kernel curves (`profile`), then the Gram spectra and the comparison (`dataset`,
/// `comparison`; `complete`), then the sampled network. nil means "still computing" unless `error` says otherwise.
public struct InfiniteWidthFrame: Sendable {
    public var request: InfiniteWidthRequest
    /// Hermite coefficients μ_0 … μ_{N+1} of σ (as initialised: centred or not, normalised or not).
    public var hermite: [Double]
    public var hermiteNote: String
    /// Σ_{k>N} μ_k² = E σ(ξ)² − Σ_{k≤N} μ_k² (the Hermite energy left above the order).
    public var hermiteTail: Double
    /// K_0 … K_L and Θ_1 … Θ_L.
    public var kernels: [InfiniteKernel: InfiniteKernelData]
    /// Pre-activation variances q_1 … q_{L+1}.
    public var variances: [Double]
    /// False when a re-expansion around Σ(0) ≠ 0 cut σ's Hermite series (every bound is then the whole tail).
    public var lowOrdersExact: Bool
    public var profile: KernelCurves?
    /// The Gram spectra on the dataset: XᵀX, K_L and Θ_L, with λ_min, ranks, sources and Theorem 4.3's constant.
    public var dataset: DatasetSpectra?
    public var comparison: InfiniteComparison?
    /// Stage 4: the sampled network (nil while sampling, or before stage 3).
    public var sample: InfiniteSample?
    public var complete: Bool
    public var error: String?
    /// The series itself (stages 2 and 3 reuse it; nil in hand-made content).
    var series: KernelSeries?

    public init(request: InfiniteWidthRequest, hermite: [Double], hermiteNote: String = "", hermiteTail: Double = 0,
                kernels: [InfiniteKernel: InfiniteKernelData], variances: [Double] = [], lowOrdersExact: Bool = true,
                profile: KernelCurves? = nil, dataset: DatasetSpectra? = nil,
                comparison: InfiniteComparison? = nil, sample: InfiniteSample? = nil, complete: Bool = true, error: String? = nil) {
        self.request = request; self.hermite = hermite; self.hermiteNote = hermiteNote; self.hermiteTail = hermiteTail; self.kernels = kernels
        self.variances = variances; self.lowOrdersExact = lowOrdersExact; self.profile = profile
        self.dataset = dataset; self.comparison = comparison; self.sample = sample; self.complete = complete; self.error = error
    }

    public var depth: Int { request.depth }
    /// Every stage is done (the sample stage is skipped after an error).
    public var finished: Bool { complete && (sample != nil || error != nil || dataset == nil) }
    /// μ₀ = E σ(ξ) with round-off zeros shown as 0 (|μ₀| < 1e-15: a centred σ's mean is 0 exactly).
    public var mu0: Double { let m = hermite.first ?? 0; return abs(m) < 1e-15 ? 0 : m }
    /// The points of the Gram block, for text: "digits.csv" or "200 uniform points on S^399".
    public var inputDescription: String { request.settings.inputDescription }
}

/// The frame and the running computation's progress, as kept in `FrameContent`.
struct InfiniteWidthContent: Sendable {
    var frame: InfiniteWidthFrame?
    var progress: InfiniteWidthProgress?
}

/// How far the computation for `request` is: the stage and its share done.
public struct InfiniteWidthProgress: Sendable, Hashable {
    public var request: InfiniteWidthRequest
    /// "series", "kernels", "Gram spectra", "sampling a network".
    public var stage: String
    /// 0 … 100.
    public var percent: Int
    public init(request: InfiniteWidthRequest, stage: String, percent: Int) { self.request = request; self.stage = stage; self.percent = percent }
}

extension FrameContent {
    /// The infinite-width regime's data; nil until computed.
    public var infinite: InfiniteWidthFrame? {
        get { regimeContent(.infiniteWidth, as: InfiniteWidthContent.self)?.frame }
        set {
            var c = regimeContent(.infiniteWidth, as: InfiniteWidthContent.self) ?? InfiniteWidthContent()
            c.frame = newValue
            regimeFrames[.infiniteWidth] = c
        }
    }

    /// The progress of the infinite-width computation running in the background (nil: none).
    public var infiniteProgress: InfiniteWidthProgress? {
        get { regimeContent(.infiniteWidth, as: InfiniteWidthContent.self)?.progress }
        set {
            var c = regimeContent(.infiniteWidth, as: InfiniteWidthContent.self) ?? InfiniteWidthContent()
            c.progress = newValue
            regimeFrames[.infiniteWidth] = c
        }
    }
}

/// The computations (pure functions of the request; run off the interface thread). Every stage
/// takes a `ComputationControl`: progress 0…1 and a token that stops it (`ComputationCancelled`).
public enum InfiniteWidthCompute {
    /// Largest degree of the sphere spectra.
    public static func maxDegree(order: Int) -> Int { max(2, min(40, order / 2)) }

    /// Points of the kernel view's ρ grid: closed-form dual kernels are cheap, the 2-D quadrature
    /// ones cost about 5 ms per point and layer.
    public static func profilePoints(closedForm: Bool) -> Int { closedForm ? 201 : 41 }

    /// Stage 1: the series (with progress and cancellation), Hermite coefficients, sphere spectra
    /// (quadrature of the exact kernel where it resolves more than the series) and their decay fits.
    public static func series(_ r: InfiniteWidthRequest, control: ComputationControl = .none) throws(ComputationCancelled) -> InfiniteWidthFrame {
        let s = try KernelSeries.compute(activation: r.activation, depth: r.depth, order: r.settings.order, tau: r.tau,
                                         initialisation: r.settings.initialisation, control: control)
        let exact = KernelRecursion(activation: r.activation, depth: r.depth, tau: r.tau, initialisation: r.settings.initialisation)
        var kernels: [InfiniteKernel: InfiniteKernelData] = [:]
        let kmax = maxDegree(order: r.settings.order)
        let window = max(1, kmax / 2)...kmax
        let d = r.settings.dimension
        for k in [InfiniteKernel.ck(0)] + s.kernels {
            if control.token?.isCancelled == true { throw ComputationCancelled() }
            let eig = SphereSpectrum.eigenvalues(s, kernel: k, exact: exact, dimension: d, maxDegree: kmax)
            let fit = SphereSpectrum.decayFit(eig, degrees: window, theory: SphereSpectrum.theoreticalRate(s.kernelActivation, kernel: k, dimension: d))
            kernels[k] = InfiniteKernelData(kernel: k, coefficients: s.coefficients(k), valueAtOne: s.valueAtOne(k), tail: s.tail(k),
                                            sphere: eig.map(SphereRow.init),
                                            fit: SphereDecayFit(slope: fit.slope, window: window, resolved: fit.degrees,
                                                                unresolved: fit.unresolved, theory: fit.theory))
        }
        let h = s.hermite
        // short enough for the σ panel's caption line
        let note = h.method == .closedForm ? "μ_k exact (closed form)" : "μ_k by quadrature, good to k = \(h.trustworthyOrder)"
        let n = r.settings.order
        let above = h.tailMass + (h.mu.count > n + 1 ? h.mu[n + 1] * h.mu[n + 1] : 0)
        var f = InfiniteWidthFrame(request: r, hermite: h.mu, hermiteNote: note, hermiteTail: above, kernels: kernels, variances: s.variances,
                                   lowOrdersExact: s.lowOrdersExact, complete: false)
        f.series = s
        return f
    }

    static func series(of f: InfiniteWidthFrame) -> KernelSeries {
        if let s = f.series { return s }
        let r = f.request
        return KernelSeries(activation: r.activation, depth: r.depth, order: r.settings.order, tau: r.tau,
                            initialisation: r.settings.initialisation)
    }

    /// Stage 2: the exact kernels K_ℓ, K̇_ℓ, Θ_ℓ of every layer on a ρ grid, with the series' Θ_L.
    public static func kernels(_ frame: InfiniteWidthFrame, control: ComputationControl = .none) throws(ComputationCancelled) -> InfiniteWidthFrame {
        var f = frame
        let r = frame.request
        let exact = KernelRecursion(activation: r.activation, depth: r.depth, tau: r.tau, initialisation: r.settings.initialisation)
        let s = series(of: frame)
        let p = try KernelProfile.compute(exact, points: profilePoints(closedForm: exact.method == .closedForm),
                                          series: s, control: control)
        let table = KernelCurves.tableRho.map { rho -> KernelPoint in
            let v = exact.values(at: rho), sv = s.value(.ntk(r.depth), at: rho)
            return KernelPoint(rho: rho, ck: v.ck, derivative: v.derivative, ntk: v.ntk, seriesNTK: sv.value, seriesBound: sv.errorBound)
        }
        f.profile = KernelCurves(p, table: table)
        return f
    }

    /// Stage 3: the dataset Gram spectra and the comparison with the linear-width law.
    public static func complete(_ frame: InfiniteWidthFrame, engine: LimitLawEngine = .init(),
                                control: ComputationControl = .none) throws(ComputationCancelled) -> InfiniteWidthFrame {
        var f = frame
        f.complete = true
        let r = frame.request
        let s = series(of: frame)
        let exact = KernelRecursion(activation: r.activation, depth: r.depth, tau: r.tau, initialisation: r.settings.initialisation)
        do {
            let points = try datasetPoints(r)
            f.dataset = try DatasetSpectra.compute(s, points: points, exact: exact,
                                                   control: ComputationControl(token: control.token) { control.report(0.8 * $0) })
        } catch is ComputationCancelled {
            throw ComputationCancelled()
        } catch {
            f.error = "\(error)"
            return f
        }
        guard let gram = f.dataset else { return f }
        let input: InputLaw
        let inputText: String
        if r.settings.data != nil {
            // the data's own input spectrum (round-off zeros set to 0)
            let tol = gram.input.zeroTolerance
            input = .discrete(eigenvalues: gram.input.eigenvalues.map { $0 > tol ? $0 : 0 })
            inputText = "the data's XᵀX spectrum"
        } else {
            let g0 = min(NetworkModel.gammaRange.upperBound, max(NetworkModel.gammaRange.lowerBound, r.settings.gamma0))
            input = .marcenkoPastur(gamma0: g0)
            inputText = "Marcenko–Pastur(γ₀ = n/d)"
        }
        var points: [GammaLimitPoint] = []
        for (i, factor) in [1.0, 0.1, 0.01].enumerated() {
            if control.token?.isCancelled == true { throw ComputationCancelled() }
            control.report(0.8 + 0.2 * Double(i) / 3)
            let gammas = r.gammas.map { min(NetworkModel.gammaRange.upperBound, max(NetworkModel.gammaRange.lowerBound, $0 * factor)) }
            let model = NetworkModel(activation: r.activation, input: input, gammas: gammas, tau: r.tau)
            guard (try? model.validate()) != nil else { continue }
            let laws = engine.solve(model, options: SolveOptions(kernels: [.ntk]))
            guard let law = laws.spectrum(.ntk) else { continue }
            let ks = LinearWidthComparison.ksDistance(gram.ntk.eigenvalues, law)
            points.append(GammaLimitPoint(factor: factor, ks: ks, lawSecondMoment: law.secondMoment))
            if factor == 1 {
                f.comparison = InfiniteComparison(law: DisplaySpectrum(law), ks: ks, gammaLimit: [], inputLaw: inputText)
                f.comparison?.limitLaw = law
            }
        }
        f.comparison?.gammaLimit = points
        control.report(1)
        return f
    }

    /// Budgets of the sampled network (stage 4): Σ_ℓ d_ℓ·n entries of the hidden layers (memory:
    /// float32 activations and σ′ are kept), and the estimated flops (forward and backward products
    /// 4 Σ d_ℓ d_{ℓ−1} n, Grams 2 Σ d_ℓ n²). Beyond either the sample is skipped with a note.
    public static let sampleEntryBudget = 6.0e7
    public static let sampleFlopBudget = 4.0e11

    /// The widths d₀ = d, d_ℓ = round(n/γ_ℓ) of the sampled network, and nil or why it is skipped.
    public static func samplePlan(_ r: InfiniteWidthRequest) -> (widths: [Int], skip: String?) {
        let n = r.settings.points
        let w = [r.settings.dimension] + r.gammas.map { max(1, Int((Double(n) / $0).rounded())) }
        let nd = Double(n)
        let entries = w.dropFirst().reduce(0.0) { $0 + Double($1) * nd }
        var flops = 0.0
        for l in 1..<w.count { flops += 4 * Double(w[l]) * Double(w[l - 1]) * nd + 2 * Double(w[l]) * nd * nd }
        if entries > sampleEntryBudget {
            return (w, "skipped: Σ d_ℓ·n = \(AxisTicks.significant(entries, 2)) > \(AxisTicks.significant(sampleEntryBudget, 2))")
        }
        if flops > sampleFlopBudget {
            return (w, "skipped: ≈\(AxisTicks.significant(flops, 2)) flop > \(AxisTicks.significant(sampleFlopBudget, 2))")
        }
        return (w, nil)
    }

    /// The sampled network's model: the σ of Fan & Wang's eq. (1) (σ_w² = 1, no biases, centred
    /// and normalised σ). nil with why for another initialisation: the sampler has no biases.
    static func sampleUnsupported(_ r: InfiniteWidthRequest) -> String? {
        r.settings.initialisation.isStandard ? nil
            : "skipped: the sampler draws eq. (1) only (σ_w² = 1, no biases, σ centred and normalised)"
    }

    /// Stage 4: a network of eq. (1) at widths d_ℓ = round(n/γ_ℓ) on the same points (float32), its
    /// exact NTK eigenvalues and their KS distances to the infinite-width Gram and the law.
    public static func sample(_ frame: InfiniteWidthFrame, token: CancellationToken = CancellationToken()) -> InfiniteWidthFrame {
        var f = frame
        guard f.error == nil, let gram = f.dataset?.ntk else { return f }
        let r = frame.request
        let plan = samplePlan(r)
        if let skip = sampleUnsupported(r) ?? plan.skip { f.sample = InfiniteSample(widths: plan.widths, note: skip); return f }
        do {
            let points = try datasetPoints(r)
            let data = DataMatrix(samples: points.count, features: points.dimension, values: points.columns)
            let g0 = min(NetworkModel.gammaRange.upperBound, max(NetworkModel.gammaRange.lowerBound, r.settings.gamma0))
            let model = NetworkModel(activation: r.activation, input: .marcenkoPastur(gamma0: g0), gammas: r.gammas, tau: r.tau)
            let req = SamplingRequest(model: model, n: points.count, seed: r.seed, input: .data(data), ckLayers: [], ntk: true,
                                      precision: .float32)
            guard let ev = try NetworkSampler.spectra(req, token: token).first(where: { $0.kernel == .ntk })?.eigenvalues else {
                f.sample = InfiniteSample(widths: plan.widths, note: "sample: no NTK spectrum")
                return f
            }
            let law = f.comparison?.limitLaw
            f.sample = InfiniteSample(widths: plan.widths, eigenvalues: ev, ksVsGram: LinearWidthComparison.ksDistance(ev, gram.eigenvalues),
                                      ksVsLaw: law.map { LinearWidthComparison.ksDistance(ev, $0) })
        } catch {
            f.sample = InfiniteSample(widths: plan.widths, note: "sample failed: \(error)")
        }
        return f
    }

    /// The points of the Gram block: the user's data set when given, else n uniform points on S^{d−1}.
    static func datasetPoints(_ r: InfiniteWidthRequest) throws -> InputPoints {
        if let data = r.settings.data { return data.points }
        return try InputPoints.make(.uniformSphere(n: r.settings.points, dimension: r.settings.dimension, seed: r.seed))
    }

    /// All stages, synchronously (for `ntkscope render` and tests); `report` gets the stage and its
    /// share done (for a progress line).
    public static func compute(_ r: InfiniteWidthRequest, report: @escaping @Sendable (String, Double) -> Void = { _, _ in }) -> InfiniteWidthFrame {
        // without a token nothing cancels: the stages cannot throw
        let s = try! series(r, control: ComputationControl { report("series", $0) })
        let k = try! kernels(s, control: ComputationControl { report("kernels", $0) })
        let c = try! complete(k, control: ComputationControl { report("Gram spectra", $0) })
        report("sampling a network", 0)
        return sample(c)
    }
}
