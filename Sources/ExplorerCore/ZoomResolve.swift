import LimitLaws

// Zoom re-solving. `z`/`Z` change the x range drawn; magnifying the full-range display grid would
// leave a narrow feature (the bump near 0 of a CK layer, the NTK's small-eigenvalue bulk) with a
// handful of points. So every plot range the view draws under a zoom is a *window*, and the
// density is solved again on each window's own grid (in the background, SolveScheduler). Atoms,
// support edges and moments come from the full-range solve and do not change with the zoom.

/// One law on one x range: a plot range that the view draws under the current zoom.
public struct ZoomWindow: Sendable, Hashable, CustomStringConvertible {
    public var kernel: KernelID
    public var range: ClosedRange<Double>

    public init(kernel: KernelID, range: ClosedRange<Double>) {
        self.kernel = kernel; self.range = range
    }

    /// Ranges closer than this fraction of their width are the same window. The full-range grid
    /// that windows are computed from moves by ~1e-11 of the support between the fast and the
    /// accurate solve of one model (edges re-bisected); that must not trigger a new solve.
    public static let relativeTolerance = 1e-7

    /// The same law and (up to `relativeTolerance`) the same range.
    public func matches(_ other: ZoomWindow) -> Bool {
        guard kernel == other.kernel else { return false }
        let tol = Self.relativeTolerance * max(range.upperBound - range.lowerBound, other.range.upperBound - other.range.lowerBound)
        return abs(range.lowerBound - other.range.lowerBound) <= tol && abs(range.upperBound - other.range.upperBound) <= tol
    }

    public var description: String { "\(kernel) on [\(range.lowerBound), \(range.upperBound)]" }
}

/// A density solved on a uniform grid over `range` (a zoom window's re-solve).
public struct DensityGrid: Sendable {
    public var range: ClosedRange<Double>
    public var x: [Double]
    public var density: [Double]

    public init(range: ClosedRange<Double>, x: [Double], density: [Double]) {
        self.range = range; self.x = x; self.density = density
    }

    /// Whether this grid spans `other` (up to `ZoomWindow.relativeTolerance` of its width).
    public func covers(_ other: ClosedRange<Double>) -> Bool {
        guard x.count >= 2 else { return false }
        let tol = ZoomWindow.relativeTolerance * (other.upperBound - other.lowerBound)
        return range.lowerBound <= other.lowerBound + tol && range.upperBound >= other.upperBound - tol
    }
}

/// The scheduler's zoom job: the windows the view of `model` needs (latest request only).
public struct ZoomRequest: Sendable, Hashable {
    public var model: NetworkModel
    public var windows: [ZoomWindow]
    public init(model: NetworkModel, windows: [ZoomWindow]) { self.model = model; self.windows = windows }

    /// Same model and, window by window, the same windows.
    public func matches(_ other: ZoomRequest) -> Bool {
        model == other.model && windows.count == other.windows.count && zip(windows, other.windows).allSatisfy { $0.matches($1) }
    }
}

/// Re-solved windows of a request (all of them once `complete`).
public struct ZoomResult: Sendable {
    public var model: NetworkModel
    public var grids: [(window: ZoomWindow, grid: DensityGrid)]
    public var complete: Bool
}

extension DisplaySpectrum {
    /// The curve to draw on `range`: of the full-range grid and the re-solved zoom grids that span
    /// `range`, the one with the most points inside it (so the full grid when nothing finer exists).
    public func curve(in range: ClosedRange<Double>) -> (x: [Double], density: [Double]) {
        func pointsInside(_ xs: [Double]) -> Int {
            // grids are sorted: count by two binary searches
            func firstIndex(_ v: Double, inclusive: Bool) -> Int {
                var lo = 0, hi = xs.count
                while lo < hi { let mid = (lo + hi) / 2; if inclusive ? xs[mid] < v : xs[mid] <= v { lo = mid + 1 } else { hi = mid } }
                return lo
            }
            return firstIndex(range.upperBound, inclusive: false) - firstIndex(range.lowerBound, inclusive: true)
        }
        var best = (x: x, density: density)
        var bestCount = pointsInside(x)
        for g in zoomed where g.covers(range) {
            let n = pointsInside(g.x)
            if n >= bestCount { best = (g.x, g.density); bestCount = n }
        }
        return best
    }
}

/// Which windows a view needs, and the synchronous re-solve (headless `render`).
public enum ZoomPlan {
    /// The plot ranges the view of `state` draws under its zoom, one window per law and range:
    /// layers, every law on its range; focus, the selected law; compare, both laws on their own
    /// ranges (the side panels) and on the union (the overlay). None without a zoom, in the
    /// infinite-width mode, or where the range holds no continuous part (the density is exactly 0
    /// there, and the atoms do not depend on the grid).
    public static func windows(state: ExplorerState, spectra: [KernelID: DisplaySpectrum]) -> [ZoomWindow] {
        let d = state.display
        guard d.zoom > 0 || d.xLimits != nil, state.regime == .linearWidth else { return [] }
        var windows: [ZoomWindow] = []
        func add(_ kernel: KernelID, _ range: ClosedRange<Double>) {
            guard let s = spectra[kernel], s.support.contains(where: { $0.overlaps(range) }) else { return }
            let w = ZoomWindow(kernel: kernel, range: range)
            if !windows.contains(where: { $0.matches(w) }) { windows.append(w) }
        }
        switch state.view {
        case .layers:
            for k in state.laws { if let s = spectra[k] { add(k, RangeActions.visibleRange(s, display: d)) } }
        case .focus, .cdf:
            let k = state.selectedKernel
            if let s = spectra[k] { add(k, RangeActions.visibleRange(s, display: d)) }
        case .compare:
            let series = state.compare.compactMap { k in spectra[k].map { (k, $0) } }
            guard series.count == state.compare.count, series.count >= 2 else { return [] }
            // the overlay's range (in λ/mean units when rescaled) in each law's own units, then the side panels'
            let overlay = LinearWidthLayout.compareRange(series.map(\.1), display: d)
            for (k, s) in series { add(k, (overlay.lowerBound * overlay.scale(s))...(overlay.upperBound * overlay.scale(s))) }
            for (k, s) in series.prefix(2) { add(k, RangeActions.visibleRange(s, display: d)) }
        case .edges:
            return []
        }
        return windows
    }

