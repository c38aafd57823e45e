import Dispatch
import Foundation
import LimitLaws
import NetworkSampling
import QuadraticScaling
import Synchronization

/// What the sampled check is run for: the law's settings, the input dimension and the seed.
public struct QuadraticCheckKey: Sendable, Hashable {
    public var settings: QuadraticSettings
    public var d: Int
    public var seed: UInt64
    public init(settings: QuadraticSettings, d: Int, seed: UInt64) { self.settings = settings; self.d = d; self.seed = seed }

    /// The sampler's request: Gaussian inputs, float32 (the fast path), p = round(γ₂d), n = round(γ₁dp).
    public var request: QuadraticSamplingRequest {
        QuadraticSamplingRequest(settings: settings, d: d, seed: seed, input: .gaussian, precision: .float32)
    }
}

/// φ's Gaussian constants (DerivativeActivation): c₀ = E φ, c₁² = (E ξφ)², a² = Var φ − c₁², v = Var φ.
public struct QuadraticConstants: Sendable, Hashable {
    public var c0: Double
    public var c1Squared: Double
    public var a2: Double
    public var variance: Double
    public init(c0: Double, c1Squared: Double, a2: Double, variance: Double) {
        self.c0 = c0; self.c1Squared = c1Squared; self.a2 = a2; self.variance = variance
    }
    public init(_ a: DerivativeActivation) { self.init(c0: a.c0, c1Squared: a.c1Squared, a2: a.a2, variance: a.variance) }
}

/// One self-check of a solve against an invariant computed without solving (QuadraticCheck).
public struct QuadraticCheckLine: Sendable, Hashable {
    public var name: String
    public var value: Double
    public var expected: Double
    public var tolerance: Double
    public var passed: Bool { abs(value - expected) <= tolerance }
    public init(name: String, value: Double, expected: Double, tolerance: Double) {
        self.name = name; self.value = value; self.expected = expected; self.tolerance = tolerance
    }
}

/// The solved laws of one setting, as the views draw them: H = μ_{ν,φ}, MP(γ₁) and the NTK law
/// (`DisplaySpectrum`s: the module's `LimitSpectrum`s carry kernel ids `.combination`/`.ntk`, the
/// labels are the view's), φ's constants, the discretisation's proven bounds and the self-checks.
public struct QuadraticLawFrame: Sendable {
    public var settings: QuadraticSettings
    public var population: DisplaySpectrum
    public var marcenkoPastur: DisplaySpectrum
    public var ntk: DisplaySpectrum
    public var constants: QuadraticConstants
    /// W∞(H, H_K): how far the discretisation moves H.
    public var populationWInfinity: Double
    /// Proven bounds on W∞ and KS between the solved and the exact NTK law.
    public var ntkWInfinity: Double
    public var ntkKSBound: Double
    public var checks: [QuadraticCheckLine]
    /// Points where the NTK law's solver failed (the law is then not trusted).
    public var solverFailures: Int
    /// How H was computed ("closed form", "inertia formula", …).
    public var populationMethod: String
    /// The second, accurate pass (exact CDF, moments); false for the fast first pass.
    public var accurate: Bool
    public var milliseconds: Double
    /// The module's full result (nil in hand-made content).
    public var spectra: QuadraticSpectra?

    public init(settings: QuadraticSettings, population: DisplaySpectrum, marcenkoPastur: DisplaySpectrum, ntk: DisplaySpectrum,
                constants: QuadraticConstants, populationWInfinity: Double, ntkWInfinity: Double, ntkKSBound: Double,
                checks: [QuadraticCheckLine], solverFailures: Int = 0, populationMethod: String = "", accurate: Bool = true,
                milliseconds: Double = 0, spectra: QuadraticSpectra? = nil) {
        self.settings = settings; self.population = population; self.marcenkoPastur = marcenkoPastur; self.ntk = ntk
        self.constants = constants; self.populationWInfinity = populationWInfinity; self.ntkWInfinity = ntkWInfinity
        self.ntkKSBound = ntkKSBound; self.checks = checks; self.solverFailures = solverFailures
        self.populationMethod = populationMethod; self.accurate = accurate; self.milliseconds = milliseconds; self.spectra = spectra
    }

    public var failedChecks: [QuadraticCheckLine] { checks.filter { !$0.passed } }
    public var failed: Bool { !failedChecks.isEmpty || solverFailures > 0 }

    /// The outliers a sample of input dimension d shows beyond the law: d when c₀ ≠ 0, one more when c₁ ≠ 0.
    public func outlierCount(d: Int) -> Int { (constants.c0 != 0 ? d : 0) + (constants.c1Squared != 0 ? 1 : 0) }

    /// The law of a panel.
    public func law(_ panel: QuadraticPanel) -> DisplaySpectrum {
        switch panel {
        case .population: return population
        case .marcenkoPastur: return marcenkoPastur
        case .ntk: return ntk
        }
    }
}

