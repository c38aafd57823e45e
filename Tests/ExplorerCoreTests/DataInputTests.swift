import Foundation
import Testing
import LimitLaws
import NetworkSampling
import PlotCanvas
@testable import ExplorerCore

/// `--data` / `:data`: the Gram spectrum as the input law and the Definition 3.1 diagnostics, against
/// brute-force sums, on hand-made matrices and on the 8×8 digits (fetched by `make test-data` from
/// scikit-learn's wheel; without it a synthetic data set of the same shape stands in).
@Suite struct DataInputTests {
    /// Brute force: ε parts, ‖X‖² (the largest Gram eigenvalue, by power iteration) and Σ(‖x‖²−1)².
    static func bruteForce(_ x: DataMatrix) -> (norm: Double, inner: Double, top: Double, deviation: Double) {
        let n = x.samples, d = x.features
        func dot(_ a: Int, _ b: Int) -> Double { (0..<d).reduce(0) { $0 + x.values[a * d + $1] * x.values[b * d + $1] } }
        var norm = 0.0, inner = 0.0, deviation = 0.0
        for a in 0..<n {
            let q = dot(a, a)
            norm = max(norm, abs(q - 1)); deviation += (q - 1) * (q - 1)
            for b in (a + 1)..<n { inner = max(inner, abs(dot(a, b))) }
        }
        // power iteration on X Xᵀ (d × d)
        var v = [Double](repeating: 1 / Double(d).squareRoot(), count: d)
        var lambda = 0.0
        for _ in 0..<500 {
            var w = [Double](repeating: 0, count: d)
            for a in 0..<n {
                let s = (0..<d).reduce(0) { $0 + x.values[a * d + $1] * v[$1] }
                for f in 0..<d { w[f] += s * x.values[a * d + f] }
            }
            lambda = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
            v = w.map { $0 / lambda }
        }
        return (norm, inner, lambda, deviation)
    }

    @Test func handMadeMatricesHaveTheirClosedForms() throws {
        // two samples, |x₁|² = 1.21, |x₂|² = 0.81, x₁ᵀx₂ = 0.6: Gram [[1.21, .6], [.6, .81]]
        let x = DataMatrix(samples: 2, features: 2, values: [1.1, 0, 0.6 / 1.1, (0.81 - 0.36 / 1.21).squareRoot()])
        let (ev, f) = try DataInput.gram(x)
        let t = 2.02, det = 1.21 * 0.81 - 0.36
        let root = (t * t / 4 - det).squareRoot()
        #expect(abs(ev[0] - (t / 2 - root)) < 1e-12 && abs(ev[1] - (t / 2 + root)) < 1e-12)
        #expect(abs(f.innerEpsilon - 0.6) < 1e-12 && abs(f.normEpsilon - 0.21) < 1e-12)
        #expect(abs(f.normDeviation - (0.21 * 0.21 + 0.19 * 0.19)) < 1e-12)
        #expect(abs(f.operatorNorm - (t / 2 + root).squareRoot()) < 1e-12)
        #expect(abs(f.scaledEpsilon - 0.6 * pow(2, 0.25)) < 1e-12)
        // orthonormal columns: ε = 0, every eigenvalue 1 (three samples in five dimensions)
        var e = [Double](repeating: 0, count: 15)
        for a in 0..<3 { e[a * 5 + a + 1] = 1 }
        let (ev2, f2) = try DataInput.gram(DataMatrix(samples: 3, features: 5, values: e))
        #expect(ev2.allSatisfy { abs($0 - 1) < 1e-12 } && f2.epsilon < 1e-15 && abs(f2.operatorNorm - 1) < 1e-12)
    }

    /// The digits table, or a stand-in of the same shape (1797 samples of 64 features on a few
    /// clusters, so that it too is far from orthonormal) when it could not be fetched.
    static func digits() -> (matrix: DataMatrix, real: Bool) {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/test-data/digits.csv")
        if let m = try? DataMatrix.load(path: url.path) { return (m, true) }
        var g = Xoshiro256StarStar(seed: 3)
        var values: [Double] = []
        for a in 0..<1797 {
            for f in 0..<64 { values.append(Double((a % 10 + f) % 16) + g.nextNormal()) }
        }
        return (DataMatrix(samples: 1797, features: 64, values: values), false)
    }

