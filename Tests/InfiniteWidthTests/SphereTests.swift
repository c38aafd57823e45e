import Foundation
import Testing
@testable import InfiniteWidth
import LimitLaws

@Suite struct SphereTests {
    @Test func multiplicities() {
        #expect(SphereSpectrum.multiplicity(dimension: 3, degree: 4).rounded() == 9)       // 2k+1
        #expect(SphereSpectrum.multiplicity(dimension: 2, degree: 7).rounded() == 2)
        #expect(SphereSpectrum.multiplicity(dimension: 4, degree: 3).rounded() == 16)      // (k+1)²
        #expect(SphereSpectrum.multiplicity(dimension: 10, degree: 1).rounded() == 10)
        #expect(SphereSpectrum.multiplicity(dimension: 10, degree: 2).rounded() == 54)     // d(d+1)/2 − 1
    }

    /// The exact monomial formula against Gegenbauer quadrature, and Σ_k N λ_k(t^j) = 1.
    @Test func monomialEigenvalues() {
        for d in [2, 3, 5, 12] {
            for j in [0, 1, 2, 5, 8] {
                let q = SphereSpectrum.eigenvaluesByQuadrature(dimension: d, maxDegree: 10, panels: 60) { pow($0, Double(j)) }
                var total = 0.0
                for k in 0...10 {
                    let exact = SphereSpectrum.monomialEigenvalue(power: j, degree: k, dimension: d)
                    #expect(abs(q[k] - exact) < 1e-12, "d=\(d) j=\(j) k=\(k)")
                    total += exact * SphereSpectrum.multiplicity(dimension: d, degree: k)
                }
                #expect(abs(total - 1) < 1e-12)
            }
        }
    }

    /// λ_k of the ReLU NTK from the series against quadrature of the closed-form kernel, within the bound.
    @Test func reluNTKSeriesVersusQuadrature() {
        let s = KernelSeries(activation: activation("relu"), depth: 2, order: 200)
        for d in [3, 8] {
            let series = SphereSpectrum.eigenvalues(s, kernel: .ntk(2), dimension: d, maxDegree: 30)
            let quad = SphereSpectrum.eigenvaluesByQuadrature(dimension: d, maxDegree: 30) { ArcCosine.kernels($0, depth: 2).ntk }
            for e in series {
                #expect(abs(e.lambda - quad[e.degree]) <= e.errorBound + 1e-10, "d=\(d) k=\(e.degree)")
                #expect(e.lambda >= 0)
            }
            let trace = series.reduce(0) { $0 + $1.multiplicity * $1.lambda }
            #expect(trace <= s.valueAtOne(.ntk(2)) + 1e-9)
        }
    }

    /// The Gram spectrum of many uniform points, divided by n, approaches λ_k with multiplicity N(d, k).
    @Test func gramOfUniformPointsApproachesSphereEigenvalues() throws {
        let n = 1500, d = 3
        let s = KernelSeries(activation: activation("tanh"), depth: 2, order: 60)
        let pts = try InputPoints.make(.uniformSphere(n: n, dimension: d, seed: 7))
        let gram = try KernelGram.spectrum(s, kernel: .ntk(2), points: pts)
        let sphere = SphereSpectrum.eigenvalues(s, kernel: .ntk(2), dimension: d, maxDegree: 12)
        var expanded: [Double] = []
        for e in sphere { expanded += Array(repeating: e.lambda, count: Int(e.multiplicity.rounded())) }
        expanded.sort(by: >)
        // Degenerate groups split by ~√(N/n) at finite n, so compare group means: the leading
        // groups of the sorted expanded list (for odd tanh: degrees 1, 3, 5 then 0, 2, …).
        var start = 0
        for _ in 0..<4 {
            var end = start
            while end < expanded.count && expanded[end] == expanded[start] { end += 1 }
            let g = gram.eigenvalues[start..<end].reduce(0, +) / Double(n * (end - start))
            #expect(abs(g - expanded[start]) < 0.04 * expanded[start] + 1e-4,
                    "group \(start)..<\(end): \(g) vs \(expanded[start])")
            start = end
        }
        #expect(abs(gram.trace / Double(n) - s.valueAtOne(.ntk(2))) < 1e-12)
    }
}

@Suite struct DatasetTests {
    @Test func datasetSummaryAndFileParsing() throws {
        let s = KernelSeries(activation: activation("relu"), depth: 3, order: 100)
        let pts = try InputPoints.make(.gaussian(n: 200, dimension: 100, seed: 1))
        let d = try DatasetSpectra.compute(s, points: pts)
        #expect(abs(d.ntk.trace - 200 * s.valueAtOne(.ntk(3))) < 1e-9)
        #expect(abs(d.ntk.eigenvalues.reduce(0, +) - d.ntk.trace) < 1e-8 * d.ntk.trace)
        // With E σ = 0 the kernels have no constant term, so on isotropic data there is no
        // dominant constant mode: λ_max carries a small share and the spectrum is flatter than XᵀX's.
        #expect(abs(d.ntk.effectiveRank - d.ntk.trace / d.ntk.lambdaMax) < 1e-9)
        #expect(abs(d.ntk.maxShare * d.ntk.effectiveRank - 1) < 1e-12)
        #expect(d.ntk.outliers == d.ntk.eigenvalues.filter { $0 > 3 * d.ntk.bulkEdge }.count)
        #expect(GramSpectrum(eigenvalues: [100] + Array(repeating: 1.0, count: 99), trace: 199).outliers == 1)
        #expect(GramSpectrum(eigenvalues: (1...100).map { Double($0) }, trace: 5050).outliers == 0)
        #expect(d.ntk.effectiveRank > d.input.effectiveRank)
        let parsed = try InputPoints.parse("# x y z\nx,y,z\n1, 0, 0\n0 2 0\n3,4,0\n", source: "t.csv")
        #expect(parsed.count == 3 && parsed.dimension == 3)
        #expect(abs(parsed.columns[7] - 0.8) < 1e-15)
        #expect(throws: ModelError.self) { try InputPoints.parse("1,2\n3\n", source: "bad.csv") }
        #expect(throws: ModelError.self) { try InputPoints.parse("0,0\n", source: "zero.csv") }
    }
}