/// A sampled NTK split into its bulk and the outliers the law does not describe, with the bulk's KS
/// and W1 against the law of the sample's realised ratios (`QuadraticSample.lawSettings`).
public struct QuadraticCheckResult: Sendable {
    public var d: Int, p: Int, n: Int
    public var seed: UInt64
    /// The bulk's eigenvalues, ascending.
    public var bulk: [Double]
    /// The outliers set apart (the top d when c₀ ≠ 0, one more when c₁ ≠ 0), ascending.
    public var outliers: [Double]
    /// c₀² E[D²] γ₁ p: where the d outliers of c₀ sit (0 when c₀ = 0).
    public var predictedOutlierLocation: Double
    public var ks: Double
    public var ksLocation: Double
    public var w1: Double
    /// Bulk eigenvalues beyond the compared law's support (widened by 2%).
    public var beyondSupport: Int
    /// What the bulk was compared with ("the realised ratios γ₁ = …, γ₂ = …; ν = …").
    public var comparedWith: String
    /// The compared law (nil in hand-made content: the frame's own NTK law is drawn).
    public var comparedLaw: DisplaySpectrum?
    /// The bulk's histogram on the compared law's display grid (SpectrumStatistics.histogram).
    public var histogram: Histogram?
    public var seconds: Double

    public init(d: Int, p: Int, n: Int, seed: UInt64, bulk: [Double], outliers: [Double], predictedOutlierLocation: Double,
                ks: Double, ksLocation: Double, w1: Double, beyondSupport: Int = 0, comparedWith: String,
                comparedLaw: DisplaySpectrum? = nil, histogram: Histogram? = nil, seconds: Double = 0) {
        self.d = d; self.p = p; self.n = n; self.seed = seed; self.bulk = bulk; self.outliers = outliers
        self.predictedOutlierLocation = predictedOutlierLocation; self.ks = ks; self.ksLocation = ksLocation; self.w1 = w1
        self.beyondSupport = beyondSupport; self.comparedWith = comparedWith; self.comparedLaw = comparedLaw
        self.histogram = histogram; self.seconds = seconds
    }
}

/// The sampled check as far as it got.
public struct QuadraticCheckFrame: Sendable {
    public var key: QuadraticCheckKey
    /// 0…1 of the sampling (the comparison's solve follows at 1).
    public var progress: Double
    public var stage: String
    public var result: QuadraticCheckResult?
    public var error: String?
    public init(key: QuadraticCheckKey, progress: Double = 0, stage: String = "sampling", result: QuadraticCheckResult? = nil, error: String? = nil) {
        self.key = key; self.progress = progress; self.stage = stage; self.result = result; self.error = error
    }
}

/// Everything the quadratic-scaling views draw: the laws last solved (the previous ones stay on
/// screen while a newer setting is solved), why the settings cannot be solved, and the check.
public struct QuadraticFrame: Sendable {
    public var law: QuadraticLawFrame?
    public var lawError: String?
    public var check: QuadraticCheckFrame?
    public init(law: QuadraticLawFrame? = nil, lawError: String? = nil, check: QuadraticCheckFrame? = nil) {
        self.law = law; self.lawError = lawError; self.check = check
    }
}

/// The computations (pure functions of their inputs, run off the interface thread by the explorer).
public enum QuadraticCompute {
    /// Points of the display grids.
    public static let gridPoints = 400

    /// Solves the laws of `s`: `accurate` false is the fast first pass (plot accuracy), true the
    /// second (exact CDF and moments).
    public static func solve(_ s: QuadraticSettings, accurate: Bool) throws(ModelError) -> QuadraticLawFrame {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let spectra = try QuadraticScalingSolver.solve(s, options: QuadraticSolveOptions(gridPoints: gridPoints, accurate: accurate))
        let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
        return frame(spectra, accurate: accurate, milliseconds: ms)
    }

    public static func frame(_ q: QuadraticSpectra, accurate: Bool, milliseconds: Double) -> QuadraticLawFrame {
        QuadraticLawFrame(settings: q.settings, population: DisplaySpectrum(q.populationSpectrum),
                          marcenkoPastur: DisplaySpectrum(q.marcenkoPasturSpectrum), ntk: DisplaySpectrum(q.ntkSpectrum),
                          constants: QuadraticConstants(q.settings.activation), populationWInfinity: q.discretisation.wInfinity,
                          ntkWInfinity: q.ntkWInfinity, ntkKSBound: q.ntkKSBound,
                          checks: q.checks.map { QuadraticCheckLine(name: $0.name, value: $0.value, expected: $0.expected, tolerance: $0.tolerance) },
                          solverFailures: q.ntk.covarianceSide.failures, populationMethod: q.population.method,
                          accurate: accurate, milliseconds: milliseconds, spectra: q)
    }

