import Testing
@testable import LimitLaws

/// The explorer draws a display-only solve first (looser series tolerances, no CDF quadrature)
/// and replaces it with the accurate one. The first must already look the same: on the same grid
/// its density may differ from the accurate one by at most 1% of the panel's height, far below one
/// braille dot of a 60-row terminal (a dot is 1/4 of a row: 0.4% of a 60-row panel at best).
@Suite struct DisplaySolveTests {
    static let models: [NetworkModel] = [
        .figure1,
        NetworkModel(activation: try! .named("tanh"), input: .marcenkoPastur(gamma0: 0.5), gammas: [2, 0.3, 4]),
        NetworkModel(activation: try! .named("relu"), input: .orthonormal, gammas: [1.5, 1.5, 0.2]),
        NetworkModel(activation: try! .bFamily(0.9), input: .marcenkoPastur(gamma0: 3), gammas: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]),
    ]

    @Test(arguments: 0..<models.count)
    func displayOnlyDensityMatchesTheAccurateOne(index: Int) throws {
        let engine = LimitLawEngine()
        let model = Self.models[index]
        let accurate = engine.solve(model, options: SolveOptions(gridPoints: 256, accurateCDF: true))
        for law in accurate.spectra {
            let fast = try #require(engine.solve(model, options: SolveOptions(gridPoints: 256, xRange: law.x.first!...law.x.last!, kernels: [law.kernel], accurateCDF: false)).spectra.first)
            let top = law.density.filter(\.isFinite).max() ?? 1
            var worst = 0.0
            for (a, b) in zip(law.density, fast.density) { worst = max(worst, abs(a - b)) }
            #expect(worst <= 0.01 * top, "\(law.kernel) of model \(index): \(worst / top) of the peak")
            #expect(fast.failures == 0)
        }
    }
}

/// Where a support interval's series does not converge (Figure 1's CK layer 4: bump and bulk merge
/// at a sharp neck), the display grid is interpolated from the adaptive Simpson samples instead of
/// solved again. Layer 5's series converges at N = 512 (its mass changed by 1.25·10⁻⁹ from N = 256,
/// 1/2000 of the change before: `LawSolver.massError`); it took the Simpson path before. Oracle:
/// Newton at every grid point, on the physical branch.
@Suite struct SimpsonInterpolationTests {
    @Test(arguments: [(4, false), (5, true)])
    func interpolatedDensityMatchesPointSolves(layer: Int, series: Bool) throws {
        let model = NetworkModel.figure1
        let law = try #require(LimitLawEngine().solve(model, options: SolveOptions(gridPoints: 400, kernels: [.ck(layer)])).spectra.first)
        if series {
            #expect(law.series.count == law.support.count, "layer \(layer) should converge as a series")
        } else {
            #expect(law.series.count < law.support.count, "the neck interval should take the Simpson path")
        }
        let chain = try #require(LimitLawEngine.chain(for: .ck(layer), model: model, combination: nil))
        var solver = LawSolver(kernel: .ck(layer), chain: chain, request: LawRequest(gridPoints: 400, xRange: nil, accurateCDF: true))
        let peak = law.density.max() ?? 1
        var worst = 0.0
        for (x, d) in zip(law.x, law.density) where law.support.contains(where: { $0.contains(x) }) {
            let solved = solver.solvePoint(x, verifyOutside: true)
            let exact = try #require(solved)
            worst = max(worst, abs(exact.density - d))
        }
        #expect(worst < 1e-6 * peak, "worst difference \(worst / peak) of the peak")
    }
}

/// Figure 1's CK layer 3 has a gap [0.284, 0.322] that the uniform scan steps over (one interval
/// from 0.0095 to 11.2 at first). A node of that interval's series falls in the gap at N = 128; the
/// interval is then split there before any Simpson pass, and both parts converge as series (before,
/// the whole interval went through adaptive Simpson first: 1186 points instead of 516). Oracle:
/// continuation from large Im z (which no neighbour's guess can mislead) at the gap's midpoint and
/// inside each part, and the exact mean.
@Suite struct SplitAtGapTests {
    @Test func figureOneLayerThreeSplitsAtItsGap() throws {
        let model = NetworkModel.figure1
        let law = try #require(LimitLawEngine().solve(model, options: SolveOptions(kernels: [.ck(3)])).spectra.first)
        #expect(law.support.count == 2)
        #expect(law.series.count == law.support.count, "both parts should converge as series")
        #expect(!law.checkFailed)
        #expect(abs(law.numericalMoments[0] - law.mean) < 1e-9)
        guard law.support.count == 2 else { return }
        let chain = try #require(LimitLawEngine.chain(for: .ck(3), model: model, combination: nil))
        var solver = ChainSolver(chain: chain)
        func imaginaryPart(_ x: Double) throws -> Double {
            let solved = solver.solveByContinuation(x: x, eta: 1e-12, scale: 30)
            let s = try #require(solved)
            return s.stieltjes.imaginary
        }
        let gap = 0.5 * (law.support[0].upperBound + law.support[1].lowerBound)
        #expect(try imaginaryPart(gap) < 1e-8, "the gap's midpoint \(gap) is outside")
        for part in law.support {
            let mid = 0.5 * (part.lowerBound + part.upperBound)
            #expect(try imaginaryPart(mid) > 1e-3, "\(mid) is inside")
        }
        // From the one interval the scan finds, the first quadrature splits at the gap before any
        // Simpson pass: two intervals, each fitted by its series.
        var lawSolver = LawSolver(kernel: .ck(3), chain: chain, request: LawRequest(gridPoints: 400, xRange: nil))
        var merged = [law.support[0].lowerBound...law.support[1].upperBound]
        let q = lawSolver.integrateSplittingAtGaps(&merged)
        #expect(merged.count == 2)
        #expect(q.fits.allSatisfy { if case .series = $0 { return true } else { return false } })
        if merged.count == 2 {
            #expect(merged[0].upperBound < gap && merged[1].lowerBound > gap)
        }
    }
}

