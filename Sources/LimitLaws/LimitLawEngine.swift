#if canImport(Glibc)
import Glibc
#endif

/// What to solve and on which grid.
public struct SolveOptions: Sendable, Hashable {
    /// Points of the uniform display grid.
    public var gridPoints: Int = 400
    /// Display range; nil means automatic (covers the support and the atoms).
    public var xRange: ClosedRange<Double>? = nil
    /// Laws to solve; nil means every CK layer 0…L and the NTK.
    public var kernels: [KernelID]? = nil
    /// Coefficients (z_{−1}, z_0, …, z_L) for `KernelID.combination`.
    public var combination: [Double]? = nil
    /// When false, the series and the quadrature are asked for plot accuracy only (density within
    /// ~10⁻³ of its peak, mass to ~10⁻⁴): faster, for live display; KS against samples wants true.
    public var accurateCDF: Bool = true
    /// Threads that solve laws at once (1: one after the other). Each law's search interval needs
    /// the edges of the CK layers below it, so law ℓ + 1 starts from the edge law ℓ's support scan
    /// predicts, while law ℓ computes its quadrature; a law whose prediction turns out wrong is
    /// solved again, so the result is the same, bit for bit, for any value (LawPipeline).
    public var threads: Int = SolveOptions.defaultThreads
    /// Two threads on a machine with two cores or more (the laws form a chain, so more seldom
    /// help), else one. (Processor affinity is not seen: under `taskset -c 0` pass 1.)
    public static let defaultThreads: Int = sysconf(Int32(_SC_NPROCESSORS_ONLN)) >= 2 ? 2 : 1

    public init(gridPoints: Int = 400, xRange: ClosedRange<Double>? = nil, kernels: [KernelID]? = nil,
                combination: [Double]? = nil, accurateCDF: Bool = true, threads: Int = SolveOptions.defaultThreads) {
        self.gridPoints = gridPoints
        self.xRange = xRange
        self.kernels = kernels
        self.combination = combination
        self.accurateCDF = accurateCDF
        self.threads = threads
    }
}

/// Solutions of an earlier solve, for warm starts and for reusing unchanged laws.
public struct SolverCache: Sendable {
    var laws: [KernelID: SolvedLaw] = [:]
    public init() {}
    public var isEmpty: Bool { laws.isEmpty }
}

/// The laws of one model.
public struct ModelSpectra: Sendable {
    public let model: NetworkModel
    public let spectra: [LimitSpectrum]
    public let cache: SolverCache
    /// Laws the two-thread pipeline solved twice because the edge predicted from a lower layer's
    /// support scan was not its final one (wasted work only; see `SolveOptions.threads`).
    public var pipelineResolves = 0
    /// The solve was stopped by its `shouldStop` before every law was solved: `spectra` is empty
    /// (nothing of it may be shown or exported as the model's laws) and `cache` is the `previous`
    /// cache it was given, unchanged (or empty).
    public var stopped = false
    /// Laws solved and committed (in order, CK layers upwards, helper layers of a window included):
    /// every law of the solve unless `stopped`.
    public var lawsSolved = 0

    public func spectrum(_ id: KernelID) -> LimitSpectrum? { spectra.first { $0.kernel == id } }
    /// Failures summed over every law.
    public var failures: Int { spectra.reduce(0) { $0 + $1.failures } }
}

/// Solves the limit laws of Fan & Wang (2020): the CK of every layer (Theorem 3.4), the NTK
/// (Theorem 3.7, and Theorem 3.8 with τ weights), and any linear combination of the CKs.
public struct LimitLawEngine: Sendable {
    public init() {}