    /// `spectra` with `grids` attached to their laws (replacing any attached before).
    public static func attach(_ grids: [(window: ZoomWindow, grid: DensityGrid)], to spectra: [KernelID: DisplaySpectrum]) -> [KernelID: DisplaySpectrum] {
        var out = spectra
        for k in out.keys { out[k]!.zoomed = grids.filter { $0.window.kernel == k }.map(\.grid) }
        return out
    }

    /// Solves the windows of the view at once and attaches them: what the explorer shows once its
    /// background zoom solves have finished. `cache` is the full-range solve's; as in the scheduler,
    /// a law's second window starts from its first one's cache.
    public static func resolved(state: ExplorerState, spectra: [KernelID: DisplaySpectrum], cache: SolverCache?,
                                solve: SolveScheduler.ZoomSolve = SolveScheduler.engineZoomSolve(gridPoints: SolveScheduler.explorerGridPoints))
        -> [KernelID: DisplaySpectrum] {
        var warm: [KernelID: SolverCache] = [:]
        var grids: [(window: ZoomWindow, grid: DensityGrid)] = []
        for w in windows(state: state, spectra: spectra) {
            let (grid, lawCache) = solve(state.model, w, warm[w.kernel] ?? cache)
            warm[w.kernel] = lawCache
            grids.append((w, grid))
        }
        return attach(grids, to: spectra)
    }
}

/// The event loop's side of zoom re-solving: which request to send when the state or the
/// displayed spectra change, and the re-solved grids of the displayed model.
public struct ZoomTracker: Sendable {
    /// The last request sent (nil before the first zoom).
    public private(set) var requested: ZoomRequest?
    /// Re-solved grids of `gridsModel`, newest last.
    public private(set) var grids: [(window: ZoomWindow, grid: DensityGrid)] = []
    private var gridsModel: NetworkModel?
    /// Grids kept per model (each zoom level of the layers view adds up to L + 2).
    public static let capacity = 96

    public init() {}

    /// Called after keys and after new spectra. Returns the request to send to the scheduler, or nil
    /// when the windows the view needs did not change (y axis, theme, canvas, the selection in the
    /// layers view…) or the spectra on screen are not the current model's yet. A request with no
    /// windows (zoom back to ×1) cancels the scheduler's zoom work; the full-range grid is drawn.
    public mutating func update(state: ExplorerState, spectra: [KernelID: DisplaySpectrum], displayedModel: NetworkModel?) -> ZoomRequest? {
        guard let model = displayedModel, model == state.model else { return nil }
        let request = ZoomRequest(model: model, windows: ZoomPlan.windows(state: state, spectra: spectra))
        if let last = requested, last.matches(request) { return nil }
        if requested == nil && request.windows.isEmpty { return nil }
        requested = request
        return request
    }

    /// A scheduler result: its grids are kept when they belong to the displayed model.
    public mutating func receive(_ result: ZoomResult, displayedModel: NetworkModel?) {
        guard result.model == displayedModel else { return }
        if gridsModel != result.model { grids = []; gridsModel = result.model }
        for g in result.grids {
            grids.removeAll { $0.window.matches(g.window) }
            grids.append(g)
        }
        if grids.count > Self.capacity { grids.removeFirst(grids.count - Self.capacity) }
    }

    /// `spectra` of `model` with this model's re-solved grids attached (none for another model).
    public func attach(to spectra: [KernelID: DisplaySpectrum], model: NetworkModel?) -> [KernelID: DisplaySpectrum] {
        ZoomPlan.attach(model != nil && model == gridsModel ? grids : [], to: spectra)
    }

    /// One pass of the event loop: sends `scheduler` the windows the view needs when they changed,
    /// attaches the grids that arrived to `content.spectra` and sets `content.solve.zoomPending`.
    /// `waitBriefly` is called after sending windows that are not solved yet (the explorer waits a
    /// few ms there, so a fast window solve lands in the same frame). Returns whether what is drawn
    /// changed and the request sent, if any.
    @discardableResult
    public mutating func sync(scheduler: SolveScheduler, state: ExplorerState, content: inout FrameContent,
                              displayedModel: NetworkModel?, waitBriefly: () -> Void = {}) -> (changed: Bool, sent: ZoomRequest?) {
        var changed = false
        let sent = update(state: state, spectra: content.spectra, displayedModel: displayedModel)
        if let sent {
            scheduler.requestZoom(sent)
            if isPending { waitBriefly() }
        }
        if let result = scheduler.takeZoomResult() {
            receive(result, displayedModel: displayedModel)
            content.spectra = attach(to: content.spectra, model: displayedModel)
            changed = true
        }
        if content.solve.zoomPending != isPending {
            content.solve.zoomPending = isPending
            changed = true
        }
        return (changed, sent)
    }

    /// Whether a window of the current request has no re-solved grid yet (the header says "solving").
    public var isPending: Bool {
        guard let r = requested, !r.windows.isEmpty else { return false }
        guard r.model == gridsModel else { return true }
        return r.windows.contains { w in !grids.contains { $0.window.matches(w) } }
    }
}
