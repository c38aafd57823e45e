import Testing
import LimitLaws
@testable import ExplorerCore

/// The focus view's masses come from the engine's quadrature, not from the display grid.
@Suite struct DisplaySpectrumMassTests {
    @Test func massesAreTheSolversNotTheGrids() throws {
        // Figure 1, CK layer 1: the input's atom (2/3 of the mass at 0) becomes a narrow bump on
        // about [0.005, 0.097] that a 256-point grid over [0, 9] resolves with a few points only.
        let solved = LimitLawEngine().solve(.figure1, options: SolveOptions(gridPoints: 256, kernels: [.ck(1)], accurateCDF: false))
        let law = try #require(solved.spectrum(.ck(1)))
        let shown = DisplaySpectrum(law)
        #expect(abs(shown.continuousMass - 1) < 1e-6)
        #expect(abs(shown.mass(in: 0...0.1) - 2.0 / 3.0) < 1e-6)
        // The grid alone gets it badly wrong: that is what the screen showed before.
        var gridOnly = shown
        gridOnly.law = nil
        #expect(abs(gridOnly.mass(in: 0...0.1) - 2.0 / 3.0) > 0.05)
    }
}

@Suite struct MassDeficitTests {
    @Test func aLawMissingMassSaysSoInTheFocusFacts() {
        func law(continuous: Double) -> LimitSpectrum {
            LimitSpectrum(kernel: .ntk, x: [0, 1, 2], density: [0, 0.3, 0], atoms: [Atom(location: 0, mass: 0.2)], support: [0...2],
                          mean: 1, secondMoment: 2, continuousMass: continuous, numericalMoments: [1, 2, 3, 4],
                          statistics: SolverStatistics(), cdfX: [0, 2], cdfF: [0, continuous])
        }
        let bad = ScreenLayout.lawFacts(DisplaySpectrum(law(continuous: 0.3)), maxIntervals: 4, maxAtoms: 3)
        #expect(bad.contains { $0.0.contains("50% not found") && $0.1 == .warning })
        let good = ScreenLayout.lawFacts(DisplaySpectrum(law(continuous: 0.8)), maxIntervals: 4, maxAtoms: 3)
        #expect(!good.contains { $0.0.contains("not found") })
    }
}
