import Foundation
import Testing
@testable import InputFiles
@testable import LimitLaws

@Suite struct EigenvalueFileTests {
    func read(_ text: String) throws(ModelError) -> EigenvalueFile { try EigenvalueFile.parse(Data(text.utf8), source: "spec.txt") }

    @Test func rescalesToMeanOneWithANotice() throws {
        let f = try read("2\n4\n")
        #expect(f.law.values == [2.0 / 3.0, 4.0 / 3.0] && f.law.weights == [0.5, 0.5])
        #expect(f.notices.contains { $0.contains("rescaled") })
        #expect(try read("0.5\n1.5\n").notices.isEmpty)
    }

    /// eigvalsh of a rank-deficient Gram gives ±1e-16 for its zeros: they become exact zeros
    /// (an atom of mass 2/5 here); a real negative value is refused, naming its line.
    @Test func roundOffNegativesBecomeZeroAndRealOnesAreRefused() throws {
        let f = try read("2\n-1.2e-16\n3\n4.4e-17\n1\n")
        #expect(f.law.values.count == 4)
        for (v, want) in zip(f.law.values, [0, 1 / 1.2, 2 / 1.2, 3 / 1.2]) { #expect(abs(v - want) < 1e-15) }
        #expect(f.law.values.first == 0 && abs(f.law.weights.first! - 0.4) < 1e-15)
        #expect(abs(f.law.mean - 1) < 1e-15)
        #expect(f.notices.contains { $0.contains("2 values") && $0.contains("set to 0") })
        do {
            _ = try read("1\n2\n# comment\n-0.5\n3\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "spec.txt line 4" && error.value == "-0.5")
            #expect(error.allowed.contains(">= 0"))
        }
        // the threshold is relative: -1e-9 × max is noise, -2e-9 × max is not
        #expect(throws: Never.self) { try read("1000\n-1e-6\n") }
        #expect(throws: ModelError.self) { try read("1000\n-2e-6\n") }
    }

    /// Values near the largest Double: the mean is computed as max · mean(λ/max), so it does not
    /// overflow and the rescaled law is exact (the reported fault gave mean inf and a CK mean 0.044).
    @Test func hugeValuesAreRescaledWithoutOverflow() throws {
        let f = try read("1e308\n1e308\n5e307\n")
        #expect(f.law.values.count == 2)
        #expect(abs(f.law.values[0] - 0.6) < 1e-15 && abs(f.law.values[1] - 1.2) < 1e-15)
        #expect(abs(f.law.weights[1] - 2.0 / 3.0) < 1e-15)
        // and the CK of a layer above keeps mean 1 (φ(K_1) = 1 − b² + b² φ(K_0))
        let model = NetworkModel(activation: try .named("tanh"), input: .discrete(f.law), gammas: [0.5])
        let s = try #require(LimitLawEngine().solve(model, options: SolveOptions(kernels: [.ck(1)])).spectra.first)
        #expect(abs(s.mean - 1) < 1e-12)
        #expect(abs(s.numericalMoments[0] - 1) < 1e-5)
    }

    @Test func ties() throws {
        let f = try read("1\n1\n1\n3\n")   // mean 1.5
        #expect(f.law.values == [2.0 / 3.0, 2.0])
        #expect(f.law.weights == [0.75, 0.25])
        #expect(f.law.count == 4 && f.law.compression == nil)
        #expect(f.law.eigenvalueList() == [2.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0, 2.0])
    }

    /// A file whose only row of data holds several numbers is a row of eigenvalues (it was read as
    /// one eigenvalue, the input law δ₁): refused naming the file and the line, whatever the
    /// delimiter or a header and comments before it. Several rows keep the first column; one
    /// number on one row is one eigenvalue; one row of a number and a label is one eigenvalue.
    @Test func aSingleRowOfNumbersIsRefused() throws {
        for (text, line) in [("0.5,1.0,1.5,2.0,3.0\n", 1), ("0.5 1.0 1.5\n", 1), ("# spectrum\nvalue;b\n0.5;1.0\n", 3),
                             ("\r\n0.5\t1.0\r\n", 2)] {
            do {
                _ = try read(text)
                Issue.record("expected an error for \(text.debugDescription)")
            } catch {
                #expect(error.field == "spec.txt line \(line)", "\(text.debugDescription)")
                #expect(error.allowed.contains("one per line") && error.allowed.contains("first column"))
            }
        }
        // first column of a multi-row CSV: values 1, 3 (mean 2)
        #expect(try read("1,9,9\n3,9,9\n").law.values == [0.5, 1.5])
        #expect(try read("2\n").law.values == [1])
        #expect(try read("2,ok\n").law.values == [1])
    }

    @Test func allZeroOrEmptyIsRefused() {
        #expect(throws: ModelError.self) { try read("0\n0\n") }
        #expect(throws: ModelError.self) { try read("# only a comment\n") }
        #expect(throws: ModelError.self) { try read("-1\n-2\n") }
    }

    @Test func npySpectra() throws {
        var data = NPYCorpus.file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }")
        for v in [1.0, 2.0, 3.0] { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        let f = try EigenvalueFile.parse(data, source: "e.npy", isNPY: true)
        #expect(f.law.values == [0.5, 1, 1.5])
        var matrix = NPYCorpus.file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }")
        for v in [1.0, 2.0, 3.0, 4.0] { withUnsafeBytes(of: v.bitPattern.littleEndian) { matrix.append(contentsOf: $0) } }
        #expect(throws: ModelError.self) { try EigenvalueFile.parse(matrix, source: "m.npy", isNPY: true) }
    }
}

/// The compression of large spectra: its stated error is checked against the exact law.
@Suite struct DiscreteLawCompressionTests {
    /// n eigenvalues of an MP(0.5)-like law (deterministic quantiles with jitter) and a block of
    /// exact zeros and of a repeated value.
    func spectrum(_ n: Int) -> [Double] {
        let a = 0.0858, b = 2.914
        var out = (0..<n).map { k -> Double in
            let u = (Double(k) + 0.5) / Double(n)
            return a + (b - a) * u * u * (1 + 1e-7 * Double(k % 7))
        }
        out += Array(repeating: 0, count: n / 10) + Array(repeating: 1.25, count: n / 20)
        return out
    }

