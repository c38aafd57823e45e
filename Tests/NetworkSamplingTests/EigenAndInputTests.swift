import Foundation
import Testing
@testable import NetworkSampling
import LimitLaws

@Suite struct EigenvalueTests {
    @Test func knownMatrices() throws {
        // 2×2 [[2,1],[1,2]] → 1, 3
        let e2 = try SymmetricEigen.eigenvalues([2, 1, 1, 2], n: 2)
        #expect(abs(e2[0] - 1) < 1e-14 && abs(e2[1] - 3) < 1e-14)
        // Diagonal → its entries, sorted.
        let d = [5.0, -1, 3, 0.5]
        var diag = [Double](repeating: 0, count: 16)
        for i in 0..<4 { diag[i + 4 * i] = d[i] }
        #expect(try SymmetricEigen.eigenvalues(diag, n: 4) == d.sorted())
        // Tridiagonal Toeplitz (2 on the diagonal, −1 off it): 2 − 2cos(kπ/(n+1)).
        let n = 50
        var t = [Double](repeating: 0, count: n * n)
        for i in 0..<n { t[i + n * i] = 2; if i + 1 < n { t[i + 1 + n * i] = -1; t[i + n * (i + 1)] = -1 } }
        let e = try SymmetricEigen.eigenvalues(t, n: n)
        let exact = (1...n).map { 2 - 2 * cos(Double($0) * Double.pi / Double(n + 1)) }.sorted()
        #expect(zip(e, exact).allSatisfy { abs($0 - $1) < 1e-12 })
        // Single precision path.
        let m = Matrix<Float>(rows: n, cols: n)
        for k in 0..<(n * n) { m.data[k] = Float(t[k]) }
        let ef = try SymmetricEigen.eigenvaluesDestroying(m)
        #expect(zip(ef, exact).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test(arguments: [70, 129, 300])
    func panelReductionMatchesSyevd(n: Int) throws {
        // A random symmetric matrix: the panel-wise tridiagonalisation (cancellable) gives the same
        // eigenvalues as LAPACK's dsyevd/ssyevd.
        var g = Xoshiro256StarStar(seed: UInt64(n))
        var v = [Double](repeating: 0, count: n * n)
        v.withUnsafeMutableBufferPointer { g.fillNormal($0) }
        let a = Matrix<Double>(rows: n, cols: n), b = Matrix<Double>(rows: n, cols: n)
        let af = Matrix<Float>(rows: n, cols: n), bf = Matrix<Float>(rows: n, cols: n)
        for j in 0..<n { for i in 0...j {
            let x = v[i + j * n] + v[j + i * n]
            a[i, j] = x; b[i, j] = x; af[i, j] = Float(x); bf[i, j] = Float(x)
        } }
        var fractions: [Double] = []
        let panel = try InterruptibleEigen.eigenvalues(a, check: {}, progress: { fractions.append($0) })
        let reference = try SymmetricEigen.eigenvaluesDestroying(b)
        let scale = reference.map(abs).max()!
        #expect(zip(panel, reference).allSatisfy { abs($0 - $1) < 1e-12 * scale })
        #expect(fractions.count >= 1 && fractions == fractions.sorted())
        let pf = try InterruptibleEigen.eigenvalues(af, check: {}, progress: { _ in })
        let rf = try SymmetricEigen.eigenvaluesDestroying(bf)
        #expect(zip(pf, rf).allSatisfy { abs($0 - $1) < 1e-5 * scale })
    }

    /// A = Q Λ Qᵀ with Q Haar-orthogonal and a known spectrum (a cluster of ten equal negative values, a
    /// spread of positive ones): the two-stage reduction (band 64, so n = 300 has a last panel narrower than
    /// the band) and the one-stage one both give Λ to rounding, in both precisions.
    @Test func twoStageReductionGivesTheKnownSpectrum() throws {
        let n = 300
        let lambda = (0..<n).map { k in k < 10 ? -2.0 : 0.01 * Double(k) + sin(Double(k)) }
        let q = try Pipeline<Double>.haarColumns(rows: n, cols: n, seed: 5)
        var qs = q
        for k in 0..<n { for i in 0..<n { qs[i + k * n] *= lambda[k] } }
        let full = Matrix<Double>(rows: n, cols: n)
        qs.withUnsafeBufferPointer { a in
            q.withUnsafeBufferPointer { b in
                Double.gemm(transA: false, transB: true, m: n, n: n, k: n, alpha: 1, a: a.baseAddress!, lda: n,
                            b: b.baseAddress!, ldb: n, beta: 0, c: full.data, ldc: n)
            }
        }
        let exact = lambda.sorted(), scale = exact.map(abs).max()!
        func solve<T: BLASScalar>(_: T.Type, _ reduction: EigenReduction) throws -> [Double] {
            let m = Matrix<T>(rows: n, cols: n)
            for k in 0..<(n * n) { m.data[k] = T(full.data[k]) }
            var fractions: [Double] = []
            let e = try InterruptibleEigen.eigenvalues(m, reduction: reduction, check: {}, progress: { fractions.append($0) })
            #expect(fractions.count >= 3 && fractions == fractions.sorted() && fractions.last! <= 1)
            return e
        }
        let two = try solve(Double.self, .twoStage), one = try solve(Double.self, .oneStage)
        #expect(zip(two, exact).allSatisfy { abs($0 - $1) < 1e-12 * scale })
        #expect(zip(two, one).allSatisfy { abs($0 - $1) < 1e-12 * scale })
        let twoF = try solve(Float.self, .twoStage), oneF = try solve(Float.self, .oneStage)
        #expect(zip(twoF, exact).allSatisfy { abs($0 - $1) < 1e-5 * scale })
        #expect(zip(twoF, oneF).allSatisfy { abs($0 - $1) < 1e-5 * scale })
    }

    @Test func nonFiniteInputIsRejected() {
        #expect(throws: EigenSolverError.nonFinite("kernel matrix")) {
            try SymmetricEigen.eigenvalues([1, .nan, .nan, 1], n: 2)
        }
    }
}

