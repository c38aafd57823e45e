import Foundation
import Testing
@testable import NetworkSampling
import LimitLaws

/// Every sampled spectrum carries its residuals against tr K and ‖K‖_F, the statement printed beside a run.
@Suite struct SpectrumInvariantsTests {
    /// The residual formulas on a hand-made case: eigenvalues 1 and 3 of a matrix with trace 4 and ‖K‖_F² = 10
    /// agree exactly; a trace of 4.03 is a mean shift of 0.015 = 0.005·λ_max, ‖K‖_F² = 10.1 a relative
    /// Frobenius gap of 1 − √(10/10.1).
    @Test func residualsOfAKnownSpectrum() {
        let exact = SpectrumInvariants(eigenvalues: [1, 3], trace: 4, frobeniusSquared: 10)
        #expect(exact.traceResidual == 0 && exact.frobeniusResidual == 0)
        let off = SpectrumInvariants(eigenvalues: [1, 3], trace: 4.03, frobeniusSquared: 10.1)
        #expect(abs(off.traceResidual - 0.005) < 1e-12)
        #expect(abs(off.frobeniusResidual - (1 - (10 / 10.1).squareRoot())) < 1e-12)
    }

    /// The sums the sampler checks against are those of the kernel matrices themselves (built by the float64
    /// path, independently of the eigen solve), and the eigenvalues meet them to rounding: 1e-12 in float64,
    /// 1e-5 in float32 (u = 6e-8, n = 150).
    @Test(arguments: [Precision.float64, .float32])
    func everySpectrumMeetsTheTraceAndFrobeniusOfItsMatrix(_ precision: Precision) throws {
        let req = SamplingRequest(model: try model("tanh", gamma0: 1.5, gammas: [1.0, 0.7]), n: 150, seed: 4, precision: precision)
        let spectra = try NetworkSampler.spectra(req)
        let matrices = try NetworkSampler.kernelMatrices(req)
        let bound = precision == .float64 ? 1e-12 : 1e-5
        #expect(spectra.count == req.kernels.count)
        for s in spectra {
            let inv = try #require(s.invariants, "\(s.kernel)")
            #expect(inv.traceResidual < bound && inv.frobeniusResidual < bound, "\(s.kernel): \(inv)")
            // Independent oracle: the eigenvalues' sums against the float64 kernel matrix's trace and norm.
            let k = try #require(matrices[s.kernel]), n = req.sampleCount
            let trace = (0..<n).reduce(0.0) { $0 + k[$1 * n + $1] }
            let frob = k.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
            let top = s.eigenvalues.map(abs).max()!
            let tol = precision == .float64 ? 1e-12 : 1e-4
            #expect(abs(s.eigenvalues.reduce(0, +) - trace) / (Double(n) * top) < tol, "\(s.kernel) trace")
            #expect(abs(s.eigenvalues.reduce(0) { $0 + $1 * $1 }.squareRoot() - frob) / frob < tol, "\(s.kernel) Frobenius")
        }
        let statement = try #require(SpectrumInvariants.statement(spectra, precision: precision))
        #expect(statement.contains("\(spectra.count) kernels") && statement.contains(precision.rawValue))
    }
}