    @Test func compressionKeepsItsStatedBounds() throws {
        let exact = DiscreteLaw(eigenvalues: spectrum(200_000))
        let c = exact.compressed()
        let info = try #require(c.compression)
        #expect(c.values.count < 20_000 && info.sourcePoints == exact.values.count)
        #expect(info.relativeWidth <= 1e-3 && info.groupMass <= 1e-4 + 1e-15)
        #expect(abs(c.mean - exact.mean) < 1e-13 * exact.mean)
        #expect(abs(c.secondMoment - exact.secondMoment) <= 1e-6 * exact.secondMoment)
        // ties stay exact atoms: the zeros and the block at 1.25
        #expect(c.values.first == 0 && abs(c.weights.first! - exact.weights.first!) < 1e-15)
        let k = try #require(c.values.firstIndex(of: 1.25))
        #expect(abs(c.weights[k] - exact.weights[k < exact.values.count ? exact.values.firstIndex(of: 1.25)! : 0]) < 1e-15)
        // Kolmogorov distance ≤ the largest merged mass (each group's point lies inside the group),
        // and every point moved by at most the relative width: checked by walking both CDFs.
        var i = 0, fe = 0.0, fc = 0.0, worst = 0.0
        for (v, w) in zip(c.values, c.weights) {
            while i < exact.values.count && exact.values[i] <= v { fe += exact.weights[i]; i += 1 }
            fc += w
            worst = max(worst, abs(fe - fc))
        }
        #expect(worst <= info.groupMass + 1e-12)
    }

    @Test func smallLawsAreLeftAlone() {
        let law = DiscreteLaw(eigenvalues: (1...1000).map(Double.init))
        #expect(law.compressed() == law)
    }

    /// The CK law of a compressed input against the exact input (500 distinct values, solved
    /// both ways): the stated bound sup F(x(1+ε)) − F(x(1−ε)) holds, and the measured CDF
    /// difference is far below it (second order: the group means keep the mean).
    @Test func ckLawOfACompressedInputStaysWithinTheBound() throws {
        let exact = DiscreteLaw(eigenvalues: spectrum(500))
        let c = exact.compressed(maxRelativeWidth: 1e-2, maxGroupMass: 1e-2, threshold: 100)
        let eps = try #require(c.compression).relativeWidth
        let engine = LimitLawEngine()
        func law(_ l: DiscreteLaw) throws -> LimitSpectrum {
            let model = NetworkModel(activation: try .named("arctan"), input: .discrete(l), gammas: [0.5])
            return try #require(engine.solve(model, options: SolveOptions(kernels: [.ck(1)])).spectra.first)
        }
        let a = try law(exact), b = try law(c)
        var measured = 0.0, bound = 0.0
        for k in 0...400 {
            let x = a.support.first!.lowerBound + (a.support.last!.upperBound - a.support.first!.lowerBound) * Double(k) / 400
            measured = max(measured, abs(a.cdf(x) - b.cdf(x)))
            bound = max(bound, b.cdf(x * (1 + eps)) - b.cdf(x * (1 - eps)))
        }
        print("compressed input (ε = \(eps)): CK law's CDF moved by \(measured), stated bound \(bound)")
        #expect(measured <= bound + 1e-6)
        #expect(measured < 1e-4)
    }
}
