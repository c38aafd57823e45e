import Dispatch
import LimitLaws
import Synchronization
import Testing
@testable import ExplorerCore

/// The scheduler stops a solve that a newer request has made stale. An injected solve (the real
/// engine, one thread, a small grid) records every call and holds chosen ones at a gate, so a test
/// can request a new model while a given phase runs. Waits on notifications, never on a clock.
@Suite struct SolveSchedulerTests {
    static let options = SolveOptions(gridPoints: 64, threads: 1)

    final class Probe: Sendable {
        struct Call: Equatable {
            var model: NetworkModel
            var accurate: Bool
            var warm: Bool
            /// Whether `shouldStop` was given, and what it answered once the gate opened.
            var stoppable: Bool
            var staleAtStart: Bool
            var stopped: Bool
        }
        let calls = Mutex<[Call]>([])
        /// (model, accurate) phases to hold at the gate.
        let held = Mutex<[(NetworkModel, Bool)]>([])
        let gate = DispatchSemaphore(value: 0)
        let entered: AsyncStream<NetworkModel>
        let enteredContinuation: AsyncStream<NetworkModel>.Continuation

        init() { (entered, enteredContinuation) = AsyncStream<NetworkModel>.makeStream() }

        func solve() -> SolveScheduler.Solve {
            { model, cache, accurate, shouldStop in
                if self.held.withLock({ $0.contains { $0.0 == model && $0.1 == accurate } }) {
                    self.enteredContinuation.yield(model)
                    self.gate.wait()
                }
                let stale = shouldStop?() ?? false
                var options = SolveSchedulerTests.options
                options.accurateCDF = accurate
                let r = LimitLawEngine().solve(model, options: options, previous: cache, shouldStop: shouldStop)
                self.calls.withLock {
                    $0.append(Call(model: model, accurate: accurate, warm: cache != nil, stoppable: shouldStop != nil,
                                   staleAtStart: stale, stopped: r.stopped))
                }
                return r
            }
        }
    }

    /// The scheduler, its notifications and every result taken.
    struct Loop {
        let scheduler: SolveScheduler
        var wakes: AsyncStream<Void>.Iterator
        var results: [SolveResult] = []

        init(_ probe: Probe) {
            let (stream, continuation) = AsyncStream<Void>.makeStream()
            scheduler = SolveScheduler(solve: probe.solve(), zoomSolve: { _, w, c in (DensityGrid(range: w.range, x: [], density: []), c) },
                                       notify: { continuation.yield() })
            wakes = stream.makeAsyncIterator()
        }

        mutating func take() { if let r = scheduler.takeResult() { results.append(r) } }

        /// Takes results until one of `model`'s accurate phase arrives.
        mutating func untilAccurate(_ model: NetworkModel) async {
            take()
            while !results.contains(where: { $0.model == model && $0.accurate }) {
                _ = await wakes.next()
                take()
            }
        }
    }

    static func fast(_ m: NetworkModel, _ previous: SolverCache?) -> ModelSpectra {
        var o = options
        o.accurateCDF = false
        return LimitLawEngine().solve(m, options: o, previous: previous)
    }

    static func density(_ r: SolveResult?) -> [UInt64] { r?.spectra.spectra.flatMap { $0.density.map(\.bitPattern) } ?? [] }

    static let m1 = NetworkModel.figure1
    static func changed(_ m: NetworkModel, layer: Int, by f: Double) -> NetworkModel {
        var c = m
        c.gammas[layer] *= f
        return c
    }

