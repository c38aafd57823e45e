import Dispatch
import Foundation
import LimitLaws
import NetworkSampling
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
    /// Answered from the scheduler's memory of recent results, without a solve (`milliseconds`
    /// is then the original solve's).
    public var recalled: Bool = false
}

/// The last few results, one per model, the most recent last, and the first model's (the starting
/// configuration, which reset returns to): a model seen again (undo, reset, a key and its
/// opposite) is shown at once instead of being solved again. Pure: the scheduler and the explorer
/// bench share it.
public struct RecentSolves<Value> {
    public let capacity: Int
    public private(set) var entries: [(model: NetworkModel, value: Value)] = []
    /// The first model remembered and its latest value, kept beyond `capacity`.
    public private(set) var first: (model: NetworkModel, value: Value)?
    public init(capacity: Int) { self.capacity = capacity }

    /// Keeps `value` as `model`'s (replacing an older one), dropping the oldest beyond `capacity`.
    public mutating func remember(_ model: NetworkModel, _ value: Value) {
        if first == nil || first?.model == model { first = (model, value) }
        entries.removeAll { $0.model == model }
        entries.append((model, value))
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
    }

    /// `model`'s value, if kept, without changing the order.
    public func peek(_ model: NetworkModel) -> Value? {
        entries.last { $0.model == model }?.value ?? (first?.model == model ? first?.value : nil)
    }

    /// `model`'s value, if kept (it becomes the most recent).
    public mutating func recall(_ model: NetworkModel) -> Value? {
        if let k = entries.lastIndex(where: { $0.model == model }) {
            let e = entries.remove(at: k)
            entries.append(e)
            return e.value
        }
        guard let f = first, f.model == model else { return nil }
        entries.append(f)
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        return f.value
    }
}

/// Solves on a background queue, latest request only: while a solve runs, new requests replace
/// the pending one (key repeats coalesce); a result whose model is no longer the latest request is
/// dropped (its cache is kept, so the next solve still warm-starts). A running solve that a newer
/// request has made stale stops between two laws (the engine's `shouldStop`): the accurate phase
/// always, the fast phase when it is warm (a cold one finishes: its cache is what makes the next
/// solves warm). A stopped solve gives no result and leaves the cache as it was (the last complete
/// solve's), and the pending request runs at once.
///
/// Zoom windows (ZoomResolve.swift) are solved on the same queue, one window per job, after a new
/// model's fast solve and before its accurate one: the latest `requestZoom` only, windows of a model
/// that is no longer the latest skipped, each warm-started from the same law's previous window (the
/// CK layers below it, which the engine solves too, are then reused) or the full-range `SolverCache`. Solved
/// windows are kept in a cache of their own (model, law, range), so going back to a zoom level
/// already seen, or an accurate solve that moves the range by rounding, costs no solve; the
/// full-range cache is never replaced by a zoom solve (its grid is what ×1 draws).
///
/// The last `recentCapacity` results (one per model, the accurate one once it is done) and the
/// first model's are kept with their caches: a request for one of those models is answered at
/// once (`SolveResult.recalled`)
/// and the next solve warm-starts from its cache; a recalled fast result still gets its accurate
/// phase.
public final class SolveScheduler: Sendable {
    /// Solves a model; `accurate` false asks for the fast display-only solve (no CDF quadrature).
    /// `shouldStop`, when given, answers true once the solve is stale: the solve may then return a
    /// `stopped` result (LimitLawEngine.solve's `shouldStop`), which is discarded.
    public typealias Solve = @Sendable (NetworkModel, SolverCache?, _ accurate: Bool, _ shouldStop: (@Sendable () -> Bool)?) -> ModelSpectra
    /// Solves one law's density on a zoom window, warm-started from `previous`: the cache of the
    /// same law's last window, else the full-range cache. Returns the grid and the cache to pass
    /// to the law's next window.
    public typealias ZoomSolve = @Sendable (NetworkModel, ZoomWindow, _ previous: SolverCache?) -> (grid: DensityGrid, cache: SolverCache?)