@Suite struct RandomTests {
    @Test func xoshiroReferenceAndNormalMoments() {
        // Same seed → same stream; different purpose/index → different stream.
        var a = RandomStreams.generator(seed: 7, purpose: .weightRow, index: 1)
        var b = RandomStreams.generator(seed: 7, purpose: .weightRow, index: 1)
        var c = RandomStreams.generator(seed: 7, purpose: .weightRow, index: 2)
        let xa = (0..<8).map { _ in a.next() }, xb = (0..<8).map { _ in b.next() }, xc = (0..<8).map { _ in c.next() }
        #expect(xa == xb && xa != xc)
        // xoshiro256** with state (1, 2, 3, 4): first outputs from the reference C code.
        var g = Xoshiro256StarStar(seed: 0)
        g.s0 = 1; g.s1 = 2; g.s2 = 3; g.s3 = 4
        #expect((0..<3).map { _ in g.next() } == [11520, 0, 1509978240])
        var buf = [Double](repeating: 0, count: 200_001)
        var r = Xoshiro256StarStar(seed: 99)
        buf.withUnsafeMutableBufferPointer { r.fillNormal($0) }
        let mean = buf.reduce(0, +) / Double(buf.count)
        let varc = buf.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(buf.count)
        let fourth = buf.reduce(0) { $0 + $1 * $1 * $1 * $1 } / Double(buf.count)
        #expect(abs(mean) < 0.01 && abs(varc - 1) < 0.01 && abs(fourth - 3) < 0.05)
        // Kolmogorov–Smirnov against Φ: √N·KS < 1.63 at the 1% level (Ziggurat tables and tail).
        let sorted = buf.sorted()
        var ks = 0.0
        for (i, x) in sorted.enumerated() {
            let phi = 0.5 * erfc(-x / 2.0.squareRoot())
            ks = max(ks, abs(phi - Double(i) / Double(sorted.count)), abs(phi - Double(i + 1) / Double(sorted.count)))
        }
        #expect(ks * Double(sorted.count).squareRoot() < 1.63)
        #expect(sorted.first! < -4 && sorted.last! > 4)   // the tail beyond r = 3.44 is reached
    }
}

@Suite struct InputTests {
    @Test func csvAndNpyParse() throws {
        let dir = FileManager.default.temporaryDirectory
        let csv = dir.appendingPathComponent("ntkscope-test-\(getpid()).csv")
        try "a,b,c\n1,2,3\n4,5,6\n".write(to: csv, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: csv) }
        let m = try DataMatrix.load(path: csv.path)
        #expect(m.samples == 2 && m.features == 3 && m.values == [1, 2, 3, 4, 5, 6])