    @Test func digitsDiagnosticsAgreeWithBruteForceAndSayWhyTheLawsMiss() throws {
        let (raw, real) = Self.digits()
        if !real { print("DataInputTests: digits.csv not found (make test-data); using the synthetic stand-in") }
        #expect(raw.samples == 1797 && raw.features == 64)
        let input = try DataInput.make(raw, removePCs: 0, label: "digits")
        let x = try raw.preprocessed()
        let b = Self.bruteForce(x)
        let f = input.diagnostics
        #expect(abs(f.normEpsilon - b.norm) < 1e-12 && abs(f.innerEpsilon - b.inner) < 1e-12 && abs(f.normDeviation - b.deviation) < 1e-9)
        #expect(abs(f.operatorNorm * f.operatorNorm - b.top) / b.top < 1e-8)
        // the Gram: n eigenvalues summing to the trace n (unit-norm samples). Its rank is that of the
        // centred n×d₀ matrix (scaling samples keeps it): at most the number of features that are not
        // constant (a constant feature centres to zero; the real digits have such pixels), ≤ d₀
        #expect(input.gramEigenvalues.count == 1797)
        #expect(abs(input.gramEigenvalues.reduce(0, +) - 1797) < 1e-6)
        let varying = (0..<raw.features).filter { f in
            (0..<raw.samples).contains { raw.values[$0 * raw.features + f] != raw.values[f] }
        }.count
        #expect(input.gramEigenvalues.filter { $0 > 0 }.count <= varying)
        #expect(varying <= 64 && (real ? varying < 64 : varying == 64))
        // Assumption 3.2(c) fails badly: ε·n^{1/4} ≫ 1 (a Gaussian design of this shape: ≈ 2.9)
        #expect(f.scaledEpsilon > 3)
        // removing PCs lowers the largest inner products
        let pcs = try DataInput.make(raw, removePCs: 10, label: "digits, 10 PCs removed")
        #expect(pcs.diagnostics.operatorNorm < f.operatorNorm)
        #expect(input.diagnosticLines.contains { $0.contains("ε·n^¼") })
    }

    @Test func dataInTheExplorerSetsTheInputLawAndItsDiagnostics() throws {
        let x = DataMatrix(samples: 40, features: 30, values: (0..<1200).map { Double(($0 * 7919) % 113) / 113 - 0.5 })
        let input = try DataInput.make(x, removePCs: 2, label: "toy.csv, 2 PCs removed")
        var s = MockSpectra.state(view: .focus)
        _ = ExplorerReducer.reduce(&s, .setData(input))
        #expect(s.data == input, "\(s.message?.text ?? "")")
        #expect(s.inputLabel == "toy.csv, 2 PCs removed")
        #expect(s.model.input == .discrete(eigenvalues: input.gramEigenvalues))
        #expect(s.message?.text.contains("ε·n^¼") == true)
        s.selection = 0
        let text = ScreenLayout.render(state: s, content: MockSpectra.content(), width: 200, height: 60).plainText()
        #expect(text.contains("Assumption 3.2(c)") && text.contains("Def. 3.1"))
        // another input law drops the data
        s.commandLine = "gamma0 2"
        _ = ExplorerReducer.reduce(&s, .commandSubmit)
        #expect(s.data == nil)
        _ = ExplorerReducer.reduce(&s, .undo)
        #expect(s.data == input)
        #expect(ExplorerCommand.run("data ~/digits.csv pcs 10", state: &s) == [.loadDataFile(CommandLineEditor.expandHome("~/digits.csv"), pcs: 10)])
    }

    /// `:data` with a binary file, in every regime that takes `:data` (the linear and infinite width
    /// read it as --data, the quadratic mode as both, training as its classification data): the
    /// message names `:data`, the file and what is wrong, and an 80-column status line shows the
    /// reason whole, the file by its name (its middle may give way, never its extension).
    @Test(arguments: [RegimeID.linearWidth, .infiniteWidth, .quadratic, .training])
    func binaryDataFileIsRefusedWithTheReasonOnAnEightyColumnStatusLine(regime: RegimeID) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ntkscope data-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("activations-of-the-second-run.bin").path
        try Data([0x89, 0xFF, 0x00, 0xFE] + (0..<200).map { UInt8($0) }).write(to: URL(fileURLWithPath: path))
        var s = MockSpectra.state(view: .focus)
        Regimes.enter(regime, state: &s)
        for effect in ExplorerCommand.run("data \(path)", state: &s) {
            switch effect {
            case .loadDataFile(let p, let pcs): ExplorerReducer.loadDataFile(p, pcs: pcs, state: &s)
            case .readRegimeFile(let r, let p, let purpose):
                _ = ExplorerReducer.reduce(&s, .regime(AnyRegimeAction(r, RegimeFileRead.read(path: p, purpose: purpose))))
            default: Issue.record("unexpected effect \(effect)")
            }
        }
        let message = try #require(s.message)
        #expect(message.isError && message.text.contains(":data") && message.text.contains(path) && message.text.contains("binary data"), "\(message.text)")
        let status = ScreenLayout.render(state: s, content: MockSpectra.content(), width: 80, height: 24).lines().last ?? ""
        #expect(status.contains("'binary data'") && status.contains(".bin: must be text or .npy"), "\(regime): \(status)")
        #expect(status.contains("…/activ") && status.contains(":data") && !status.contains("(M)"), "\(regime): \(status)")
    }
}