    /// `shouldStop`, when given, is asked (from the solving threads, so it must be cheap and must not
    /// block) before each law is started; once it answers true no further law is started and the
    /// solve returns a `stopped` result with no spectra. A law already running is finished first,
    /// so stopping takes at most about one law's time. Without it, or while it answers false, the
    /// result is the same, bit for bit.
    public func solve(_ model: NetworkModel, options: SolveOptions = .init(), previous: SolverCache? = nil,
                      shouldStop: (@Sendable () -> Bool)? = nil) -> ModelSpectra {
        let kernels = options.kernels ?? ((0...model.depth).map { KernelID.ck($0) } + [.ntk])
        var cache = SolverCache()
        var spectra = [LimitSpectrum]()
        let request = LawRequest(gridPoints: options.gridPoints, xRange: options.xRange, accurateCDF: options.accurateCDF)
        // Solve CK layers first, in order: their right edges tighten the search interval of the
        // layers above and of the NTK.
        // Lower CK layers that were not asked for are solved too (edges only, no display grid)
        // when a law above them needs their edges for a tight enclosure.
        var highest = -1
        for k in kernels {
            switch k {
            case .ck(let l): highest = max(highest, l - 1)
            case .ntk, .combination: highest = max(highest, model.depth)
            }
        }
        let helpers = highest >= 0 ? (0...min(highest, model.depth)).map { KernelID.ck($0) }.filter { !kernels.contains($0) } : []
        let order = (kernels + helpers).sorted { a, b in
            switch (a, b) {
            case (.ck(let x), .ck(let y)): return x < y
            case (.ck, _): return true
            default: return false
            }
        }
        let edgesOnly = LawRequest(gridPoints: 2, xRange: nil, accurateCDF: false, edgesOnly: true)
        let offset = { if case .marcenkoPastur = model.input { return 1 } else { return 0 } }()
        // Law i of `order` from the right edges of the CK layers solved before it (`knownEdges`, by
        // chain level); `supportFound` hears the edge its support scan predicts.
        let solveLaw: LawPipeline<(law: SolvedLaw, published: LimitSpectrum)>.Solve = { i, knownEdges, supportFound in
            let kernel = order[i]
            let request = helpers.contains(kernel) ? edgesOnly : request
            if case .ck(let l) = kernel, !(0...model.depth).contains(l) { return nil }
            if kernel == .combination && options.combination?.count != model.depth + 2 { return nil }
            let law: SolvedLaw
            var published: LimitSpectrum
            if let exact = Self.chain(for: kernel, model: model, combination: options.combination) {
                // Terms proven negligible become part of the shift; the shift itself is taken out
                // and the law solved about 0, then moved back (no cancellation against a large r_+).
                let (simplified, approximation) = exact.droppingNegligibleTerms(known: knownEdges)
                let chain = simplified.centred
                let frameShift = simplified.shift
                if let old = previous?.laws[kernel], old.chain == chain, old.request.covers(request) {
                    var reused = old
                    var stats = old.spectrum.statistics
                    stats.reused = true
                    stats.points = 0; stats.iterations = 0; stats.continuations = 0; stats.denseNewtonSteps = 0
                    reused.spectrum = reused.spectrum.withStatistics(stats)
                    law = reused
                } else {
                    var frameRequest = request
                    frameRequest.xRange = request.xRange.map { ($0.lowerBound - frameShift)...($0.upperBound - frameShift) }
                    var solver = LawSolver(kernel: kernel, chain: chain, request: frameRequest, knownEdges: knownEdges)
                    if case .ck(let l) = kernel {
                        // The edge as the published (translated) law will give it, if the quadrature keeps this support.
                        let move = { (x: Double) in frameShift == 0 ? x : x + frameShift }
                        let atomEdge = chain.atoms.map { move($0.location) }.max() ?? 0
                        solver.supportFound = { support in
                            supportFound(Self.edge(level: l + offset, support: support.last.map { move($0.upperBound) }, atomEdge: atomEdge))
                        }
                    }
                    law = solver.run(previous: previous?.laws[kernel])
                }
                published = law.spectrum.translated(by: frameShift)
                if let a = approximation {
                    // Chain levels to network layers (with Gaussian inputs level 1 is the input law).
                    // The exact chain's atoms (same frame as the published law) where the
                    // simplification changed them: a collapsed cluster joins an atom.
                    let exactAtoms = exact.atoms
                    let same = exactAtoms.count == published.atoms.count && zip(exactAtoms, published.atoms).allSatisfy {
                        abs($0.mass - $1.mass) <= 1e-9 && abs($0.location - $1.location) <= a.displacement + 1e-12 * max(1, abs($0.location))
                    }
                    published.approximation = LawApproximation(replacedLayers: a.replacedLayers.map { $0 - offset },
                                                               snappedLayers: a.snappedLayers.map { $0 - offset },
                                                               displacement: a.displacement, exactAtoms: same ? nil : exactAtoms)
                    // The exact law's variance, not the simplified one's (the mean is the same).
                    published.exactVariance = exact.exactMeanAndVariance.variance
                    published.secondMoment = published.variance + published.mean * published.mean
                }
            } else {
                law = Self.pureAtoms(kernel: kernel, model: model, request: request)
                published = law.spectrum
            }
            var edge: (level: Int, edge: Double)? = nil
            if case .ck(let l) = kernel, published.failures == 0, !published.checkFailed {
                edge = Self.edge(level: l + offset, support: published.support.last?.upperBound,
                                 atomEdge: published.atoms.map(\.location).max() ?? 0)
            }
            return ((law, published), edge)
        }
        let contributes = order.map { k -> Bool in if case .ck = k { return true } else { return false } }
        let pipeline = LawPipeline(count: order.count, contributes: contributes, shouldStop: shouldStop, solve: solveLaw)
        let (outcomes, resolved, committed, stopped) = pipeline.run(threads: options.threads)
        if stopped {
            return ModelSpectra(model: model, spectra: [], cache: previous ?? SolverCache(), pipelineResolves: resolved,
                                stopped: true, lawsSolved: committed)
        }
        var solved: [KernelID: LimitSpectrum] = [:]
        for (kernel, outcome) in zip(order, outcomes) {
            guard let o = outcome else { continue }
            cache.laws[kernel] = o.value.law
            solved[kernel] = o.value.published
        }
        for kernel in kernels { if let s = solved[kernel] { spectra.append(s) } }
        return ModelSpectra(model: model, spectra: spectra, cache: cache, pipelineResolves: resolved, lawsSolved: committed)
    }