    struct Shared {
        var pending: NetworkModel?
        /// The fast phase of this model is shown; its accurate phase is still to do.
        var accuratePending: NetworkModel?
        var latest: NetworkModel?
        var running = false
        var cache: SolverCache?
        var result: SolveResult?
        var lastFastMilliseconds: Double?
        var lastFastWarm = false
        var zoom: ZoomRequest?
        var zoomResult: ZoomResult?
        var zoomCache: [(model: NetworkModel, window: ZoomWindow, grid: DensityGrid)] = []
        /// Per law, the cache of its last window solve, and the model they belong to.
        var zoomWarm: [KernelID: SolverCache] = [:]
        var zoomWarmModel: NetworkModel?
        var zoomSolves = 0
        /// Solves stopped because a newer model was requested.
        var stoppedSolves = 0
        var recent = RecentSolves<SolveResult>(capacity: SolveScheduler.recentCapacity)
        /// The latest request was answered from `recent` (its cache is then the one to keep).
        var latestRecalled = false

        func cachedGrid(_ model: NetworkModel, _ w: ZoomWindow) -> DensityGrid? {
            zoomCache.last { $0.model == model && $0.window.matches(w) }?.grid
        }

        /// The grids of the current zoom request found in the cache; nil if there is no request.
        func zoomProgress() -> ZoomResult? {
            guard let z = zoom else { return nil }
            var grids: [(window: ZoomWindow, grid: DensityGrid)] = []
            for w in z.windows { if let g = cachedGrid(z.model, w) { grids.append((w, g)) } }
            return ZoomResult(model: z.model, grids: grids, complete: grids.count == z.windows.count)
        }
    }

    enum Job {
        case solve(NetworkModel, SolverCache?, accurate: Bool)
        case zoom(NetworkModel, ZoomWindow, SolverCache?)
    }

    private let shared = Mutex(Shared())
    private let queue = DispatchQueue(label: "ntkscope.solve", qos: .userInitiated)
    private let solve: Solve
    private let zoomSolve: ZoomSolve
    private let notify: @Sendable () -> Void

    /// Points of the explorer's density grid: finer than a braille panel on a 200-column terminal
    /// (at most ~130 dots wide in the layers view), and cheap enough for live solves. A zoom window
    /// gets as many, so the zoomed plot is as finely resolved as the full one.
    public static let explorerGridPoints = 256
    /// Zoom windows kept (about a dozen zoom levels of the layers view).
    public static let zoomCacheCapacity = 96
    /// Results kept for models requested again, with their caches (at depth 32 a cache holds
    /// some 20 MB of warm-start points).
    public static let recentCapacity = 4

    /// `notify` is called (on the solve queue, or inside `requestZoom` when the cache answers) whenever a result is ready.
    public init(solve: @escaping Solve = SolveScheduler.engineSolve(gridPoints: SolveScheduler.explorerGridPoints),
                zoomSolve: @escaping ZoomSolve = SolveScheduler.engineZoomSolve(gridPoints: SolveScheduler.explorerGridPoints),
                notify: @escaping @Sendable () -> Void = {}) {
        self.solve = solve
        self.zoomSolve = zoomSolve
        self.notify = notify
    }

    public static func engineSolve(gridPoints: Int) -> Solve {
        let engine = LimitLawEngine()
        return { model, cache, accurate, shouldStop in
            var options = SolveOptions(threads: solverThreads())
            options.gridPoints = gridPoints
            options.accurateCDF = accurate
            return engine.solve(model, options: options, previous: cache, shouldStop: shouldStop)
        }
    }