    /// The bulk against the law of the sample's realised ratios (and, where cheap, of the D drawn):
    /// `QuadraticSampler.compare(sample, with: solve(sample.lawSettings))`.
    public static func result(_ sample: QuadraticSample) throws(ModelError) -> QuadraticCheckResult {
        let lawSettings = sample.lawSettings
        let law = try QuadraticScalingSolver.solve(lawSettings, options: QuadraticSolveOptions(gridPoints: gridPoints, accurate: true))
        let c = QuadraticSampler.compare(sample, with: law)
        let r = sample.request.realisedSettings
        var described = "the realised ratios γ₁ = \(ModelSummary.format(r.gamma1)), γ₂ = \(ModelSummary.format(r.gamma2))"
        if lawSettings.outputLaw != r.outputLaw { described += " and the \(sample.outputWeights.count) weights D drawn" }
        return QuadraticCheckResult(d: sample.d, p: sample.p, n: sample.n, seed: sample.request.seed, bulk: sample.bulk,
                                    outliers: sample.outliers, predictedOutlierLocation: sample.predictedOutlierLocation,
                                    ks: c.ks, ksLocation: c.ksLocation, w1: c.w1, beyondSupport: c.outliers.count,
                                    comparedWith: described, comparedLaw: DisplaySpectrum(law.ntkSpectrum),
                                    histogram: SpectrumStatistics.histogram(sample.bulk, on: law.ntkSpectrum), seconds: sample.seconds)
    }

    /// Everything at once, synchronously (`ntkscope render`, `explore --print`).
    public static func compute(_ s: QuadraticModeSettings) -> QuadraticFrame {
        var f = QuadraticFrame()
        let law: QuadraticSettings
        do { law = try s.lawSettings() } catch { f.lawError = error.description; return f }
        do { f.law = try solve(law, accurate: true) } catch { f.lawError = error.description; return f }
        guard s.check, let key = s.checkKey else { return f }
        var check = QuadraticCheckFrame(key: key, progress: 1, stage: "done")
        do {
            let sample = try QuadraticSampler.run(key.request)
            check.result = try result(sample)
        } catch let e as SamplingError {
            check.error = e.description
        } catch {
            check.error = "\(error)"
        }
        f.check = check
        return f
    }
}

/// Solves settings on a background queue, latest request only: the fast pass is published first,
/// the accurate one second; accurate results are cached by settings (undo and `w w` are immediate).
public final class QuadraticSolveScheduler: Sendable {
    struct Shared {
        var pending: QuadraticSettings?
        var latest: QuadraticSettings?
        var running = false
        var cache: [QuadraticSettings: QuadraticLawFrame] = [:]
        var order: [QuadraticSettings] = []
        var result: Result<QuadraticLawFrame, ModelError>?
    }
    private let shared = Mutex(Shared())
    private let queue = DispatchQueue(label: "ntkscope.quadratic", qos: .userInitiated)
    private let notify: @Sendable () -> Void
    public static let cacheSize = 16

    public init(notify: @escaping @Sendable () -> Void = {}) { self.notify = notify }

    public func request(_ s: QuadraticSettings) {
        let start = shared.withLock { sh -> Bool in
            sh.latest = s
            if let cached = sh.cache[s] { sh.result = .success(cached); sh.pending = nil; return false }
            sh.pending = s
            if sh.running { return false }
            sh.running = true
            return true
        }
        if start { queue.async { self.work() } } else { notify() }
    }

    private func publish(_ r: Result<QuadraticLawFrame, ModelError>, for s: QuadraticSettings, final: Bool) -> Bool {
        let fresh = shared.withLock { sh -> Bool in
            if final, case .success(let f) = r {
                if sh.cache[s] == nil { sh.order.append(s) }
                sh.cache[s] = f
                if sh.order.count > Self.cacheSize { sh.cache[sh.order.removeFirst()] = nil }
            }
            guard sh.latest == s else { return false }
            sh.result = r
            return true
        }
        if fresh { notify() }
        return fresh
    }

    private func work() {
        while true {
            let job = shared.withLock { sh -> QuadraticSettings? in
                guard let s = sh.pending else { sh.running = false; return nil }
                sh.pending = nil
                return s
            }
            guard let s = job else { return }
            do {
                let fast = try QuadraticCompute.solve(s, accurate: false)
                guard publish(.success(fast), for: s, final: false) else { continue }
                let accurate = try QuadraticCompute.solve(s, accurate: true)
                _ = publish(.success(accurate), for: s, final: true)
            } catch {
                _ = publish(.failure(error), for: s, final: true)
            }
        }
    }

    /// The newest published result, once.
    public func takeResult() -> Result<QuadraticLawFrame, ModelError>? {
        shared.withLock { sh in defer { sh.result = nil }; return sh.result }
    }
}

