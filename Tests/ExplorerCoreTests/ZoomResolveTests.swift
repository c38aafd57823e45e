import Foundation
import LimitLaws
import PlotCanvas
import Synchronization
import Testing
@testable import ExplorerCore

/// The event loop's solve and zoom path without a terminal, as TerminalUI's EventLoop runs it: keys
/// through the key map and the reducer, a solve request when the model changed, the scheduler's
/// results attached, and `ZoomTracker.sync` (the loop's zoom step). Waits on the scheduler's
/// notifications, never on a clock; the tests' time limits bound a hang.
struct ExplorerLoop {
    var state: ExplorerState
    var content: FrameContent
    var displayed: NetworkModel?
    var displayedAccurate = false
    var requestedModel: NetworkModel?
    var tracker = ZoomTracker()
    /// Every zoom request the loop sent, in order.
    var sent: [ZoomRequest] = []
    let scheduler: SolveScheduler
    private var wakes: AsyncStream<Void>.Iterator

    init(state: ExplorerState,
         solve: @escaping SolveScheduler.Solve = SolveScheduler.engineSolve(gridPoints: SolveScheduler.explorerGridPoints),
         zoomSolve: @escaping SolveScheduler.ZoomSolve = SolveScheduler.engineZoomSolve(gridPoints: SolveScheduler.explorerGridPoints)) {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        scheduler = SolveScheduler(solve: solve, zoomSolve: zoomSolve, notify: { continuation.yield() })
        wakes = stream.makeAsyncIterator()
        self.state = state
        content = FrameContent(summary: ModelSummary(model: state.model))
        requestSolveIfChanged()
    }

    mutating func requestSolveIfChanged() {
        guard state.model != requestedModel else { return }
        requestedModel = state.model
        scheduler.request(state.model)
    }

    /// Keys, then one pass of the loop.
    mutating func press(_ keys: Key...) {
        for key in keys {
            if let action = KeyMap.action(for: key, in: state) { _ = ExplorerReducer.reduce(&state, action) }
        }
        requestSolveIfChanged()
        step()
    }

    /// One pass: a finished solve replaces the spectra (with the model's zoom grids attached), then the zoom step.
    mutating func step() {
        if let r = scheduler.takeResult() {
            content.spectra = tracker.attach(to: r.display, model: r.model)
            displayed = r.model
            displayedAccurate = r.accurate
        }
        if let request = tracker.sync(scheduler: scheduler, state: state, content: &content, displayedModel: displayed).sent {
            sent.append(request)
        }
    }

    /// Passes until `done`, woken by the scheduler.
    mutating func run(until done: (ExplorerLoop) -> Bool) async throws {
        step()
        while !done(self) {
            guard await wakes.next() != nil else { throw CancellationError() }
            step()
        }
    }

    /// The current model's accurate solve is on screen and every zoom window of the view is re-solved.
    var settled: Bool { displayed == state.model && displayedAccurate && !tracker.isPending && !content.solve.zoomPending }
}

@Suite struct ZoomResolveTests {
    static let points = SolveScheduler.explorerGridPoints