    /// The engine's threads for the next solve (`SolveOptions.threads`; the laws are the same bit
    /// for bit either way): two while the machine has a core to spare, one when other processes
    /// keep every core busy (1-minute load average ≥ cores − ½). There a pipelined solve waits for
    /// whichever of its threads the kernel has set aside: on 2 busy cores (load 2.6–4) the
    /// explorer's slowest keys took 1.5–2× longer on two threads than on one (docs/performance.md).
    public static func solverThreads() -> Int {
        let threads = SolveOptions.defaultThreads
        guard threads >= 2 else { return 1 }
        var load = [0.0]
        guard getloadavg(&load, 1) == 1 else { return threads }
        return load[0] < Double(sysconf(Int32(_SC_NPROCESSORS_ONLN))) - 0.5 ? threads : 1
    }

    /// The engine on one window: `gridPoints` over `window.range` for that law alone, display-only
    /// (the CDF, masses and moments of a window solve are not used), warm-started from `previous`.
    /// The engine also solves, edges only, the CK layers below the law (they bound its support):
    /// from the full-range cache they are re-solved, from the law's previous window cache reused.
    public static func engineZoomSolve(gridPoints: Int) -> ZoomSolve {
        let engine = LimitLawEngine()
        return { model, window, previous in
            let options = SolveOptions(gridPoints: gridPoints, xRange: window.range, kernels: [window.kernel], accurateCDF: false,
                                       threads: solverThreads())
            let solved = engine.solve(model, options: options, previous: previous)
            guard let s = solved.spectrum(window.kernel) else {
                return (DensityGrid(range: window.range, x: [], density: []), nil)   // drawn from the full grid
            }
            return (DensityGrid(range: window.range, x: s.x, density: s.density), solved.cache)
        }
    }

    public func request(_ model: NetworkModel) {
        let (start, answered) = shared.withLock { s -> (Bool, Bool) in
            s.latest = model
            s.latestRecalled = false
            if var r = s.recent.recall(model) {
                s.latestRecalled = true
                s.pending = nil
                s.cache = r.spectra.cache
                s.accuratePending = r.accurate ? nil : model
                if !r.accurate { s.lastFastMilliseconds = r.milliseconds; s.lastFastWarm = r.warm }
                r.recalled = true
                s.result = r
                return (r.accurate ? false : s.startIfIdle(), true)
            }
            s.pending = model
            return (s.startIfIdle(), false)
        }
        if answered { notify() }
        if start { queue.async { self.work() } }
    }

    /// The windows the view of `request.model` needs under its zoom (replacing any earlier request).
    /// Windows already solved are answered from the cache at once; no windows (×1) cancels.
    public func requestZoom(_ request: ZoomRequest) {
        let (start, answered) = shared.withLock { s -> (Bool, Bool) in
            s.zoom = request.windows.isEmpty ? nil : request
            guard let progress = s.zoomProgress() else { return (false, false) }
            if !progress.grids.isEmpty { s.zoomResult = progress }
            return (progress.complete ? false : s.startIfIdle(), !progress.grids.isEmpty)
        }
        if answered { notify() }
        if start { queue.async { self.work() } }
    }

    /// Jobs in priority order: a new model's fast solve, the zoom windows of the latest model, the
    /// accurate solve.
    private func work() {
        while true {
            let job = shared.withLock { s -> Job? in
                if let m = s.pending {
                    s.pending = nil
                    s.accuratePending = nil
                    return .solve(m, s.cache, accurate: false)
                }
                if let z = s.zoom, s.latest == nil || z.model == s.latest,
                   let w = z.windows.first(where: { s.cachedGrid(z.model, $0) == nil }) {
                    let warm = s.zoomWarmModel == z.model ? s.zoomWarm[w.kernel] : nil
                    return .zoom(z.model, w, warm ?? s.cache)
                }
                if let m = s.accuratePending {
                    s.accuratePending = nil
                    return .solve(m, s.cache, accurate: true)
                }
                s.running = false
                return nil
            }
            switch job {
            case nil: return
            case .solve(let model, let cache, let accurate): runSolve(model, cache, accurate: accurate)
            case .zoom(let model, let window, let cache): runZoom(model, window, cache)
            }
        }
    }