    /// A request during the accurate phase: the injected solve sees `shouldStop` answer true, the
    /// engine stops, the stale accurate result is never delivered, and the new model's fast result
    /// is, warm-started from the last complete solve's cache (the fast one of the stale model):
    /// the same bits as that solve done directly.
    @Test(.timeLimit(.minutes(5))) func aNewModelStopsTheStaleAccuratePhase() async throws {
        let probe = Probe()
        let m1 = Self.m1, m2 = Self.changed(m1, layer: 2, by: 1.1)
        probe.held.withLock { $0 = [(m1, true), (m2, true)] }
        var loop = Loop(probe)
        var entered = probe.entered.makeAsyncIterator()
        loop.scheduler.request(m1)
        #expect(await entered.next() == m1)       // m1 shown fast; its accurate phase is at the gate
        loop.take()
        loop.scheduler.request(m2)
        probe.gate.signal()
        #expect(await entered.next() == m2)       // m2's fast phase done, its accurate one at the gate
        loop.take()
        probe.gate.signal()
        await loop.untilAccurate(m2)

        #expect(loop.results.map(\.model) == [m1, m2, m2])
        #expect(loop.results.map(\.accurate) == [false, false, true])
        #expect(!loop.results.contains { $0.model == m1 && $0.accurate })
        let calls = probe.calls.withLock { $0 }
        #expect(calls == [
            .init(model: m1, accurate: false, warm: false, stoppable: false, staleAtStart: false, stopped: false),
            .init(model: m1, accurate: true, warm: true, stoppable: true, staleAtStart: true, stopped: true),
            .init(model: m2, accurate: false, warm: true, stoppable: true, staleAtStart: false, stopped: false),
            .init(model: m2, accurate: true, warm: true, stoppable: true, staleAtStart: false, stopped: false),
        ])
        #expect(loop.scheduler.stoppedSolveCount == 1)
        let expected = Self.fast(m2, Self.fast(m1, nil).cache)
        #expect(!Self.density(loop.results[1]).isEmpty)
        #expect(Self.density(loop.results[1]) == expected.spectra.flatMap { $0.density.map(\.bitPattern) })
    }

    /// A model requested again is answered from the recent results inside `request`: no solve,
    /// the same bits as its accurate result, marked recalled; a model whose accurate phase was
    /// stopped is recalled fast and then gets its accurate phase, warm from the recalled cache.
    @Test(.timeLimit(.minutes(5))) func aModelSeenAgainIsRecalledWithoutASolve() async throws {
        let probe = Probe()
        let m1 = Self.m1, m2 = Self.changed(m1, layer: 1, by: 1.25)
        probe.held.withLock { $0 = [(m1, true)] }
        var loop = Loop(probe)
        var entered = probe.entered.makeAsyncIterator()
        loop.scheduler.request(m1)
        #expect(await entered.next() == m1)       // m1 shown fast; its accurate phase is at the gate
        loop.take()
        loop.scheduler.request(m2)
        probe.held.withLock { $0 = [] }
        probe.gate.signal()                       // m1's accurate phase stops: m1 is kept fast only
        await loop.untilAccurate(m2)
        let solved = probe.calls.withLock { $0.count }

        loop.scheduler.request(m2)                // m2 again: its accurate result, at once
        let again = try #require(loop.scheduler.takeResult())
        #expect(again.recalled && again.accurate && again.model == m2)
        let m2Accurate = try #require(loop.results.last { $0.model == m2 && $0.accurate })
        #expect(Self.density(again) == Self.density(m2Accurate))
        #expect(probe.calls.withLock { $0.count } == solved, "no solve for a recalled model")

        loop.results = []
        loop.scheduler.request(m1)                // m1 again: its fast result at once, then its accurate phase
        await loop.untilAccurate(m1)
        #expect(loop.results.map(\.recalled) == [true, false])
        #expect(loop.results.map(\.accurate) == [false, true])
        let calls = probe.calls.withLock { $0 }
        #expect(calls.count == solved + 1)
        #expect(calls.last == .init(model: m1, accurate: true, warm: true, stoppable: true, staleAtStart: false, stopped: false))
        #expect(Self.density(loop.results[0]) == Self.fast(m1, nil).spectra.flatMap { $0.density.map(\.bitPattern) })
    }

    /// A → B → A while A's accurate phase runs: A is recalled fast, B is never solved, and A's
    /// running accurate phase, current again, is the only one (not queued a second time).
    @Test(.timeLimit(.minutes(5))) func backAndForthDuringTheAccuratePhaseSolvesItOnce() async throws {
        let probe = Probe()
        let m1 = Self.m1, m2 = Self.changed(m1, layer: 2, by: 1.25)
        probe.held.withLock { $0 = [(m1, true)] }
        var loop = Loop(probe)
        var entered = probe.entered.makeAsyncIterator()
        loop.scheduler.request(m1)
        #expect(await entered.next() == m1)       // m1 shown fast; its accurate phase is at the gate
        loop.scheduler.request(m2)
        loop.scheduler.request(m1)
        probe.held.withLock { $0 = [] }
        probe.gate.signal()
        await loop.untilAccurate(m1)
        while loop.scheduler.isBusy { _ = await loop.wakes.next() }
        let calls = probe.calls.withLock { $0 }
        #expect(calls == [
            .init(model: m1, accurate: false, warm: false, stoppable: false, staleAtStart: false, stopped: false),
            .init(model: m1, accurate: true, warm: true, stoppable: true, staleAtStart: false, stopped: false),
        ])
        #expect(loop.results.contains { $0.model == m1 && $0.recalled && !$0.accurate })
    }

    /// The last `capacity` models once each, the most recent last, and the first model always.
    @Test func recentSolvesKeepTheLastFewModelsOnce() {
        var r = RecentSolves<Int>(capacity: 2)
        let a = Self.m1, b = Self.changed(a, layer: 1, by: 2), c = Self.changed(a, layer: 2, by: 2)
        r.remember(a, 1); r.remember(b, 2); r.remember(a, 3)
        #expect(r.entries.map(\.value) == [2, 3])   // a replaced, not kept twice
        #expect(r.recall(b) == 2)                   // b becomes the most recent
        let d = Self.changed(a, layer: 3, by: 2)
        r.remember(c, 4); r.remember(d, 5)          // b goes; a, the first model, stays beyond the capacity
        #expect(r.entries.map(\.value) == [4, 5])
        #expect(r.recall(b) == nil)
        #expect(r.recall(a) == 3)                   // the first model's latest value (reset)
        #expect(r.entries.map(\.value) == [5, 3] && r.recall(c) == nil)
    }

    /// A superseded fast phase: a cold one is not stoppable (its cache makes the next solves warm)
    /// and its result is dropped; a warm one stops, and the next model's fast phase starts from the
    /// cache before it (the accurate solve of the model shown).
    @Test(.timeLimit(.minutes(5))) func aSupersededFastPhaseStopsOnlyWhenWarm() async throws {
        let probe = Probe()
        let m1 = Self.m1, m2 = Self.changed(m1, layer: 1, by: 1.1)
        let m3 = Self.changed(m2, layer: 3, by: 0.9), m4 = Self.changed(m3, layer: 3, by: 0.9)
        // The fast phases of m1 and m3 are held; the accurate ones of m2 and m4 too, so that their
        // fast results are taken before the accurate ones replace them.
        probe.held.withLock { $0 = [(m1, false), (m3, false), (m2, true), (m4, true)] }
        var loop = Loop(probe)
        var entered = probe.entered.makeAsyncIterator()
        loop.scheduler.request(m1)
        #expect(await entered.next() == m1)
        loop.scheduler.request(m2)
        probe.gate.signal()
        #expect(await entered.next() == m2)
        loop.take()
        probe.gate.signal()
        await loop.untilAccurate(m2)
        loop.scheduler.request(m3)
        #expect(await entered.next() == m3)
        loop.scheduler.request(m4)
        probe.gate.signal()
        #expect(await entered.next() == m4)
        loop.take()
        probe.gate.signal()
        await loop.untilAccurate(m4)

        #expect(!loop.results.contains { $0.model == m1 || $0.model == m3 })
        #expect(loop.results.filter { !$0.accurate }.map(\.model) == [m2, m4])
        let calls = probe.calls.withLock { $0 }
        #expect(calls.map(\.model) == [m1, m2, m2, m3, m4, m4])
        #expect(calls.map(\.stoppable) == [false, true, true, true, true, true])
        #expect(calls.map(\.stopped) == [false, false, false, true, false, false])
        #expect(loop.scheduler.stoppedSolveCount == 1)
        // m2 warm from m1's fast cache; m4 warm from m2's accurate cache.
        var accurate = Self.options
        accurate.accurateCDF = true
        let m2Fast = Self.fast(m2, Self.fast(m1, nil).cache)
        let m2Accurate = LimitLawEngine().solve(m2, options: accurate, previous: m2Fast.cache)
        let m4Fast = try #require(loop.results.first { $0.model == m4 && !$0.accurate })
        #expect(Self.density(m4Fast) == Self.fast(m4, m2Accurate.cache).spectra.flatMap { $0.density.map(\.bitPattern) })
    }
}