    static func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
    }

    /// Linear interpolation of (xs, ys) at x (NaN counts as 0).
    static func interpolate(_ xs: [Double], _ ys: [Double], at x: Double) -> Double {
        guard let i = xs.lastIndex(where: { $0 <= x }) else { return 0 }
        let a = ys[i].isFinite ? ys[i] : 0
        guard i + 1 < xs.count else { return a }
        let b = ys[i + 1].isFinite ? ys[i + 1] : 0
        return a + (b - a) * (x - xs[i]) / (xs[i + 1] - xs[i])
    }

    /// Figure 1 has both narrow features: two thirds of CK ℓ=1's mass in a bump on [0.0049, 0.097]
    /// (2 points of the full 256-point grid on [0, 9.27]), and the NTK's small-eigenvalue bulk on
    /// [2.72, 3.93] (6 points on [2.57, 56.2]). Zoomed in the focus view, the density drawn must be
    /// the engine's on the zoomed range, agree with a full-range solve on a fine grid, and be far
    /// from the magnified coarse grid; atoms, edges and moments must not change.
    @Test(.timeLimit(.minutes(10)), arguments: [(KernelID.ck(1), 4), (KernelID.ntk, 3)])
    func zoomReSolvesTheNarrowFeature(kernel: KernelID, zoom: Int) async throws {
        let model = NetworkModel.figure1
        var state = ExplorerState(model: model, themeNames: ["dark"], view: .focus)
        state.selection = kernel == .ntk ? model.depth + 1 : 1
        var loop = ExplorerLoop(state: state)
        try await loop.run { $0.settled }
        let full = try #require(loop.content.spectra[kernel])
        let frameBefore = ScreenLayout.render(state: loop.state, content: loop.content, width: 120, height: 40).plainText()

        for _ in 0..<zoom { loop.press(.character("z")) }
        #expect(loop.state.display.zoom == zoom)
        try await loop.run { $0.settled }
        let shown = try #require(loop.content.spectra[kernel])
        // the full-range solve's facts are untouched
        #expect(shown.x == full.x && shown.density == full.density)
        #expect(shown.support == full.support && shown.atoms == full.atoms)
        #expect(shown.mean == full.mean && shown.secondMoment == full.secondMoment)
        #expect(!shown.zoomed.isEmpty)

        let range = ScreenLayout.visibleRange(shown, zoom: zoom)
        let curve = shown.curve(in: range)
        #expect(curve.x.count == Self.points && curve.x.first == range.lowerBound && curve.x.last == range.upperBound)

        // (1) the engine's own solve on the zoomed range (cold, no cache): the same numbers
        let direct = try #require(LimitLawEngine().solve(model, options: SolveOptions(
            gridPoints: Self.points, xRange: range, kernels: [kernel], accurateCDF: false)).spectrum(kernel))
        let peak = direct.maxDensity
        #expect(peak > 0)
        #expect(Self.maxDifference(curve.x, direct.x) <= 1e-12 * (range.upperBound - range.lowerBound))
        #expect(Self.maxDifference(curve.density, direct.density) <= 1e-7 * peak)

        // (2) the oracle: a full-range solve on a 64× finer grid, interpolated at the zoomed points.
        // Its linear interpolation is poor within a few of its steps of a square-root edge, so the
        // tight bound holds away from the edges and a loose one everywhere.
        let oracle = try #require(LimitLawEngine().solve(model, options: SolveOptions(
            gridPoints: 64 * Self.points, kernels: [kernel], accurateCDF: false)).spectrum(kernel))
        let step = oracle.x[1] - oracle.x[0]
        let edges = full.support.flatMap { [$0.lowerBound, $0.upperBound] }
        var resolvedFar = 0.0, resolvedAll = 0.0, magnified = 0.0, far = 0
        for (x, y) in zip(curve.x, curve.density) {
            let truth = Self.interpolate(oracle.x, oracle.density, at: x)
            let error = abs(y - truth) / peak
            resolvedAll = max(resolvedAll, error)
            if edges.allSatisfy({ abs($0 - x) > 4 * step }) { resolvedFar = max(resolvedFar, error); far += 1 }
        }
        for x in direct.x {   // the full-range grid magnified, as drawn before this change
            let truth = Self.interpolate(oracle.x, oracle.density, at: x)
            magnified = max(magnified, abs(Self.interpolate(full.x, full.density, at: x) - truth) / peak)
        }
        #expect(far > Self.points * 9 / 10)
        #expect(resolvedFar < 1e-3, "re-solved density vs the fine oracle away from edges: \(resolvedFar) of the peak")
        #expect(resolvedAll < 3e-2, "re-solved density vs the fine oracle: \(resolvedAll) of the peak")
        #expect(magnified > 0.3, "the magnified coarse grid should miss the feature: \(magnified) of the peak")

        // on screen: the zoomed frame draws the re-solved curve, not the magnified one
        let frame = ScreenLayout.render(state: loop.state, content: loop.content, width: 120, height: 40).plainText()
        var magnifiedContent = loop.content
        magnifiedContent.spectra[kernel]?.zoomed = []
        let magnifiedFrame = ScreenLayout.render(state: loop.state, content: magnifiedContent, width: 120, height: 40).plainText()
        #expect(frame != magnifiedFrame)
        #expect(frame != frameBefore)

        // zooming back out draws the full-range solve again; the full range itself needs no window,
        // and each intermediate level is solved at most once (whether the zoom-in's request for it
        // was solved or superseded by the next key depends on how fast the machine is)
        let solves = loop.scheduler.zoomSolveCount
        for _ in 0..<zoom { loop.press(.character("Z")) }
        try await loop.run { $0.settled }
        #expect(loop.scheduler.zoomSolveCount <= solves + zoom - 1)
        #expect(ScreenLayout.render(state: loop.state, content: loop.content, width: 120, height: 40).plainText() == frameBefore)
    }

    /// Counts full and zoom solves; the zoom solve is a fake (a ramp on 300 points of the window) that can be held
    /// at a gate, so a test can press keys while a window is being solved.
    final class Probe: Sendable {
        struct Counts { var full = 0; var zoom: [ZoomWindow] = [] }
        let counts = Mutex(Counts())
        let held = Mutex<Bool>(false)
        let gate = DispatchSemaphore(value: 0)
        let entered: AsyncStream<Void>
        let enteredContinuation: AsyncStream<Void>.Continuation

        init() { (entered, enteredContinuation) = AsyncStream<Void>.makeStream() }

        var fullSolves: Int { counts.withLock { $0.full } }
        var zoomWindows: [ZoomWindow] { counts.withLock { $0.zoom } }

        func solve() -> SolveScheduler.Solve {
            let engine = SolveScheduler.engineSolve(gridPoints: SolveScheduler.explorerGridPoints)
            return { model, cache, accurate, shouldStop in
                self.counts.withLock { $0.full += 1 }
                return engine(model, cache, accurate, shouldStop)
            }
        }

        func zoomSolve() -> SolveScheduler.ZoomSolve {
            { _, window, cache in
                self.counts.withLock { $0.zoom.append(window) }
                if self.held.withLock({ $0 }) {
                    self.enteredContinuation.yield()
                    self.gate.wait()
                }
                let r = window.range
                let x = (0..<300).map { r.lowerBound + (r.upperBound - r.lowerBound) * Double($0) / 299 }
                return (DensityGrid(range: r, x: x, density: x.map { $0 - r.lowerBound }), cache)
            }
        }
    }

    /// Only keys that change what the view draws under a zoom send a zoom request; zooming back
    /// out, or to a level seen before, solves nothing (the full-range grid, or the window cache);
    /// a model change re-solves the windows once, not again for its accurate phase.
    @Test(.timeLimit(.minutes(10))) func requestsOnlyForZoomChangesAndReusesTheCache() async throws {
        let probe = Probe()
        var loop = ExplorerLoop(state: ExplorerState(model: .figure1, themeNames: ["dark", "light"]),
                                solve: probe.solve(), zoomSolve: probe.zoomSolve())
        try await loop.run { $0.settled }
        let fullSolves = probe.fullSolves
        #expect(fullSolves == 2)   // fast + accurate
        #expect(loop.sent.isEmpty)

        // keys that do not touch the zoom send nothing
        loop.press(.character("y"), .character("t"), .character("m"), .character("l"), .character("h"))
        #expect(loop.sent.isEmpty && probe.zoomWindows.isEmpty)

        // z: one request, one window per law with a continuous part in its zoomed range
        loop.press(.character("z"))
        #expect(loop.sent.count == 1)
        let first = try #require(loop.sent.last)
        let laws = loop.state.laws.filter { k in
            let s = loop.content.spectra[k]!
            let r = ScreenLayout.visibleRange(s, zoom: 1)
            return s.support.contains { $0.overlaps(r) }
        }
        #expect(first.windows.map(\.kernel) == laws && laws.count >= 6)
        try await loop.run { $0.settled }
        #expect(probe.zoomWindows.count == first.windows.count)
        for k in laws {
            let s = loop.content.spectra[k]!
            #expect(s.curve(in: ScreenLayout.visibleRange(s, zoom: 1)).x.count == 300)   // the fake's grid is drawn
        }

        // in the layers view the selection, the y axis, the theme and the canvas do not change the windows
        loop.press(.character("l"), .character("y"), .character("t"), .character("m"))
        #expect(loop.sent.count == 1)

        // Z: back to the full-range solve: a cancelling request, no solve, the full grid drawn
        loop.press(.character("Z"))
        #expect(loop.sent.count == 2 && loop.sent.last?.windows.isEmpty == true)
        #expect(!loop.tracker.isPending)
        for k in laws {
            let s = loop.content.spectra[k]!
            #expect(s.curve(in: ScreenLayout.visibleRange(s, zoom: 0)).x == s.x)
        }

        // z again: the same windows, answered from the cache at once
        loop.press(.character("z"))
        #expect(loop.sent.count == 3 && !loop.tracker.isPending)
        // z, then Z Z: ×4 is solved once, ×2 then comes from the cache and ×1 is the full grid
        loop.press(.character("z"))
        try await loop.run { $0.settled }
        let afterFour = probe.zoomWindows.count
        #expect(afterFour > first.windows.count)
        loop.press(.character("Z"))
        #expect(!loop.tracker.isPending)
        loop.press(.character("Z"))
        #expect(probe.zoomWindows.count == afterFour)
        #expect(probe.fullSolves == fullSolves)   // zoom never solved the full range again

        // a model change while zoomed: its windows once (after the fast phase), none for the accurate phase
        loop.press(.character("z"))
        let sentBefore = loop.sent.count
        loop.press(.character("k"))
        try await loop.run { $0.settled }
        #expect(probe.fullSolves == fullSolves + 2)
        #expect(loop.sent.count == sentBefore + 1)
        #expect(loop.sent.last?.model == loop.state.model)
    }

    /// Repeated z presses while a window is being solved coalesce: the windows of the levels in
    /// between are never solved, only the last level's.
    @Test(.timeLimit(.minutes(10))) func repeatedZoomKeysCoalesce() async throws {
        let probe = Probe()
        var state = ExplorerState(model: .figure1, themeNames: ["dark"], view: .focus)
        state.selection = 1
        var loop = ExplorerLoop(state: state, solve: probe.solve(), zoomSolve: probe.zoomSolve())
        try await loop.run { $0.settled }
        probe.held.withLock { $0 = true }
        loop.press(.character("z"))
        var entered = probe.entered.makeAsyncIterator()
        _ = await entered.next()   // the ×2 window is being solved, held at the gate
        probe.held.withLock { $0 = false }
        loop.press(.character("z"))
        loop.press(.character("z"))
        loop.press(.character("z"))
        probe.gate.signal()
        try await loop.run { $0.settled }
        let solved = probe.zoomWindows
        #expect(solved.count == 2, "\(solved)")
        let s = loop.content.spectra[.ck(1)]!
        #expect(solved.last?.matches(ZoomWindow(kernel: .ck(1), range: ScreenLayout.visibleRange(s, zoom: 4))) == true)
        #expect(loop.sent.count == 4)
    }

    /// What is drawn on a range: the grid with the most points in it among those that span it.
    @Test func curvePicksTheFinestGridThatSpansTheRange() {
        let s = DisplaySpectrum(kernel: .ck(1), x: [0, 1, 2, 3, 4], density: [0, 1, 1, 1, 0], support: [0...4])
        var zoomed = s
        let range = ScreenLayout.visibleRange(s, zoom: 1)
        let x = (0..<9).map { 0.25 * Double($0) }
        zoomed.zoomed = [DensityGrid(range: range, x: x, density: x.map { $0 * 0.5 })]
        #expect(zoomed.curve(in: range).x == x)
        #expect(zoomed.curve(in: 0...4).x == s.x)              // the window does not span the full range
        #expect(zoomed.curve(in: 0...1).x == x)                // a finer grid that spans a sub-range is used
        #expect(zoomed.curve(in: 1.5...2.5).x == s.x)          // not spanned: the full grid
    }
}