    /// Two phases per model: a fast display-only solve that is shown at once, then, unless a newer
    /// request is already waiting, an accurate solve (CDF by quadrature: exact masses and moments in
    /// the focus view) that replaces it. Either stops early once a newer model is requested (a fast
    /// one only when warm); a stopped solve changes nothing but the count.
    private func runSolve(_ model: NetworkModel, _ cache: SolverCache?, accurate: Bool) {
        let isStale: @Sendable () -> Bool = { [self] in shared.withLock { $0.latest != model } }
        let stale = accurate || cache != nil ? isStale : nil
        let t0 = DispatchTime.now().uptimeNanoseconds
        let spectra = solve(model, cache, accurate, stale)
        if spectra.stopped {
            shared.withLock { $0.stoppedSolves += 1 }
            return
        }
        let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
        let result = SolveResult(model: model, spectra: spectra, display: DisplaySpectrum.byKernel(spectra), milliseconds: ms,
                                 warm: cache != nil, accurate: accurate)
        let fresh = shared.withLock { s -> Bool in
            let isLatest = s.latest == model
            // A stale solve's cache is the best warm start for the pending request, unless the
            // latest model was recalled: its own cache is better.
            if isLatest || !s.latestRecalled { s.cache = spectra.cache }
            // An accurate result keeps the fast phase's timing (and warm or cold) in the header.
            var r = result
            if isLatest, accurate, let shown = s.lastFastMilliseconds { r.milliseconds = shown; r.warm = s.lastFastWarm }
            if accurate || !(s.recent.peek(model)?.accurate ?? false) { s.recent.remember(model, r) }
            guard isLatest else { return false }   // stale: a newer model was requested
            // The same model asked for again while this ran (A → B → A) needs no second solve.
            if s.pending == model { s.pending = nil }
            if accurate, s.accuratePending == model { s.accuratePending = nil }
            if !accurate {
                s.lastFastMilliseconds = ms
                s.lastFastWarm = r.warm
                if s.pending == nil { s.accuratePending = model }
            }
            s.result = r
            return true
        }
        if fresh { notify() }
    }

    private func runZoom(_ model: NetworkModel, _ window: ZoomWindow, _ cache: SolverCache?) {
        let (grid, lawCache) = zoomSolve(model, window, cache)
        let fresh = shared.withLock { s -> Bool in
            s.zoomSolves += 1
            if s.zoomWarmModel != model { s.zoomWarm = [:]; s.zoomWarmModel = model }
            s.zoomWarm[window.kernel] = lawCache
            s.zoomCache.append((model, window, grid))
            if s.zoomCache.count > Self.zoomCacheCapacity { s.zoomCache.removeFirst(s.zoomCache.count - Self.zoomCacheCapacity) }
            guard let z = s.zoom, z.model == model, z.windows.contains(where: { $0.matches(window) }) else { return false }
            s.zoomResult = s.zoomProgress()
            return true
        }
        if fresh { notify() }
    }

    /// The newest finished result, once.
    public func takeResult() -> SolveResult? {
        shared.withLock { s in defer { s.result = nil }; return s.result }
    }

    /// The current zoom request's solved windows (each new window adds to it), once.
    public func takeZoomResult() -> ZoomResult? {
        shared.withLock { s in defer { s.zoomResult = nil }; return s.zoomResult }
    }

    public var isBusy: Bool { shared.withLock { $0.running } }

    /// Zoom windows solved so far (not answered from the cache).
    public var zoomSolveCount: Int { shared.withLock { $0.zoomSolves } }

    /// Solves stopped early because a newer model was requested.
    public var stoppedSolveCount: Int { shared.withLock { $0.stoppedSolves } }
}

extension SolveScheduler.Shared {
    /// Marks the worker running; true if it has to be started.
    mutating func startIfIdle() -> Bool {
        if running { return false }
        running = true
        return true
    }
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
    public func start(model: NetworkModel, sampleSize: Int, data: DataMatrix? = nil, limits: ModelSpectra) {
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
                    try await check.run(model: model, sampleSize: sampleSize, data: data, kernels: kernels, limits: limits, report: report)
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