    /// The right edge a CK law gives the laws above it (its last support interval's end or its
    /// largest atom), when positive.
    static func edge(level: Int, support: Double?, atomEdge: Double) -> (level: Int, edge: Double)? {
        let edge = max(support ?? 0, atomEdge)
        return edge > 0 ? (level, edge) : nil
    }

    /// Links, base and coefficients of the law of `kernel`. Nil when the law is purely atomic
    /// (the input law when it is δ_1 or read from a file).
    static func chain(for kernel: KernelID, model: NetworkModel, combination: [Double]?) -> CombinationChain? {
        let b2 = model.activation.b * model.activation.b
        var links = [ChainLink]()
        let base: ChainBase
        let offset: Int
        switch model.input {
        case .marcenkoPastur(let g0):
            links.append(ChainLink(gamma: g0, b2: 1))   // MP(γ0) = one MP map of δ_1
            base = .identity
            offset = 1
        case .orthonormal:
            base = .identity
            offset = 0
        case .discrete(let values):
            base = .discrete(values)
            offset = 0
        }
        for g in model.gammas { links.append(ChainLink(gamma: g, b2: b2)) }
        // Coefficients on levels 0…J; network layer ℓ sits at level ℓ + offset.
        func chainFor(top: Int, layerCoefficients: [Double], shift: Double) -> CombinationChain? {
            let J = top + offset
            if J == 0 { return nil }
            var c = [Double](repeating: 0, count: J + 1)
            for (l, v) in layerCoefficients.enumerated() where l <= top { c[l + offset] = v }
            return CombinationChain(links: Array(links.prefix(J)), base: base, coefficients: c, shift: shift)
        }
        switch kernel {
        case .ck(let l):
            var coefficients = [Double](repeating: 0, count: l + 1)
            coefficients[l] = 1
            return chainFor(top: l, layerCoefficients: coefficients, shift: 0)
        case .ntk:
            let z = model.ntkCoefficients
            return chainFor(top: model.depth, layerCoefficients: Array(z.dropFirst()), shift: z[0])
        case .combination:
            guard let z = combination, z.count == model.depth + 2 else { return nil }
            var top = model.depth
            while top > 0 && z[top + 1] == 0 { top -= 1 }
            return chainFor(top: top, layerCoefficients: Array(z[1...(top + 1)]), shift: z[0])
        }
    }

    /// A purely atomic input law.
    static func pureAtoms(kernel: KernelID, model: NetworkModel, request: LawRequest) -> SolvedLaw {
        var atoms: [Atom]
        switch model.input {
        case .discrete(let law):
            atoms = zip(law.values, law.weights).map { Atom(location: $0, mass: $1) }
        default:
            atoms = [Atom(location: 1, mass: 1)]
        }
        let lo = atoms.first!.location, hi = atoms.last!.location
        let pad = max(0.05 * (hi - lo), 0.5)
        let range = request.xRange ?? ((lo - pad)...(hi + pad))
        let xs = UniformGrid.points(range, count: request.gridPoints)
        let m1 = atoms.reduce(0) { $0 + $1.mass * $1.location }
        let m2 = atoms.reduce(0) { $0 + $1.mass * $1.location * $1.location }
        let m3 = atoms.reduce(0) { $0 + $1.mass * $1.location * $1.location * $1.location }
        let m4 = atoms.reduce(0) { $0 + $1.mass * $1.location * $1.location * $1.location * $1.location }
        let spectrum = LimitSpectrum(
            kernel: kernel, x: xs, density: Array(repeating: 0, count: xs.count), atoms: atoms, support: [],
            mean: m1, secondMoment: m2, continuousMass: 0, numericalMoments: [m1, m2, m3, m4],
            statistics: SolverStatistics(), cdfX: [], cdfF: [])
        let chain = CombinationChain(links: [], base: .identity, coefficients: [1], shift: 0)
        return SolvedLaw(chain: chain, request: request, spectrum: spectrum, solvedX: [], solvedU: [])
    }
}
