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