        // .npy, version 1.0, little-endian float64, shape (2, 3), C order.
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        bytes += Array(header.utf8)
        for v in [1.0, 2, 3, 4, 5, 6] { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        let npy = dir.appendingPathComponent("ntkscope-test-\(getpid()).npy")
        try Data(bytes).write(to: npy)
        defer { try? FileManager.default.removeItem(at: npy) }
        #expect(try DataMatrix.load(path: npy.path) == m)

        let bad = dir.appendingPathComponent("ntkscope-bad-\(getpid()).csv")
        try "1,2\n3\n".write(to: bad, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: bad) }
        #expect(throws: SamplingError.self) { try DataMatrix.load(path: bad.path) }
    }

    @Test func preprocessingCentresScalesAndRemovesPCs() throws {
        // 40 samples in 6 features with a strong direction e_0.
        var g = Xoshiro256StarStar(seed: 5)
        var v = [Double](repeating: 0, count: 240)
        v.withUnsafeMutableBufferPointer { g.fillNormal($0) }
        for a in 0..<40 { v[a * 6] *= 30; v[a * 6 + 1] += 4 }
        let m = try DataMatrix(samples: 40, features: 6, values: v).preprocessed(removePCs: 1)
        for a in 0..<40 {
            let row = m.values[(a * 6)..<(a * 6 + 6)]
            #expect(abs(row.reduce(0) { $0 + $1 * $1 } - 1) < 1e-12)
        }
        // The removed PC (≈ e_0) leaves feature 0 small compared with the others.
        let f0 = (0..<40).reduce(0.0) { $0 + m.values[$1 * 6] * m.values[$1 * 6] }
        #expect(f0 < 0.05 * 40)
        #expect(throws: SamplingError.self) { try DataMatrix(samples: 3, features: 2, values: [1, 2, 3, 4, 5, 6]).preprocessed(removePCs: 2) }
    }

    @Test func orthonormalAndSpectrumInputs() throws {
        let base = NetworkModel(activation: try .named("tanh"), input: .orthonormal, gammas: [1])
        var req = SamplingRequest(model: base, n: 30, seed: 1, ckLayers: [0], ntk: false, precision: .float64)
        let e = try NetworkSampler.spectra(req)[0].eigenvalues
        #expect(e.allSatisfy { abs($0 - 1) < 1e-12 })
        req.input = .spectrum([0.5, 1.5])
        let s = try NetworkSampler.spectra(req)[0].eigenvalues
        #expect(abs(s[0] - 0.5) < 1e-10 && abs(s[29] - 1.5) < 1e-10)
        req.input = .powerLaw(d0: 60, alpha: 1)
        let p = try NetworkSampler.spectra(req)[0].eigenvalues
        #expect(abs(p.reduce(0, +) / 30 - 1) < 0.2)   // Tr Σ = 1 → mean eigenvalue ≈ 1
    }
}

@Suite struct RequestTests {
    @Test func refusesWhenMemoryWouldNotFit() throws {
        let req = SamplingRequest(model: try model("arctan", gammas: [1, 1]), n: 60_000, seed: 1)
        var allocated = false
        #expect(throws: SamplingError.self) {
            try NetworkSampler.run(req) { if case .started = $0 { allocated = true } }
        }
        #expect(!allocated)
        do { try NetworkSampler.run(req) { _ in } } catch {
            #expect("\(error)".contains("not enough memory"))
        }
    }

    @Test func badRequestsAreRejected() throws {
        #expect(throws: SamplingError.self) {
            try SamplingRequest(model: try model("arctan", gammas: [1]), n: 10, ckLayers: [3]).validate()
        }
        #expect(throws: SamplingError.self) {
            try SamplingRequest(model: try model("arctan", gammas: [1]), n: 1).validate()
        }
        #expect(throws: SamplingError.self) {
            try SamplingRequest(model: try model("arctan", gammas: [-1]), n: 10).validate()
        }
    }

    @Test func estimateMatchesFigure1Plan() throws {
        let req = SamplingRequest(model: .figure1, n: 3000)
        #expect(try req.widths() == [1000, 6000, 6000, 6000, 6000, 6000])
        let gib = Double(try req.estimatedPeakBytes()) / Double(1 << 30)
        #expect(gib > 0.6 && gib < 1.25)
    }
}
