import Dispatch
import Foundation
import InfiniteWidth
import LimitLaws
import NetworkSampling
import PlotCanvas
import Synchronization

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
}

/// One sphere eigenvalue for display: degree k, multiplicity N(d, k), λ_k, its truncation bound
/// and the share N(d,k)λ_k / K(1) of the trace.
public struct SphereRow: Sendable, Hashable {
    public var degree: Int
    public var multiplicity: Double
    public var lambda: Double
    public var bound: Double
    public var share: Double
    public init(degree: Int, multiplicity: Double, lambda: Double, bound: Double, share: Double) {
        self.degree = degree; self.multiplicity = multiplicity; self.lambda = lambda; self.bound = bound; self.share = share
    }
}

/// One infinite-width kernel: its series coefficients and sphere spectrum.
public struct InfiniteKernelData: Sendable {
    public var kernel: InfiniteKernel
    /// c_0 … c_N.
    public var coefficients: [Double]
    public var valueAtOne: Double
    /// Σ_{j>N} c_j (bounds the truncation error on |ρ| ≤ 1).
    public var tail: Double
    public var sphere: [SphereRow]
    /// Log-log slope of λ_k over the upper half of the degrees (nil if undefined).
    public var slope: Double?
    public init(kernel: InfiniteKernel, coefficients: [Double], valueAtOne: Double, tail: Double,
                sphere: [SphereRow], slope: Double? = nil) {
        self.kernel = kernel; self.coefficients = coefficients; self.valueAtOne = valueAtOne; self.tail = tail
        self.sphere = sphere; self.slope = slope
    }
}

/// The Gram spectra on the dataset (n points uniform on S^{d−1}): XᵀX, K_L and Θ_L.
public struct DatasetGrams: Sendable {
    public var input: GramSpectrum
    public var ck: GramSpectrum
    public var ntk: GramSpectrum
    public init(input: GramSpectrum, ck: GramSpectrum, ntk: GramSpectrum) { self.input = input; self.ck = ck; self.ntk = ntk }
}

