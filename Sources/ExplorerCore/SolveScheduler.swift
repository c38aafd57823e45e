import Dispatch
import Foundation
import LimitLaws
import Synchronization

/// One finished solve.
public struct SolveResult: Sendable {
    public var model: NetworkModel
    public var spectra: ModelSpectra
    public var display: [KernelID: DisplaySpectrum]
    public var milliseconds: Double
    public var warm: Bool
    /// Whether the CDF, masses and moments are the accurate ones (second phase).
    public var accurate: Bool = true
}

/// Solves on a background queue, latest request only: while a solve runs, new requests replace
/// the pending one (key repeats coalesce); a result whose model is no longer the latest request is
/// dropped (its cache is kept, so the next solve still warm-starts). The engine's `solve` is
/// synchronous, so a running solve is not interrupted; it is abandoned.
public final class SolveScheduler: Sendable {
    /// Solves a model; `accurate` false asks for the fast display-only solve (no CDF quadrature).
    public typealias Solve = @Sendable (NetworkModel, SolverCache?, _ accurate: Bool) -> ModelSpectra

    struct Shared {
        var pending: NetworkModel?
        var latest: NetworkModel?
        var running = false
        var cache: SolverCache?
        var result: SolveResult?
        var lastFastMilliseconds: Double?
    }

    private let shared = Mutex(Shared())
    private let queue = DispatchQueue(label: "ntkscope.solve", qos: .userInitiated)
    private let solve: Solve
    private let notify: @Sendable () -> Void

    /// `notify` is called (on the solve queue) whenever a result is ready.
    /// Points of the explorer's density grid: finer than a braille panel on a 200-column terminal
    /// (at most ~130 dots wide in the layers view), and cheap enough for live solves.
    public static let explorerGridPoints = 256

    public init(solve: @escaping Solve = SolveScheduler.engineSolve(gridPoints: SolveScheduler.explorerGridPoints), notify: @escaping @Sendable () -> Void = {}) {
        self.solve = solve
        self.notify = notify
    }

    public static func engineSolve(gridPoints: Int) -> Solve {
        let engine = LimitLawEngine()
        return { model, cache, accurate in
            var options = SolveOptions()
            options.gridPoints = gridPoints
            options.accurateCDF = accurate
            return engine.solve(model, options: options, previous: cache)
        }
    }

    public func request(_ model: NetworkModel) {
        let start = shared.withLock { s -> Bool in
            s.pending = model
            s.latest = model
            if s.running { return false }
            s.running = true
            return true
        }
        if start { queue.async { self.work() } }
    }

    /// Two phases per request: a fast display-only solve that is shown at once, then, unless a
    /// newer request is already waiting, an accurate solve (CDF by quadrature: exact masses and
    /// moments in the focus view) that replaces it.
    private func work() {
        while true {
            let job = shared.withLock { s -> (NetworkModel, SolverCache?)? in
                guard let m = s.pending else { s.running = false; return nil }
                s.pending = nil
                return (m, s.cache)
            }
            guard let (model, cache) = job else { return }
            for accurate in [false, true] {
                if accurate && shared.withLock({ $0.pending != nil }) { break }
                let previous = accurate ? shared.withLock { $0.cache } : cache
                let t0 = DispatchTime.now().uptimeNanoseconds
                let spectra = solve(model, previous, accurate)
                let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
                var display: [KernelID: DisplaySpectrum] = [:]
                for s in spectra.spectra { display[s.kernel] = DisplaySpectrum(s) }
                let result = SolveResult(model: model, spectra: spectra, display: display, milliseconds: ms, warm: cache != nil,
                                         accurate: accurate)
                let fresh = shared.withLock { s -> Bool in
                    s.cache = spectra.cache
                    guard s.latest == model else { return false }   // stale: a newer model was requested
                    // An accurate result keeps the fast phase's timing in the header.
                    var r = result
                    if accurate, let shown = s.lastFastMilliseconds { r.milliseconds = shown }
                    if !accurate { s.lastFastMilliseconds = ms }
                    s.result = r
                    return true
                }
                if fresh { notify() }
            }
        }
    }

    /// The newest finished result, once.
    public func takeResult() -> SolveResult? {
        shared.withLock { s in defer { s.result = nil }; return s.result }
    }

    public var isBusy: Bool { shared.withLock { $0.running } }
}

/// Runs an `EmpiricalCheck` as a Task, one at a time; `start` cancels the previous run.
public final class EmpiricalRunner: Sendable {
    struct Shared {
        var generation = 0
        var task: Task<Void, Never>?
        var snapshot = EmpiricalSnapshot()
        var model: NetworkModel?
    }
    private let shared = Mutex(Shared())
    private let check: EmpiricalCheck
    private let notify: @Sendable () -> Void

    public init(check: EmpiricalCheck, notify: @escaping @Sendable () -> Void = {}) {
        self.check = check
        self.notify = notify
    }

    /// Starts a check of `model` (whose limit laws are `limits`), cancelling any running one.
    public func start(model: NetworkModel, sampleSize: Int, limits: ModelSpectra) {
        let kernels = (0...model.depth).map { KernelID.ck($0) } + [.ntk]
        let check = self.check, notify = self.notify
        shared.withLock { s in
            s.task?.cancel()
            s.generation += 1
            s.model = model
            s.snapshot = EmpiricalSnapshot(progress: EmpiricalProgress(fraction: 0, stage: "starting"), sampleSize: sampleSize)
            let generation = s.generation
            let report: @Sendable (EmpiricalEvent) -> Void = { [weak self] event in
                guard let self else { return }
                let current = self.shared.withLock { s -> Bool in
                    guard s.generation == generation else { return false }
                    s.snapshot.apply(event)
                    return true
                }
                if current { notify() }
            }
            s.task = Task.detached(priority: .utility) {
                do {
                    try await check.run(model: model, sampleSize: sampleSize, kernels: kernels, limits: limits, report: report)
                    report(.finished)
                } catch is CancellationError {
                } catch {
                    report(.failed("\(error)"))
                }
            }
        }
    }

    public func stop() {
        shared.withLock { s in
            s.task?.cancel()
            s.task = nil
            s.generation += 1
            s.model = nil
            s.snapshot = EmpiricalSnapshot()
        }
    }

    /// The model the running (or finished) check belongs to.
    public var model: NetworkModel? { shared.withLock { $0.model } }
    public var snapshot: EmpiricalSnapshot { shared.withLock { $0.snapshot } }
}