/// One sampled check in the background: `QuadraticSamplingJob` (its own thread, cancellable between
/// BLAS calls), then the comparison's solve; progress is published at most every 1%.
final class QuadraticCheckRunner: Sendable {
    struct Shared {
        var frame: QuadraticCheckFrame
        var changed = true
        var lastNotified = -1.0
    }
    let key: QuadraticCheckKey
    private let shared: Mutex<Shared>
    private let job: QuadraticSamplingJob
    private let cancelled = Atomic<Bool>(false)

    private let progressBox: SharedBox

    init(key: QuadraticCheckKey, notify: @escaping @Sendable () -> Void) {
        self.key = key
        let box = SharedBox()
        progressBox = box
        shared = Mutex(Shared(frame: QuadraticCheckFrame(key: key)))
        job = QuadraticSamplingJob(key.request, progress: { p in
            if box.update(progress: p) { notify() }
        })
        let job = self.job
        Task.detached(priority: .utility) { [weak self] in
            var frame = QuadraticCheckFrame(key: key, progress: 1, stage: "comparing")
            do {
                let sample = try await job.result()
                self?.store(frame)
                notify()
                frame.result = try QuadraticCompute.result(sample)
                frame.stage = "done"
            } catch let e as SamplingError {
                frame.error = e == .cancelled ? "cancelled" : e.description
            } catch {
                frame.error = "\(error)"
            }
            self?.store(frame)
            notify()
        }
    }

    private func store(_ f: QuadraticCheckFrame) {
        guard !cancelled.load(ordering: .acquiring) else { return }
        shared.withLock { $0.frame = f; $0.changed = true }
    }

    func cancel() {
        cancelled.store(true, ordering: .releasing)
        job.cancel()
    }

    /// The check's frame when it changed since the last call (the sampling's progress included).
    func take() -> QuadraticCheckFrame? {
        let p = progressBox.progress
        return shared.withLock { s in
            if s.frame.result == nil, s.frame.error == nil, s.frame.stage == "sampling", p > s.frame.progress {
                s.frame.progress = p
                s.changed = true
            }
            guard s.changed else { return nil }
            s.changed = false
            return s.frame
        }
    }

    /// The sampler's progress, written from its thread.
    final class SharedBox: Sendable {
        private let value = Mutex<(progress: Double, notified: Double)>((0, -1))
        /// Stores `p`; true when it moved at least 1% since the last notification.
        func update(progress p: Double) -> Bool {
            value.withLock { v in
                v.progress = p
                guard p - v.notified >= 0.01 else { return false }
                v.notified = p
                return true
            }
        }
        var progress: Double { value.withLock { $0.progress } }
    }
}

/// The event loop's side of the regime: asks for the laws of the current settings (once per
/// change), starts, restarts or cancels the sampled check to match the state, and takes results.
final class QuadraticComputation: RegimeComputation {
    let scheduler: QuadraticSolveScheduler
    let notify: @Sendable () -> Void
    var requested: QuadraticSettings?
    var runner: QuadraticCheckRunner?
    var frame = QuadraticFrame()
    /// Finished checks by key (undo and going back are immediate).
    var finished: [QuadraticCheckKey: QuadraticCheckFrame] = [:]

    init(notify: @escaping @Sendable () -> Void) {
        self.notify = notify
        scheduler = QuadraticSolveScheduler(notify: notify)
    }

    func update(state: ExplorerState, content: inout FrameContent) -> Bool {
        var changed = content.quadratic == nil
        let s = state.quadratic
        do {
            let law = try s.lawSettings()
            if law != requested { requested = law; scheduler.request(law) }
            if frame.lawError != nil { frame.lawError = nil; changed = true }
        } catch {
            if frame.lawError != error.description { frame.lawError = error.description; changed = true }
        }
        switch scheduler.takeResult() {
        case .success(let f)?: frame.law = f; frame.lawError = nil; changed = true
        case .failure(let e)?: frame.lawError = e.description; changed = true
        case nil: break
        }
        let key = s.check ? s.checkKey : nil
        if key != frame.check?.key || (key != nil && runner == nil && frame.check?.result == nil && frame.check?.error == nil) {
            runner?.cancel()
            runner = nil
            if let key {
                if let done = finished[key] { frame.check = done } else {
                    runner = QuadraticCheckRunner(key: key, notify: notify)
                    frame.check = QuadraticCheckFrame(key: key)
                }
            } else {
                frame.check = nil
            }
            changed = true
        } else if let r = runner, let f = r.take() {
            frame.check = f
            if f.result != nil || f.error != nil {
                if f.result != nil { finished[r.key] = f; if finished.count > 8 { finished.removeValue(forKey: finished.keys.first!) } }
                runner = nil
            }
            changed = true
        }
        if changed { content.quadratic = frame }
        return changed
    }
}