/// The compare view's data: the linear-width NTK law for the same σ, depth and inputs
/// (input law Marcenko–Pastur(n/d), the model's γ_ℓ) and the KS distance to the infinite-width
/// NTK Gram spectrum, also for γ_ℓ scaled down (the γ → 0 check).
public struct InfiniteComparison: Sendable {
    public var law: DisplaySpectrum
    public var ks: Double
    /// (factor applied to every γ_ℓ, KS) for factors 1, 0.1, 0.01.
    public var gammaLimit: [GammaLimitPoint]
    /// The solved law itself (for the sample's KS in stage 3; nil in hand-made content).
    var limitLaw: LimitSpectrum?
    public init(law: DisplaySpectrum, ks: Double, gammaLimit: [GammaLimitPoint]) {
        self.law = law; self.ks = ks; self.gammaLimit = gammaLimit
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

/// Everything the infinite-width views draw. `dataset` and `comparison` arrive in a second stage
/// (they need LAPACK and the engine); nil means "still computing" unless `error` says otherwise.
public struct InfiniteWidthFrame: Sendable {
    public var request: InfiniteWidthRequest
    /// Hermite coefficients μ_0 … μ_{N+1} of σ.
    public var hermite: [Double]
    public var hermiteNote: String
    /// K_0 … K_L and Θ_1 … Θ_L.
    public var kernels: [InfiniteKernel: InfiniteKernelData]
    public var dataset: DatasetGrams?
    public var comparison: InfiniteComparison?
    /// Stage 3: the sampled network (nil while sampling, or before stage 2).
    public var sample: InfiniteSample?
    public var complete: Bool
    public var error: String?
    public init(request: InfiniteWidthRequest, hermite: [Double], hermiteNote: String = "",
                kernels: [InfiniteKernel: InfiniteKernelData], dataset: DatasetGrams? = nil,
                comparison: InfiniteComparison? = nil, sample: InfiniteSample? = nil, complete: Bool = true, error: String? = nil) {
        self.request = request; self.hermite = hermite; self.hermiteNote = hermiteNote; self.kernels = kernels
        self.dataset = dataset; self.comparison = comparison; self.sample = sample; self.complete = complete; self.error = error
    }

    public var depth: Int { request.depth }
    /// All three stages are done (the sample stage is skipped after an error).
    public var finished: Bool { complete && (sample != nil || error != nil || dataset == nil) }
}

/// The computations (pure functions of the request; run off the interface thread).
public enum InfiniteWidthCompute {
    /// Largest degree of the sphere spectra.
    public static func maxDegree(order: Int) -> Int { max(2, min(40, order / 2)) }

    /// Stage 1: series, Hermite coefficients, sphere spectra.
    public static func series(_ r: InfiniteWidthRequest) -> InfiniteWidthFrame {
        let s = KernelSeries(activation: r.activation, depth: r.depth, order: r.settings.order, tau: r.tau,
                             initialisation: r.settings.initialisation)
        let exact = KernelRecursion(activation: r.activation, depth: r.depth, tau: r.tau, initialisation: r.settings.initialisation)
        var kernels: [InfiniteKernel: InfiniteKernelData] = [:]
        let kmax = maxDegree(order: r.settings.order)
        for k in [InfiniteKernel.ck(0)] + s.kernels {
            let eig = SphereSpectrum.eigenvalues(s, kernel: k, exact: exact, dimension: r.settings.dimension, maxDegree: kmax)
            let rows = eig.map { SphereRow(degree: $0.degree, multiplicity: $0.multiplicity, lambda: $0.lambda, bound: $0.errorBound, share: $0.traceShare) }
            kernels[k] = InfiniteKernelData(kernel: k, coefficients: s.coefficients(k), valueAtOne: s.valueAtOne(k), tail: s.tail(k),
                                            sphere: rows, slope: SphereSpectrum.decayFit(eig, degrees: max(1, kmax / 2)...kmax).slope)
        }
        let h = s.hermite
        // short enough for the σ panel's caption line
        let note = h.method == .closedForm ? "μ_k exact (closed form)" : "μ_k by quadrature, good to k = \(h.trustworthyOrder)"
        return InfiniteWidthFrame(request: r, hermite: h.mu, hermiteNote: note, kernels: kernels, complete: false)
    }

    /// Stage 2: the dataset Gram spectra and the comparison with the linear-width law.
    public static func complete(_ frame: InfiniteWidthFrame, engine: LimitLawEngine = .init()) -> InfiniteWidthFrame {
        var f = frame
        f.complete = true
        let r = frame.request
        let s = KernelSeries(activation: r.activation, depth: r.depth, order: r.settings.order, tau: r.tau,
                             initialisation: r.settings.initialisation)
        let exact = KernelRecursion(activation: r.activation, depth: r.depth, tau: r.tau, initialisation: r.settings.initialisation)
        do {
            let points = try datasetPoints(r)
            let d = try DatasetSpectra.compute(s, points: points, exact: exact)
            f.dataset = DatasetGrams(input: d.input, ck: d.ck, ntk: d.ntk)
        } catch {
            f.error = "\(error)"
            return f
        }
        let g0 = min(NetworkModel.gammaRange.upperBound, max(NetworkModel.gammaRange.lowerBound, r.settings.gamma0))
        var points: [GammaLimitPoint] = []
        for factor in [1.0, 0.1, 0.01] {
            let gammas = r.gammas.map { min(NetworkModel.gammaRange.upperBound, max(NetworkModel.gammaRange.lowerBound, $0 * factor)) }
            let model = NetworkModel(activation: r.activation, input: .marcenkoPastur(gamma0: g0), gammas: gammas, tau: r.tau)
            guard (try? model.validate()) != nil else { continue }
            let laws = engine.solve(model, options: SolveOptions(kernels: [.ntk]))
            guard let law = laws.spectrum(.ntk), let ntk = f.dataset?.ntk else { continue }
            let ks = LinearWidthComparison.ksDistance(ntk.eigenvalues, law)
            points.append(GammaLimitPoint(factor: factor, ks: ks, lawSecondMoment: law.secondMoment))
            if factor == 1 {
                f.comparison = InfiniteComparison(law: DisplaySpectrum(law), ks: ks, gammaLimit: [])
                f.comparison?.limitLaw = law
            }
        }
        f.comparison?.gammaLimit = points
        return f
    }

    /// Budgets of the sampled network (stage 3): Σ_ℓ d_ℓ·n entries of the hidden layers (memory:
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

    /// Stage 3: a network of eq. (1) at widths d_ℓ = round(n/γ_ℓ) on the same points (float32), its
    /// exact NTK eigenvalues and their KS distances to the infinite-width Gram and the law.
    public static func sample(_ frame: InfiniteWidthFrame, token: CancellationToken = CancellationToken()) -> InfiniteWidthFrame {
        var f = frame
        guard f.error == nil, let gram = f.dataset?.ntk else { return f }
        let r = frame.request
        let plan = samplePlan(r)
        if let skip = plan.skip { f.sample = InfiniteSample(widths: plan.widths, note: skip); return f }
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

    /// All stages, synchronously (for `ntkscope render` and tests).
    public static func compute(_ r: InfiniteWidthRequest) -> InfiniteWidthFrame {
        sample(complete(series(r)))
    }
}

/// Computes frames on a background queue, latest request only (like `SolveScheduler`), publishing
/// the series stage first and the complete frame second. Finished frames are cached by request,
/// so going back to earlier settings (undo, `w` twice) is immediate.
public final class InfiniteWidthScheduler: Sendable {
    struct Shared {
        var pending: InfiniteWidthRequest?
        var latest: InfiniteWidthRequest?
        var running = false
        var cache: [InfiniteWidthRequest: InfiniteWidthFrame] = [:]
        var order: [InfiniteWidthRequest] = []
        var result: InfiniteWidthFrame?
        /// Cancels the running sample (stage 3) when a different request arrives.
        var token: CancellationToken?
    }
    private let shared = Mutex(Shared())
    private let queue = DispatchQueue(label: "ntkscope.infinite", qos: .userInitiated)
    private let notify: @Sendable () -> Void
    public static let cacheSize = 12

    public init(notify: @escaping @Sendable () -> Void = {}) { self.notify = notify }

    /// Asks for the frame of `request`; a cached one is published at once.
    public func request(_ request: InfiniteWidthRequest) {
        let start = shared.withLock { s -> Bool in
            if let cached = s.cache[request] { s.latest = request; s.token?.cancel(); s.result = cached; s.pending = nil; return false }
            // Already being computed (its later stages will be published): nothing to do.
            if s.latest == request && s.running { return false }
            s.token?.cancel()
            s.latest = request
            s.pending = request
            if s.running { return false }
            s.running = true
            return true
        }
        if start { queue.async { self.work() } } else if shared.withLock({ $0.result != nil }) { notify() }
    }

    private func isLatest(_ r: InfiniteWidthRequest) -> Bool { shared.withLock { $0.latest == r } }

    private func publish(_ f: InfiniteWidthFrame) -> Bool {
        let fresh = shared.withLock { s -> Bool in
            if f.finished {
                if s.cache[f.request] == nil { s.order.append(f.request) }
                s.cache[f.request] = f
                if s.order.count > Self.cacheSize { s.cache[s.order.removeFirst()] = nil }
            }
            guard s.latest == f.request else { return false }
            s.result = f
            return true
        }
        if fresh { notify() }
        return fresh
    }

    private func work() {
        while true {
            let job = shared.withLock { s -> InfiniteWidthRequest? in
                guard let r = s.pending else { s.running = false; return nil }
                s.pending = nil
                return r
            }
            guard let r = job else { return }
            let first = InfiniteWidthCompute.series(r)
            _ = publish(first)
            guard isLatest(r) else { continue }   // a newer request: drop stages 2 and 3
            let second = InfiniteWidthCompute.complete(first)
            _ = publish(second)
            guard isLatest(r), !second.finished else { continue }
            let token = CancellationToken()
            let current = shared.withLock { s -> Bool in
                guard s.latest == r else { return false }
                s.token = token
                return true
            }
            guard current else { continue }
            let third = InfiniteWidthCompute.sample(second, token: token)
            shared.withLock { s in if s.token === token { s.token = nil } }
            if !token.isCancelled { _ = publish(third) }
        }
    }

    /// The newest published frame, once.
    public func takeResult() -> InfiniteWidthFrame? {
        shared.withLock { s in defer { s.result = nil }; return s.result }
    }

    public var isBusy: Bool { shared.withLock { $0.running } }
}