/// The CK layers of a deep network peak next to their lower edge; their series take the map
/// stretched towards it (`SupportSeries.stretch`). Oracles: point solves by continuation from large
/// Im z at points across the support, and the exact mean and variance (the self-check).
@Suite struct StretchedSeriesSolveTests {
    @Test func aDeepLayersSeriesIsStretchedAndAgreesWithContinuation() throws {
        var model = NetworkModel.figure1
        model.gammas = Array(repeating: 0.5, count: 20)
        let law = try #require(LimitLawEngine().solve(model, options: SolveOptions(kernels: [.ck(10)])).spectra.first)
        #expect(!law.checkFailed && law.failures == 0)
        let series = try #require(law.series.first)
        #expect(law.series.count == law.support.count)
        #expect(series.stretch > 0, "the series of CK layer 10 should use the stretched map")
        #expect(series.order <= 128, "N = \(series.order)")
        let chain = try #require(LimitLawEngine.chain(for: .ck(10), model: model, combination: nil))
        var solver = ChainSolver(chain: chain)
        let (a, b) = (series.interval.lowerBound, series.interval.upperBound)
        let peak = law.maxDensity
        for k in 1..<60 {
            // denser next to the lower edge, where the density peaks
            let x = a + (b - a) * Double.pow(Double(k) / 60, 3)
            let solved = solver.solveByContinuation(x: x, eta: 1e-13 * (b - a), scale: b - a)
            let m = try #require(solved)
            #expect(abs(law.densityAt(x) - m.stieltjes.imaginary / Double.pi) <= 1e-7 * peak, "x = \(x)")
        }
    }
}

/// A warm solve refines each old edge inside a bracket; an edge close to the enclosure's lower end
/// used a bracket of 2% of the interval's width, and the bisection (to 10⁻⁶ of its bracket) left it
/// 10⁻⁷ off in absolute terms: a deep linear network's CK layer 36, lower edge 1.0758·10⁻⁵, came out
/// 0.4% low after a γ₀ key (and CK layer 63, 5.33·10⁻⁷, 12% low after b_σ 0.95 → 1). Oracle: for a
/// linear network the CK law is MP(γ₀) ⊠ MP(γ₁) ⊠ … with S(w) = Π 1/(1 + γ_i w), so its edges are
/// z(w) = (1 + w)/w · Π (1 + γ_i w) at the real critical points of z; the lower edge of the continuous
/// part is the one with w in (−1, 0) and z > 0.
@Suite struct WarmLowerEdgeTests {
    /// The lower edge of MP(γ₀) ⊠ … ⊠ MP(γ_L) from the critical points of z(w), by bisection on
    /// d log z/dw = 1/(1 + w) − 1/w + Σ γ_i/(1 + γ_i w) between its poles in (−1, 0).
    static func lowerEdge(_ gammas: [Double]) -> Double? {
        func f(_ w: Double) -> Double { 1 / (1 + w) - 1 / w + gammas.reduce(0) { $0 + $1 / (1 + $1 * w) } }
        func z(_ w: Double) -> Double { (1 + w) / w * gammas.reduce(1) { $0 * (1 + $1 * w) } }
        let poles = ([-1.0, 0] + gammas.filter { $0 > 1 }.map { -1 / $0 }).sorted()
        var best: Double?
        for (a, b) in zip(poles, poles.dropFirst()) where b > a {
            var previous: (w: Double, f: Double)?
            for k in 1..<4000 {
                let w = a + (b - a) * Double(k) / 4000
                let fw = f(w)
                if let p = previous, p.f.sign != fw.sign, p.f.isFinite, fw.isFinite {
                    var (lo, hi) = (p.w, w)
                    for _ in 0..<200 { let mid = 0.5 * (lo + hi); if f(mid).sign == f(lo).sign { lo = mid } else { hi = mid } }
                    let edge = z(0.5 * (lo + hi))
                    if edge > 0 { best = min(best ?? edge, edge) }
                }
                previous = (w, fw)
            }
        }
        return best
    }

    @Test func theOracleGivesMarcenkoPastursEdge() throws {
        let e = try #require(Self.lowerEdge([3]))
        #expect(abs(e - (1 - 3.0.squareRoot()) * (1 - 3.0.squareRoot())) < 1e-12)
    }

    @Test func aWarmSolveKeepsATinyLowerEdgeToItsRelativeAccuracy() throws {
        let linear = try Activation.bFamily(1)
        let gammas = [0.4] + Array(repeating: 0.5, count: 35)
        let before = NetworkModel(activation: linear, input: .marcenkoPastur(gamma0: 3), gammas: gammas)
        var after = before
        after.input = .marcenkoPastur(gamma0: 2.4)
        let options = SolveOptions(kernels: [.ck(36)])
        let first = LimitLawEngine().solve(before, options: options)
        let warm = try #require(LimitLawEngine().solve(after, options: options, previous: first.cache).spectra.first)
        let exact = try #require(Self.lowerEdge([2.4] + gammas))
        let edge = try #require(warm.support.first?.lowerBound)
        #expect(warm.statistics.points < 2000, "solved warm")
        #expect(abs(edge / exact - 1) < 1e-5, "lower edge \(edge) against \(exact)")
        #expect(!warm.checkFailed)
    }
}
