#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
@testable import LimitLaws

/// The engine solves the laws of a model on two threads (`SolveOptions.threads`), law ℓ + 1 starting
/// from the edge law ℓ's support scan predicts. Oracle: the same solve on one thread, which is the
/// plain serial loop; every number of every law must be the same, bit for bit.
@Suite struct LawPipelineTests {
    static let models: [NetworkModel] = [
        .figure1,
        NetworkModel(activation: try! .named("tanh"), input: .marcenkoPastur(gamma0: 0.5), gammas: [2, 0.3, 4]),
        NetworkModel(activation: try! .named("relu"), input: .orthonormal, gammas: [1.5, 1.5, 0.2]),
        NetworkModel(activation: try! .bFamily(0.9), input: .marcenkoPastur(gamma0: 3), gammas: Array(repeating: 0.5, count: 8)),
        NetworkModel(activation: try! .named("arctan"), input: .discrete(eigenvalues: [0.5, 1, 1, 2]),
                     gammas: [0.5, 2, 0.5]),
    ]

    static func bits(_ v: [Double]) -> [UInt64] { v.map(\.bitPattern) }

    static func expectSame(_ a: ModelSpectra, _ b: ModelSpectra, _ label: String) {
        #expect(a.spectra.count == b.spectra.count, "\(label)")
        for (s, t) in zip(a.spectra, b.spectra) {
            #expect(s.kernel == t.kernel)
            #expect(bits(s.x) == bits(t.x), "\(label) \(s.kernel): grid")
            #expect(bits(s.density) == bits(t.density), "\(label) \(s.kernel): density")
            #expect(bits(s.support.flatMap { [$0.lowerBound, $0.upperBound] }) == bits(t.support.flatMap { [$0.lowerBound, $0.upperBound] }),
                    "\(label) \(s.kernel): support")
            #expect(bits(s.atoms.flatMap { [$0.location, $0.mass] }) == bits(t.atoms.flatMap { [$0.location, $0.mass] }), "\(label) \(s.kernel): atoms")
            #expect(s.continuousMass.bitPattern == t.continuousMass.bitPattern, "\(label) \(s.kernel): mass")
            #expect(bits(s.numericalMoments) == bits(t.numericalMoments), "\(label) \(s.kernel): moments")
            #expect(bits(s.cdfX) == bits(t.cdfX) && bits(s.cdfF) == bits(t.cdfF), "\(label) \(s.kernel): CDF table")
            #expect(s.statistics.points == t.statistics.points && s.statistics.iterations == t.statistics.iterations,
                    "\(label) \(s.kernel): the same points solved")
            #expect(s.failures == t.failures && s.checkFailed == t.checkFailed)
        }
    }

    @Test(arguments: 0..<models.count)
    func twoThreadsGiveTheSerialLaws(index: Int) {
        let engine = LimitLawEngine()
        let model = Self.models[index]
        for accurate in [true, false] {
            let one = SolveOptions(gridPoints: 256, accurateCDF: accurate, threads: 1)
            var two = one
            two.threads = 2
            let serial = engine.solve(model, options: one)
            let piped = engine.solve(model, options: two)
            Self.expectSame(serial, piped, "model \(index) cold, accurate \(accurate)")
            // Warm: γ of the second layer changed, from each solve's own cache.
            var changed = model
            changed.gammas[1] *= 1.1
            Self.expectSame(engine.solve(changed, options: one, previous: serial.cache),
                            engine.solve(changed, options: two, previous: piped.cache), "model \(index) warm, accurate \(accurate)")
        }
    }

    /// The explorer's γ keys, display-only and warm from the previous solve as its first phase,
    /// on Figure 1 and on a depth-8 model. A law whose support is scanned again after its first
    /// quadrature (a component appeared, or the mass fell short) finds its right edge again only
    /// to the bisection's tolerance; the laws above, started from the reported edge, were then
    /// solved again (16% of the laws at depth 32). Now that edge keeps the reported value, so no
    /// prediction is wrong: whatever the timing, nothing is solved twice, and the laws are the
    /// serial ones bit for bit.
    @Test func explorerKeysSolveNoLawTwice() {
        let engine = LimitLawEngine()
        let one = SolveOptions(gridPoints: 256, accurateCDF: false, threads: 1)
        var two = one
        two.threads = 2
        var deep = NetworkModel.figure1
        deep.gammas = Array(repeating: 0.5, count: 8)
        for base in [NetworkModel.figure1, deep] {
            var models = [base]
            func step(_ change: (inout NetworkModel) -> Void) { var m = models.last!; change(&m); models.append(m) }
            for _ in 0..<2 { step { $0.gammas[1] *= 1.25 } }
            step { $0.gammas[2] /= 1.25 }
            step { $0.gammas = $0.gammas.map { $0 * 1.25 } }
            step { $0.gammas = $0.gammas.map { $0 / 1.25 } }
            for factor in [1.25, 0.8] {
                step { if case .marcenkoPastur(let g) = $0.input { $0.input = .marcenkoPastur(gamma0: g * factor) } }
            }
            var serial = engine.solve(base, options: one), piped = engine.solve(base, options: two)
            var resolves = piped.pipelineResolves
            for (k, m) in models.enumerated().dropFirst() {
                serial = engine.solve(m, options: one, previous: serial.cache)
                piped = engine.solve(m, options: two, previous: piped.cache)
                resolves += piped.pipelineResolves
                Self.expectSame(serial, piped, "depth \(base.depth), step \(k)")
            }
            #expect(resolves == 0, "depth \(base.depth): \(resolves) laws solved twice")
        }
    }

    /// A zoom window: one law on a range, the CK layers below it solved for their edges only.
    @Test func oneLawOnAWindowWithItsHelperLayers() {
        let engine = LimitLawEngine()
        for kernel in [KernelID.ck(4), .ntk] {
            var options = SolveOptions(gridPoints: 256, xRange: 0.2...3, kernels: [kernel], accurateCDF: false, threads: 1)
            let serial = engine.solve(.figure1, options: options)
            options.threads = 2
            Self.expectSame(serial, engine.solve(.figure1, options: options), "\(kernel) window")
        }
    }

    /// The pipeline alone, with predictions that are often wrong or missing and laws that give no
    /// edge: whatever runs when, the outcomes are the serial fold's (each law a function of the
    /// edges it is given). Each law waits briefly after predicting, so the next one does start on
    /// the other thread from the prediction.
    @Test(arguments: [1, 2, 3])
    func wrongPredictionsAreSolvedAgain(threads: Int) {
        let count = 12
        func law(_ i: Int, _ known: [Int: Double]) -> (value: Double, edge: (level: Int, edge: Double)?) {
            let value = known.sorted { $0.key < $1.key }.reduce(Double(i)) { $0 * 1.000_1 + $1.value * Double($1.key + 1) }
            return (value, i % 4 == 3 ? nil : (i, value.truncatingRemainder(dividingBy: 7) + 1))
        }
        let contributes = (0..<count).map { $0 % 5 != 4 }
        // Laws that do not contribute give no edge (as the engine's NTK).
        func lawOf(_ i: Int, _ known: [Int: Double]) -> (value: Double, edge: (level: Int, edge: Double)?) {
            let r = law(i, known)
            return contributes[i] ? r : (r.value, nil)
        }
        var reference: [Double] = []
        var known: [Int: Double] = [:]
        for i in 0..<count {
            let r = lawOf(i, known)
            reference.append(r.value)
            if let e = r.edge { known[e.level] = e.edge }
        }
        for _ in 0..<5 {
            let pipeline = LawPipeline<Double>(count: count, contributes: contributes) { i, known, predicted in
                let r = lawOf(i, known)
                switch i % 3 {
                case 0: predicted(r.edge)                                            // right
                case 1: predicted(r.edge.map { ($0.level, $0.edge + 0.5) } ?? (i, 1))  // wrong
                default: break                                                       // none
                }
                usleep(2000)
                return (r.value, r.edge)
            }
            let (outcomes, resolved, committed, stopped) = pipeline.run(threads: threads)
            #expect(outcomes.map { $0?.value } == reference.map { Optional($0) })
            #expect(committed == count && !stopped)
            if threads == 1 { #expect(resolved == 0) }
        }
    }

    /// Counts the calls of a `shouldStop` and answers true from call `after + 1` on.
    final class StopAfter: Sendable {
        let asked = Mutex(0)
        let after: Int
        init(after: Int) { self.after = after }
        var closure: @Sendable () -> Bool { { self.asked.withLock { $0 += 1; return $0 > self.after } } }
    }

    /// On one thread `shouldStop` is asked once before each law: answering true at the (k + 1)-th
    /// question stops the solve after exactly k laws, with no spectra and the cache it was given.
    @Test(arguments: [0, 1, 3, 6])
    func aStoppedSolveSaysSoAndCountsItsLaws(k: Int) {
        let engine = LimitLawEngine()
        let model = NetworkModel.figure1          // CK 0…5 and the NTK: 7 laws
        let options = SolveOptions(gridPoints: 256, accurateCDF: false, threads: 1)
        let stop = StopAfter(after: k)
        let stopped = engine.solve(model, options: options, shouldStop: stop.closure)
        #expect(stopped.stopped)
        #expect(stopped.lawsSolved == k)
        #expect(stop.asked.withLock { $0 } == k + 1)
        #expect(stopped.spectra.isEmpty)
        #expect(stopped.cache.isEmpty)            // no previous cache: an empty one, not the k laws
        // With a previous cache, that cache comes back untouched: a warm start from it gives the
        // same laws, bit for bit, as from the complete solve's cache it is.
        let full = engine.solve(model, options: options)
        #expect(!full.stopped && full.lawsSolved == model.depth + 2)
        var changed = model
        changed.gammas[2] *= 1.05
        let again = engine.solve(changed, options: options, previous: full.cache, shouldStop: StopAfter(after: k).closure)
        #expect(again.stopped && again.lawsSolved == k && again.spectra.isEmpty)
        Self.expectSame(engine.solve(changed, options: options, previous: again.cache),
                        engine.solve(changed, options: options, previous: full.cache), "warm from a stopped solve's cache")
    }

    /// On two threads the number of questions depends on the timing, but a stop still gives no
    /// spectra, and a `shouldStop` that never answers true changes nothing, bit for bit.
    @Test(arguments: [1, 2])
    func shouldStopChangesNothingUntilItAnswersTrue(threads: Int) {
        let engine = LimitLawEngine()
        for model in [Self.models[0], Self.models[3]] {
            let options = SolveOptions(gridPoints: 256, accurateCDF: true, threads: threads)
            let plain = engine.solve(model, options: options)
            let asked = Mutex(0)
            let never = engine.solve(model, options: options, shouldStop: { asked.withLock { $0 += 1 }; return false })
            Self.expectSame(plain, never, "never stopping, \(threads) threads")
            #expect(!never.stopped && never.lawsSolved == plain.spectra.count)
            #expect(asked.withLock { $0 } >= plain.spectra.count)
            let stopped = engine.solve(model, options: options, shouldStop: StopAfter(after: 2).closure)
            #expect(stopped.stopped && stopped.spectra.isEmpty && stopped.lawsSolved <= 2)
        }
    }

    /// The pipeline alone: once `shouldStop` answers true no law is started; the outcomes before
    /// the committed count are the serial ones, the rest nil.
    @Test(arguments: [1, 2])
    func aStoppedPipelineKeepsOnlyCommittedLaws(threads: Int) {
        let count = 10
        let started = Mutex<[Int]>([])
        let stop = StopAfter(after: 4)
        let pipeline = LawPipeline<Int>(count: count, contributes: Array(repeating: true, count: count),
                                        shouldStop: stop.closure) { i, _, _ in
            started.withLock { $0.append(i) }
            return (i * i, (i, Double(i)))
        }
        let (outcomes, _, committed, stopped) = pipeline.run(threads: threads)
        #expect(stopped && committed <= 4)
        #expect(outcomes.count == count)
        #expect(outcomes.prefix(committed).map { $0?.value } == (0..<committed).map { Optional($0 * $0) })
        #expect(outcomes.dropFirst(committed).allSatisfy { $0 == nil })
        if threads == 1 { #expect(committed == 4 && started.withLock { $0 } == [0, 1, 2, 3]) }
    }
}
